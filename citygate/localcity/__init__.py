"""The city running on this machine: PostgreSQL, the inference service and the API with its dashboard,
on the embedded AWS the pipeline populated (`up`'s "pipeline" and "city" stages).

The workloads' packages are not installed in the gate's venv: importing this package puts them on
`sys.path`, the one place that does so for `up`.
"""

from __future__ import annotations

import sys

from citygate.paths import WORKLOADS

WORKLOAD_PACKAGES = tuple(WORKLOADS / name for name in ("pipeline", "inference", "api"))

for _package in WORKLOAD_PACKAGES:
    if str(_package) not in sys.path:
        sys.path.append(str(_package))
