"""A noncompliant fixture per workload control (and per Pod Security Standard rule): `check --k8s`
exits 1 naming the rule and the object; our overlays and the compliant fixtures exit 0; unreadable
manifests exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from probes import EXCEPTED, FIXTURES

from citygate import cli
from citygate.k8s import irsa
from citygate.paths import WORKLOADS

# fixture -> (rule id, control, the object the finding must name)
EXPECTED = {
    "psa-baseline": ("CG_K8S_001", "CG-K8S-1", "Namespace/production"),
    "runs-as-root": ("CG_K8S_002", "CG-K8S-2", "Deployment/production/api"),
    "writable-root-fs": ("CG_K8S_003", "CG-K8S-3", "Deployment/production/web"),
    "privilege-escalation": ("CG_K8S_004", "CG-K8S-4", "Deployment/production/inference"),
    "host-network": ("CG_K8S_005", "CG-K8S-4", "Deployment/data-pipeline/airflow-webserver"),
    "windows-host-process": ("CG_K8S_031", "CG-K8S-4", "Deployment/production/web"),
    "host-port": ("CG_K8S_034", "CG-K8S-4", "Deployment/production/inference"),
    "added-capability": ("CG_K8S_006", "CG-K8S-5", "CronJob/data-pipeline/extract"),
    "seccomp-unconfined": ("CG_K8S_007", "CG-K8S-6", "Deployment/data-pipeline/airflow-scheduler"),
    "no-limits": ("CG_K8S_008", "CG-K8S-7", "Deployment/production/web"),
    "image-by-tag": ("CG_K8S_009", "CG-K8S-8", "CronJob/data-pipeline/load"),
    "default-service-account": ("CG_K8S_010", "CG-K8S-9", "CronJob/data-pipeline/transform"),
    "missing-role-annotation": ("CG_K8S_011", "CG-K8S-9", "ServiceAccount/production/inference"),
    "irsa-drift": ("CG_K8S_012", "CG-K8S-9", "ServiceAccount/production/api"),
    "token-mounted": ("CG_K8S_013", "CG-K8S-10", "Deployment/production/inference"),
    "cluster-admin-binding": ("CG_K8S_014", "CG-K8S-11", "ClusterRoleBinding/api-admin"),
    "wildcard-role": ("CG_K8S_015", "CG-K8S-11", "Role/production/api-reader"),
    "no-default-deny": ("CG_K8S_016", "CG-K8S-12", "Namespace/data-pipeline"),
    "unisolated-workload": ("CG_K8S_017", "CG-K8S-12", "Deployment/sandbox/debug"),
    "web-reaches-inference": ("CG_K8S_020", "CG-K8S-12", "Deployment/production/inference"),
    "api-cannot-reach-inference": ("CG_K8S_021", "CG-K8S-12", "Deployment/production/inference"),
    "http-listener": ("CG_K8S_018", "CG-K8S-13", "Ingress/production/citygate"),
    "no-waf": ("CG_K8S_019", "CG-K8S-13", "Ingress/production/citygate"),
    "pdb-misses-pods": ("CG_K8S_022", "CG-K8S-14", "Deployment/production/api"),
    "hpa-misses-deployment": ("CG_K8S_023", "CG-K8S-14", "Deployment/production/web"),
    "field-typo": ("CG_K8S_030", "CG-K8S-15", "Deployment/production/api"),
    "api-no-longer-served": ("CG_K8S_030", "CG-K8S-15", "PodDisruptionBudget/production/web"),
    "apparmor-unconfined": ("CG_K8S_035", "CG-K8S-16", "Deployment/data-pipeline/airflow-webserver"),
    "selinux-custom-type": ("CG_K8S_036", "CG-K8S-16", "Deployment/data-pipeline/airflow-scheduler"),
    "proc-mount-unmasked": ("CG_K8S_037", "CG-K8S-16", "CronJob/data-pipeline/transform"),
    "unsafe-sysctl": ("CG_K8S_038", "CG-K8S-16", "Deployment/production/api"),
    "host-path-volume": ("CG_K8S_032", "CG-K8S-17", "Deployment/production/api"),
    "restricted-volume-type": ("CG_K8S_033", "CG-K8S-17", "CronJob/data-pipeline/extract"),
    "committed-secret": ("CG_K8S_039", "CG-K8S-18", "Secret/production/aws-credentials"),
}


@pytest.fixture
def stacks_synthesized(synth_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The IRSA cross-check reads the session's synthesized stacks instead of synthesizing again."""
    monkeypatch.setattr(irsa, "SYNTH_OUT", synth_dir)


def check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = cli.main(["check", "--k8s", str(path), "--engines", "rego,schema,reachability,irsa", "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if code in (0, 1) else {}


def test_every_control_has_a_noncompliant_fixture() -> None:
    from citygate.controls import load_catalogue

    workload_controls = {c.id for c in load_catalogue() if c.id.startswith("CG-K8S-")}
    assert workload_controls == {control for _, control, _ in EXPECTED.values()}
    assert {p.name for p in (FIXTURES / "noncompliant").iterdir()} == set(EXPECTED)


@pytest.mark.usefixtures("stacks_synthesized")
@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_noncompliant_fixture_fails_the_gate(fixture: str, capsys: pytest.CaptureFixture[str]) -> None:
    rule, control, resource = EXPECTED[fixture]
    code, report = check(FIXTURES / "noncompliant" / fixture, capsys)
    assert code == 1
    failing = {(f["id"], f["resource"]) for f in report["findings"] if f["status"] == "fail"}
    assert (rule, resource) in failing
    assert any(control in f["controls"] for f in report["findings"] if f["id"] == rule)


@pytest.mark.usefixtures("stacks_synthesized")
def test_our_workloads_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = check(WORKLOADS, capsys)
    unresolved = [f for f in report["findings"] if f["status"] in ("fail", "warn") and not f["resolution"]]
    assert (code, unresolved) == (0, [])
    excepted = {(f["exception"], f["id"], f["resource"]) for f in report["findings"] if f["resolution"] == "excepted"}
    assert excepted == EXCEPTED


@pytest.mark.usefixtures("stacks_synthesized")
def test_a_secret_synced_from_secrets_manager_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = check(FIXTURES / "compliant" / "external-secret", capsys)
    assert code == 0
    assert not [f for f in report["findings"] if f["id"] == "CG_K8S_039"]


@pytest.mark.parametrize("name", ["unparseable.yaml", "not-an-object.yaml"])
def test_unreadable_manifests_are_an_error(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["check", "--k8s", str(FIXTURES / "invalid" / name), "--engines", "rego"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and name in err
