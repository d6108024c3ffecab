"""The part of the Kubernetes API `deploy` talks to, recorded in memory: server-side apply and discovery.

No cluster runs in the tests; what deploy sends (kinds, order, dry-run flags, bodies) is what they judge.
"""

from __future__ import annotations

from typing import Any

from kubernetes.client.exceptions import ApiException

CLUSTER_SCOPED = {"Namespace", "ClusterIssuer", "ClusterRole", "ClusterRoleBinding"}


class FakeApi:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.namespaced = kind not in CLUSTER_SCOPED


class FakeResources:
    def get(self, api_version: str, kind: str) -> FakeApi:
        return FakeApi(kind)


class FakeCluster:
    """Records every server-side apply; rejects one kind when asked to."""

    def __init__(self, reject: str | None = None) -> None:
        self.resources = FakeResources()
        self.calls: list[dict[str, Any]] = []
        self.reject = reject

    def server_side_apply(self, resource: FakeApi, body: Any = None, **kwargs: Any) -> None:
        if resource.kind == self.reject:
            raise ApiException(status=422, reason=f"{resource.kind} is forbidden by admission")
        self.calls.append({"kind": resource.kind, "name": body["metadata"]["name"], "body": body, **kwargs})

    def images(self) -> dict[tuple[str, str], str]:
        """(kind, name) of every workload sent -> its first container's image."""
        return {
            (call["kind"], call["name"]): spec["containers"][0]["image"]
            for call in self.calls
            if (spec := _pod_spec(call["body"]))
        }


def _pod_spec(body: dict[str, Any]) -> dict[str, Any] | None:
    spec = body.get("spec", {})
    if body["kind"] == "CronJob":
        spec = spec.get("jobTemplate", {}).get("spec", {})
    template = spec.get("template", {}).get("spec")
    return template if isinstance(template, dict) else None
