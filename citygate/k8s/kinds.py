"""Facts about Kubernetes kinds that every workload check needs: scope, and where the pod spec sits.

Kept in one place so the loader (addresses), the reachability analyzer (pods), the IRSA cross-check
(service accounts) and the deploy command agree on what a workload is.
"""

from __future__ import annotations

from typing import Any

# Kinds that live outside any namespace: their address is `Kind/name`.
CLUSTER_SCOPED = frozenset(
    {
        "APIService",
        "CSIDriver",
        "CSINode",
        "ClusterIssuer",
        "ClusterRole",
        "ClusterRoleBinding",
        "ComponentStatus",
        "CustomResourceDefinition",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PriorityClass",
        "PodSecurityPolicy",
        "RuntimeClass",
        "StorageClass",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
    }
)

# Workload kind -> path of keys from the object to its pod spec (the template's `spec`).
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}

DEFAULT_NAMESPACE = "default"


def is_namespaced(kind: str) -> bool:
    return kind not in CLUSTER_SCOPED


def address(kind: str, name: str, namespace: str | None) -> str:
    """`Kind/namespace/name` for namespaced objects, `Kind/name` for cluster-scoped ones."""
    if not is_namespaced(kind):
        return f"{kind}/{name}"
    return f"{kind}/{namespace or DEFAULT_NAMESPACE}/{name}"


def _dig(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def pod_spec(manifest: dict[str, Any]) -> dict[str, Any] | None:
    """The pod spec a workload object runs, or None for kinds that run no pods."""
    path = POD_SPEC_PATHS.get(str(manifest.get("kind", "")))
    spec = _dig(manifest, path) if path else None
    return spec if isinstance(spec, dict) else None


def pod_template_metadata(manifest: dict[str, Any]) -> dict[str, Any]:
    """Metadata of the pods a workload creates (a bare Pod's own metadata)."""
    path = POD_SPEC_PATHS.get(str(manifest.get("kind", "")))
    if not path:
        return {}
    meta = _dig(manifest, (*path[:-1], "metadata"))
    return meta if isinstance(meta, dict) else {}


def containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """All containers of a pod spec: init, regular and ephemeral."""
    found: list[dict[str, Any]] = []
    for key in ("initContainers", "containers", "ephemeralContainers"):
        found.extend(c for c in spec.get(key) or [] if isinstance(c, dict))
    return found
