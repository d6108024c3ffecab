"""The promotion gate: Locust load against the inference service, judged against per-environment SLOs.

`slo` and `report` are plain Python; `runner` imports Locust, which monkey-patches the standard
library with gevent, so only a process dedicated to the load test (the CLI command) imports it.
"""
