"""Trivy's findings come back addressed like ours, with controls, and every failure fails closed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from citygate.engines.base import GateInput
from citygate.engines.staging import Staged
from citygate.engines.trivy import BIN_ENV, Addressing, TrivyEngine, trivy_names
from citygate.errors import CitygateError
from citygate.findings import Finding
from citygate.inputs import load_plan
from citygate.model import Inventory, Resource
from tests.corpus import PLANS
from tests.gate.engines_external.conftest import assert_overlay_judged_as_rendered, gate_input

TIMEOUT = 60.0
CORPUS_MODULE_PLAN = PLANS / "aquasecurity__trivy__module-call.json"


@pytest.fixture(scope="module")
def trivy_findings() -> dict[str, list[Finding]]:
    return {kind: TrivyEngine().run(gate_input(kind), TIMEOUT) for kind in ("plan", "old_plan", "k8s", "overlay")}


def test_plan_findings_use_inventory_addresses_and_controls(trivy_findings: dict[str, list[Finding]]) -> None:
    known = {r.address for r in gate_input("plan").inventory.resources}
    findings = {(f.id, f.resource): f for f in trivy_findings["plan"]}
    assert {resource for _, resource in findings} <= known
    cmk = findings["AWS-0132", "aws_s3_bucket.raw"]
    assert (cmk.controls, cmk.status, cmk.engine) == (["CG-ENC-1"], "fail", "trivy") and cmk.fix
    logging = findings["AWS-0089", "aws_s3_bucket.raw"]
    assert (logging.controls, logging.status) == (["CG-AUD-5"], "fail")
    assert ("AWS-0038", "aws_eks_cluster.partial_logs") in findings
    assert ("AWS-0038", "aws_eks_cluster.all_logs") not in findings


def test_resources_linked_by_values_known_after_apply_say_so_and_still_fail(
    trivy_findings: dict[str, list[Finding]],
) -> None:
    secrets_encryption = {f.resource: f for f in trivy_findings["plan"] if f.id == "AWS-0039"}
    # The OIDC provider's url is the all_logs cluster's issuer, known only after apply: Trivy cannot
    # see that link and says so; the finding still fails unless our policy proves the control.
    linked = secrets_encryption["aws_eks_cluster.all_logs"]
    assert linked.status == "fail" and "linked by values known only after apply" in linked.message
    assert secrets_encryption["aws_eks_cluster.partial_logs"].status == "fail"


def test_a_plan_without_planned_values_is_judged_like_a_full_one(trivy_findings: dict[str, list[Finding]]) -> None:
    def verdicts(kind: str) -> set[tuple[str, str, str]]:
        return {(f.id, f.resource, f.file) for f in trivy_findings[kind]}

    old_plan = str(gate_input("old_plan").path)
    assert verdicts("old_plan") == {(i, r, old_plan) for i, r, _ in verdicts("plan")}


def test_kubernetes_findings_are_located_by_manifest_document(trivy_findings: dict[str, list[Finding]]) -> None:
    resources = {f.id: f.resource for f in trivy_findings["k8s"]}
    assert resources["KSV-0017"] == "Deployment/inference/api"  # privileged container
    assert resources["KSV-0111"] == "ClusterRoleBinding/everyone-admin"  # cluster-scoped


def test_an_overlay_is_judged_as_rendered_and_reported_at_its_source(trivy_findings: dict[str, list[Finding]]) -> None:
    assert_overlay_judged_as_rendered(trivy_findings, "KSV-0013")


def test_renamed_module_and_count_resources_map_back_to_plan_addresses() -> None:
    def resource(address: str, name: str, module: str = "") -> Resource:
        return Resource(address=address, type="aws_s3_bucket", name=name, values={}, module=module)

    inventory = Inventory(
        kind="terraform",
        source="plan",
        resources=[
            resource('module.sg["bad"].aws_s3_bucket.b', "b", 'module.sg["bad"]'),
            resource("aws_s3_bucket.one[0]", "one"),
            resource("aws_s3_bucket.two[0]", "two"),
            resource("aws_s3_bucket.two[1]", "two"),
        ],
    )
    addressing = Addressing(Staged(Path("plan.json")), trivy_names(inventory))
    # Trivy names a module's resource NAME_<md5 of the module address> and drops instance keys.
    md5_of_module = "32a03e7b1cb913c8ec0abe8f79c3af80"  # md5('module.sg["bad"]')
    assert addressing.terraform_address(f"aws_s3_bucket.b_{md5_of_module}") == 'module.sg["bad"].aws_s3_bucket.b'
    assert addressing.terraform_address("aws_s3_bucket.unknown") == "aws_s3_bucket.unknown"
    assert addressing.terraform_address("aws_s3_bucket.one") == "aws_s3_bucket.one[0]"
    assert addressing.terraform_address("aws_s3_bucket.two") == "aws_s3_bucket.two"  # the block: both instances


def test_a_real_module_plan_is_addressed_by_plan_address() -> None:
    inventory = load_plan(CORPUS_MODULE_PLAN)
    findings = TrivyEngine().run(GateInput(inventory, CORPUS_MODULE_PLAN), TIMEOUT)
    assert findings
    assert {f.resource for f in findings} == {"module.s3_bucket.aws_s3_bucket.main"}


@pytest.mark.parametrize("kind", ["workflows", "synth"])
def test_workflows_and_synthesized_json_are_not_trivy_inputs(kind: str) -> None:
    source = gate_input(kind)
    assert not TrivyEngine.supports(source.inventory)
    with pytest.raises(CitygateError, match="Trivy does not judge"):
        TrivyEngine().run(source, TIMEOUT)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("echo 'FATAL config scan error' >&2; exit 1", "exited with code 1: FATAL config scan error"),
        ("echo 'not json'", "unparseable report"),
        ('echo \'{"SchemaVersion": 2, "Results": null}\'', "found nothing it could scan"),
        (
            'echo \'{"SchemaVersion": 2, "Results": [{"Target": "x", "Misconfigurations": [{"Status": "FAIL"}]}]}\'',
            "unexpected report shape",
        ),
        ("sleep 5", "timed out"),
    ],
    ids=["crash", "garbage", "nothing-scanned", "wrong-shape", "timeout"],
)
def test_trivy_failures_fail_closed(
    monkeypatch: pytest.MonkeyPatch, fake_tool: Callable[[str], Path], body: str, error: str
) -> None:
    monkeypatch.setenv(BIN_ENV, str(fake_tool(body)))
    with pytest.raises(CitygateError, match=error):
        TrivyEngine().run(gate_input("plan"), timeout=1.0)
