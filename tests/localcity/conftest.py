"""The local city's tests import the workloads' packages: importing `citygate.localcity` puts them on sys.path."""

import citygate.localcity  # noqa: F401
