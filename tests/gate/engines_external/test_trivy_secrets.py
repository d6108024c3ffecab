"""Trivy's secret scanner on manifests: a committed credential blocks, addressed by the object holding it."""

from __future__ import annotations

from pathlib import Path

import pytest

from citygate.engines.base import GateInput
from citygate.engines.trivy import TrivyEngine, command
from citygate.findings import Finding
from citygate.k8s import load_manifests

TIMEOUT = 60.0
# Built here, not committed as one string, so repository secret scanners do not flag the test itself.
ACCESS_KEY_ID = "AKIA" + "Q3EGV7RZTXK4PLMW"
SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYZXCVBNMQWE"
NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n"
SECRET = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: aws-creds\n  namespace: demo\ntype: Opaque\n"


def scan(folder: Path, manifest: str) -> list[Finding]:
    folder.mkdir()
    (folder / "manifests.yaml").write_text(manifest, encoding="utf-8")
    return TrivyEngine().run(GateInput(load_manifests(folder), folder), TIMEOUT)


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    values = f"stringData:\n  AWS_ACCESS_KEY_ID: {ACCESS_KEY_ID}\n  AWS_SECRET_ACCESS_KEY: {SECRET_ACCESS_KEY}\n"
    return scan(tmp_path_factory.mktemp("committed") / "k8s", f"{NAMESPACE}---\n{SECRET}{values}")


def test_a_committed_aws_key_pair_fails_on_the_secret_holding_it(committed: list[Finding]) -> None:
    secrets = {f.id: f for f in committed if f.controls == ["CG-K8S-18"]}
    assert set(secrets) == {"aws-access-key-id", "aws-secret-access-key"}
    for finding in secrets.values():
        assert (finding.status, finding.resource, finding.engine) == ("fail", "Secret/demo/aws-creds", "trivy")
        assert finding.severity.name == "CRITICAL"
        assert finding.file.endswith("manifests.yaml")


def test_the_report_never_repeats_the_credential(committed: list[Finding]) -> None:
    for finding in committed:
        text = " ".join((finding.title, finding.message, finding.fix))
        assert ACCESS_KEY_ID not in text and SECRET_ACCESS_KEY not in text


def test_a_manifest_without_credentials_has_no_secret_finding(tmp_path: Path) -> None:
    found = scan(tmp_path / "k8s", f"{NAMESPACE}---\n{SECRET}")
    assert [f for f in found if f.controls == ["CG-K8S-18"]] == []


def test_secrets_are_searched_in_manifests_only() -> None:
    manifests = command(Path("trivy"), Path("in"), "kubernetes", secrets=True)
    plan = command(Path("trivy"), Path("in"), "terraformplan-json")
    assert manifests[1:4] == ["fs", "--scanners", "misconfig,secret"] and "--skip-check-update" in manifests
    assert plan[1] == "config" and "secret" not in " ".join(plan)
