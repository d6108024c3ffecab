"""Kubernetes workloads, checked like the infrastructure.

- `load_manifests(path)`: files, folders and Kustomize overlays -> `Inventory(kind="kubernetes")`.
- `engines`: the gate engines `schema` (strict validation), `reachability` (NetworkPolicy isolation
  and intended reachability) and `irsa` (the cross-check with the synthesized stacks).
- `reachability_matrix(inventory)`: who can reach whom, ports included, per overlay.
- `write_rendered(inventory, outdir)`: the rendered objects as plain YAML files, for file scanners.
"""

from citygate.k8s.engines import reachability_matrix
from citygate.k8s.loader import load_manifests
from citygate.k8s.render import write_rendered

__all__ = ["load_manifests", "reachability_matrix", "write_rendered"]
