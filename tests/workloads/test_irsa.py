"""The IRSA cross-check: service-account annotations and the stack's role trust policies agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citygate.errors import CitygateError
from citygate.k8s.irsa import cross_check, stack_roles, synth_locator
from citygate.model import Resource

ANNOTATION = "eks.amazonaws.com/role-arn"


def synth(tmp_path: Path, roles: dict[str, dict[str, object]], documents: dict[str, object] | None = None) -> Path:
    path = tmp_path / "cdk.tf.json"
    path.write_text(
        json.dumps({"resource": {"aws_iam_role": roles}, "data": {"aws_iam_policy_document": documents or {}}})
    )
    return path


def trust(subject: str) -> str:
    condition = {
        "StringEquals": {"${oidc}:sub": f"system:serviceaccount:{subject}", "${oidc}:aud": "sts.amazonaws.com"}
    }
    return json.dumps({"Statement": [{"Effect": "Allow", "Condition": condition}]})


def service_account(namespace: str, name: str, arn: str | None, env: str = "") -> Resource:
    metadata: dict[str, object] = {
        "name": name,
        "namespace": namespace,
        "labels": {"citygate.io/environment": env} if env else {},
    }
    if arn:
        metadata["annotations"] = {ANNOTATION: arn}
    return Resource(
        f"ServiceAccount/{namespace}/{name}", "ServiceAccount", name, {"metadata": metadata}, file="sa.yaml"
    )


def arn(name: str) -> str:
    return f"arn:aws:iam::123456789012:role/{name}"


def test_roles_from_inline_and_document_trust(tmp_path: Path) -> None:
    documents = {"web_trust": {"statement": [{"condition": [{"values": ["system:serviceaccount:prod:web"]}]}]}}
    roles = {
        "api": {"name": "r-api", "assume_role_policy": trust("prod:api")},
        "web": {"name": "r-web", "assume_role_policy": "${data.aws_iam_policy_document.web_trust.json}"},
        "nodes": {"name": "r-nodes", "assume_role_policy": json.dumps({"Principal": {"Service": "ec2.amazonaws.com"}})},
    }
    assert stack_roles(synth(tmp_path, roles, documents)).by_subject == {
        ("prod", "api"): ("r-api",),
        ("prod", "web"): ("r-web",),
    }


def test_matching_annotation_passes_and_drift_fails(tmp_path: Path) -> None:
    locate = synth_locator(
        {"dev": synth(tmp_path, {"api": {"name": "r-api", "assume_role_policy": trust("prod:api")}})}
    )
    assert cross_check([service_account("prod", "api", arn("r-api"))], "dev", {"prod"}, locate) == []
    (finding,) = cross_check([service_account("prod", "api", arn("r-web"))], "dev", set(), locate)
    assert (finding.id, finding.resource) == ("CG_K8S_012", "ServiceAccount/prod/api")
    assert "r-api" in finding.message


def test_role_without_its_service_account_fails(tmp_path: Path) -> None:
    locate = synth_locator(
        {"dev": synth(tmp_path, {"api": {"name": "r-api", "assume_role_policy": trust("prod:api")}})}
    )
    (finding,) = cross_check([], "dev", {"prod"}, locate)
    assert finding.resource == "ServiceAccount/prod/api"
    assert cross_check([], "dev", {"other"}, locate) == []  # namespaces we do not ship are not ours to check


def test_environment_from_label_or_unknown(tmp_path: Path) -> None:
    locate = synth_locator(
        {"dev": synth(tmp_path, {"api": {"name": "r-api", "assume_role_policy": trust("prod:api")}})}
    )
    assert cross_check([service_account("prod", "api", arn("r-api"), env="dev")], "", set(), locate) == []
    (finding,) = cross_check([service_account("prod", "api", arn("r-api"))], "", set(), locate)
    assert "environment is unknown" in finding.message


def test_unusable_stacks_are_errors(tmp_path: Path) -> None:
    tokened = synth(tmp_path, {"api": {"name": "${var.name}", "assume_role_policy": trust("prod:api")}})
    with pytest.raises(CitygateError, match="no literal name"):
        stack_roles(tokened)
    with pytest.raises(CitygateError, match="no synthesized stack"):
        synth_locator({})("prod")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(CitygateError, match="unreadable"):
        stack_roles(broken)
