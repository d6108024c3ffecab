"""Live checks, one module per platform area; importing this package registers every rule."""

from citygate.live.checks import audit, cluster, edge, keys, registry, storage

__all__ = ["audit", "cluster", "edge", "keys", "registry", "storage"]
