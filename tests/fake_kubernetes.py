"""The part of the Kubernetes API `deploy` and `loadtest --in-cluster` talk to, recorded in memory.

Server-side apply and discovery for deploy; Job create/status/delete and the master pod's log for the load test.
No cluster runs in the tests; what the commands send (kinds, order, dry-run flags, bodies) is what they judge.
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
    """Records every server-side apply and created Job; rejects one kind when asked to.

    Every created Job ends at once with the condition `job_end` (None: it never ends); its pod's log is `log`.
    """

    def __init__(self, reject: str | None = None, job_end: str | None = "Complete", log: str = "") -> None:
        self.resources = FakeResources()
        self.calls: list[dict[str, Any]] = []
        self.reject = reject
        self.jobs: dict[str, dict[str, Any]] = {}
        self.deleted: list[str] = []
        self.job_end = job_end
        self.log = log

    def create_job(self, namespace: str, body: dict[str, Any]) -> None:
        self.jobs[f"{namespace}/{body['metadata']['name']}"] = body

    def job_status(self, namespace: str, name: str) -> dict[str, Any]:
        assert f"{namespace}/{name}" in self.jobs
        return {"conditions": [{"type": self.job_end, "status": "True"}]} if self.job_end else {"active": 1}

    def delete_job(self, namespace: str, name: str) -> None:
        del self.jobs[f"{namespace}/{name}"]
        self.deleted.append(name)

    def job_log(self, namespace: str, name: str) -> str:
        return self.log

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
