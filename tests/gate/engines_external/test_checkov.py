"""Checkov's findings come back addressed like ours, with controls; our custom checks fail what they must."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from citygate.engines.base import GateInput
from citygate.engines.checkov import BIN_ENV, CheckovEngine, enclosing_type, kubernetes_address, workflow_address
from citygate.errors import CitygateError
from citygate.findings import Finding
from tests.gate.engines_external.conftest import assert_overlay_judged_as_rendered, gate_input

TIMEOUT = 120.0
# Custom check -> (noncompliant resources it must fail, compliant resources it must pass).
CUSTOM_CHECKS = {
    "CKV_CG_1": (
        {"aws_iam_role.irsa_wildcard_sub", "aws_iam_role.irsa_missing_aud", "aws_iam_role.irsa_any_pod"},
        {"aws_iam_role.irsa_compliant", "aws_iam_role.service_role", "aws_iam_role.irsa_tokens"},
    ),
    "CKV_CG_2": ({"aws_s3_bucket_policy.allows_plain_http"}, {"aws_s3_bucket_policy.tls_only"}),
    "CKV_CG_3": (
        {"aws_wafv2_web_acl.edge_no_rate_limit", "aws_wafv2_web_acl.edge_no_common_rules"},
        {"aws_wafv2_web_acl.edge_compliant"},
    ),
    "CKV_CG_4": (
        {"aws_security_group.ssh_world", "aws_security_group_rule.all_world"},
        {"aws_security_group.web_https"},
    ),
    "CKV_CG_5": ({"aws_eks_cluster.partial_logs"}, {"aws_eks_cluster.all_logs"}),
}
# Trust policies referring to the OIDC provider's ARN are known only after apply: Checkov cannot judge
# them in a full plan (the synthesized JSON can, and Rego judges the plan through its configuration).
# A plan without `planned_values` is staged from the inventory, which keeps the configuration's policy
# template for such a value, so Checkov judges it there.
UNKNOWN_IN_PLAN = {"aws_iam_role.irsa_any_pod"}


@pytest.fixture(scope="module")
def checkov_findings() -> dict[str, list[Finding]]:
    """One Checkov run per input kind, shared by the module, run side by side as the gate runs engines."""
    kinds = ("plan", "old_plan", "synth", "k8s", "overlay", "workflows")
    with ThreadPoolExecutor(len(kinds)) as pool:
        runs = {kind: pool.submit(CheckovEngine().run, gate_input(kind), TIMEOUT) for kind in kinds}
    return {kind: run.result() for kind, run in runs.items()}


@pytest.mark.parametrize("kind", ["plan", "old_plan", "synth"])
@pytest.mark.parametrize("check_id", sorted(CUSTOM_CHECKS))
def test_custom_checks_fail_noncompliant_and_pass_compliant(
    checkov_findings: dict[str, list[Finding]], kind: str, check_id: str
) -> None:
    failed = {f.resource for f in checkov_findings[kind] if f.id == check_id}
    noncompliant, compliant = CUSTOM_CHECKS[check_id]
    assert failed == (noncompliant - UNKNOWN_IN_PLAN if kind == "plan" else noncompliant)
    assert not failed & compliant


@pytest.mark.parametrize("kind", ["plan", "synth"])
def test_terraform_findings_use_inventory_addresses(checkov_findings: dict[str, list[Finding]], kind: str) -> None:
    known = {r.address for r in gate_input(kind).inventory.resources}
    assert checkov_findings[kind]
    assert {f.resource for f in checkov_findings[kind]} <= known  # never `resource.NAME`


def test_a_plan_without_planned_values_is_judged_like_a_full_one(checkov_findings: dict[str, list[Finding]]) -> None:
    def verdicts(kind: str) -> set[tuple[str, str]]:
        return {(f.id, f.resource) for f in checkov_findings[kind]}

    assert verdicts("old_plan") == verdicts("plan") | {("CKV_CG_1", r) for r in UNKNOWN_IN_PLAN}
    assert {f.file for f in checkov_findings["old_plan"]} == {str(gate_input("old_plan").path)}


def test_findings_carry_controls_titles_and_fixes(checkov_findings: dict[str, list[Finding]]) -> None:
    by_key = {(f.id, f.resource): f for f in checkov_findings["plan"]}
    encryption = by_key["CKV_AWS_145", "aws_s3_bucket.raw"]
    assert (encryption.controls, encryption.status, encryption.engine) == (["CG-ENC-1"], "fail", "checkov")
    replication = by_key["CKV_AWS_144", "aws_s3_bucket.raw"]  # no control: the gate's catalogue decides
    assert (replication.controls, replication.status) == ([], "fail")
    assert encryption.file.endswith("plan.json") and encryption.title
    assert "aws:SecureTransport" in by_key["CKV_CG_2", "aws_s3_bucket_policy.allows_plain_http"].fix


def test_kubernetes_findings_are_kind_namespace_name(checkov_findings: dict[str, list[Finding]]) -> None:
    resources = {f.resource for f in checkov_findings["k8s"]}
    assert "Deployment/inference/api" in resources
    assert all(r.count("/") in (1, 2) and "." not in r.split("/")[0] for r in resources)


def test_an_overlay_is_judged_as_rendered_and_reported_at_its_source(
    checkov_findings: dict[str, list[Finding]],
) -> None:
    assert_overlay_judged_as_rendered(checkov_findings, "CKV_K8S_43")


def test_workflow_findings_name_the_workflow_and_job(checkov_findings: dict[str, list[Finding]]) -> None:
    resources = {f.resource for f in checkov_findings["workflows"]}
    assert resources and resources <= {"Workflow/pr.yml", "Workflow/pr.yml/jobs/build"}
    assert all(f.file.endswith("data/workflows/pr.yml") for f in checkov_findings["workflows"])


def test_address_mapping_rules() -> None:
    known = {"Deployment/inference/api", "ClusterRoleBinding/admins"}
    assert kubernetes_address("Deployment.inference.api", known) == "Deployment/inference/api"
    assert kubernetes_address("Pod.inference.api.app-api", known) == "Deployment/inference/api"
    assert kubernetes_address("ClusterRoleBinding.default.admins", known) == "ClusterRoleBinding/admins"
    assert workflow_address("jobs(deploy).steps[1]", "/x/release.yml") == "Workflow/release.yml/jobs/deploy"
    assert workflow_address("on(release)", "/x/release.yml") == "Workflow/release.yml"


def test_a_name_shared_by_two_types_is_resolved_by_position() -> None:
    lines = (
        "{",
        '  "resource": {',
        '    "aws_s3_bucket": {',
        '      "raw": {',
        "      }",
        "    },",
        '    "aws_kms_key": {',
        '      "raw": {',
        "      }",
        "    }",
    )
    assert enclosing_type(lines, 8, ["aws_s3_bucket", "aws_kms_key"]) == "aws_kms_key"
    assert enclosing_type(lines, 4, ["aws_s3_bucket", "aws_kms_key"]) == "aws_s3_bucket"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("exit 3", "exited with code 3"),
        ("echo 'Traceback (most recent call last):'; exit 1", "unparseable report"),
        ('echo \'{"passed": 0, "failed": 0, "resource_count": 0}\'', "found nothing it could scan"),
        (
            'echo \'{"check_type": "terraform", "results": {"failed_checks": [], "parsing_errors": ["x.json"]},'
            ' "summary": {"parsing_errors": 1}}\'',
            "could not parse 1 file",
        ),
        ("sleep 5", "timed out"),
        (
            "echo \"[ERROR]  Cannot load external check 'cg_s3_tls_only' from x.py\" >&2;"
            ' echo \'{"check_type": "terraform_plan", "results": {"failed_checks": []}, "summary": {}}\'',
            "Cannot load external check 'cg_s3_tls_only'",
        ),
    ],
    ids=["crash", "garbage", "nothing-scanned", "parse-error", "timeout", "custom-check-not-loaded"],
)
def test_checkov_failures_fail_closed(
    monkeypatch: pytest.MonkeyPatch, fake_tool: Callable[[str], Path], body: str, error: str
) -> None:
    monkeypatch.setenv(BIN_ENV, str(fake_tool(body)))
    with pytest.raises(CitygateError, match=error):
        CheckovEngine().run(gate_input("plan"), timeout=1.0)


def test_a_missing_checkov_fails_closed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(BIN_ENV, str(tmp_path / "no-checkov"))
    with pytest.raises(CitygateError, match="not an executable"):
        CheckovEngine().run(gate_input("plan"), TIMEOUT)


def test_an_unknown_input_kind_fails_closed() -> None:
    source = gate_input("plan")
    source.inventory.kind = "helm"  # type: ignore[assignment]
    with pytest.raises(CitygateError, match="cannot judge input kind"):
        CheckovEngine().run(GateInput(source.inventory, source.path), TIMEOUT)
