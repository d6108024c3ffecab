"""Live checks, one module per platform area; `RULES` holds every rule they register."""

from citygate.live.checks import audit, cluster, compute, edge, keys, network, parameters, registry, storage
from citygate.live.rules import RULES

__all__ = ["RULES", "audit", "cluster", "compute", "edge", "keys", "network", "parameters", "registry", "storage"]
