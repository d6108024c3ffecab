"""Strict schema validation against the pinned Kubernetes version."""

from __future__ import annotations

from typing import Any

from citygate.k8s.schema import KUBERNETES_VERSION, is_builtin_api, validate
from citygate.model import Resource


def resource(manifest: dict[str, Any]) -> Resource:
    return Resource(address=f"{manifest['kind']}/x", type=manifest["kind"], name="x", values=manifest)


SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}, "spec": {"ports": [{"port": 80}]}}


def test_valid_object_passes() -> None:
    assert validate(resource(SERVICE)) is None


def test_misspelt_field_is_a_finding() -> None:
    finding = validate(resource({**SERVICE, "spec": {"ports": [{"port": 80, "targetPot": 8080}]}}))
    assert finding is not None and finding.id == "CG_K8S_030"
    assert "spec/ports/0" in finding.message and "targetPot" in finding.message


def test_wrong_type_is_a_finding() -> None:
    finding = validate(resource({**SERVICE, "spec": {"ports": [{"port": "eighty"}]}}))
    assert finding is not None and "not of type 'integer'" in finding.message


def test_removed_api_version_is_a_finding() -> None:
    finding = validate(resource({"apiVersion": "extensions/v1beta1", "kind": "Ingress", "metadata": {"name": "x"}}))
    assert finding is not None and f"not served by Kubernetes {KUBERNETES_VERSION}" in finding.message


def test_custom_resources_are_left_to_their_crd() -> None:
    issuer = {"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "x"}, "spec": {}}
    assert validate(resource(issuer)) is None
    assert is_builtin_api("rbac.authorization.k8s.io/v1") and is_builtin_api("v1") and is_builtin_api("apps/v1")
    assert not is_builtin_api("monitoring.coreos.com/v1")
