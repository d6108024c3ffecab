"""The gate blocks at least whatever its scanners would block on their own, proved on real plans.

Each plan (the real-world corpus, and every configuration of tests/corpus/misconfigured planned for
real) is judged by Checkov alone and Trivy alone, through the gate's own engine classes, and then by
the full gate with its default engines and the project's exception register, the two scanners'
runs being those same standalone runs (so each scanner runs once per plan).  A scanner on its
own blocks on any failed check: at the default threshold (`low`) every severity Trivy reports
blocks, and Checkov reports none offline.  Wherever one does, the gate must exit 1, and every
finding it would block must be in the gate's report, failing or resolved (dismissed, excepted, not
applicable) with a reason a reviewer reads.  Trivy names some findings on a resource or on a
companion that names it (a bucket, or its encryption configuration), run by run: a finding counts
as reported under any address a reference of the plan joins to its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from citygate.engines.base import GateInput
from citygate.engines.checkov import CheckovEngine
from citygate.engines.trivy import TrivyEngine
from citygate.findings import Finding, GateReport, Severity
from citygate.gate import DEFAULT_ENGINES, DEFAULT_TIMEOUT, run_gate
from citygate.inputs import load_plan
from citygate.model import Inventory
from citygate.paths import EXCEPTIONS_FILE
from tests.corpus import PLANS

SCANNERS = (CheckovEngine, TrivyEngine)
CORPUS_PLANS = sorted(PLANS.glob("*.json"))


@dataclass(frozen=True)
class Verdict:
    """One plan as each scanner alone and the whole gate judge it."""

    case: str
    alone: dict[str, list[Finding]]  # scanner -> the failed checks it reports on its own
    report: GateReport
    joined: dict[str, set[str]]  # see `joined`

    @property
    def blocked_alone(self) -> list[Finding]:
        return [finding for found in self.alone.values() for finding in found]

    def row(self) -> str:
        counts = "".join(f"{len(self.alone[scanner.name]):>9}" for scanner in SCANNERS)
        return f"{self.case:<72}{counts}{self.report.exit_code:>6}"


def table(verdicts: Iterable[Verdict]) -> str:
    """case, failed checks each scanner blocks on alone, gate exit: legible in a failure message."""
    header = f"{'case':<72}" + "".join(f"{scanner.name:>9}" for scanner in SCANNERS) + f"{'gate':>6}"
    return "\n".join([header, *(verdict.row() for verdict in verdicts)])


def joined(inventory: Inventory) -> dict[str, set[str]]:
    """address -> the addresses a reference joins to it, either way (itself included)."""
    links: dict[str, set[str]] = {r.address: {r.address} for r in inventory.resources}
    for resource in inventory.resources:
        for target in {a for targets in resource.references.values() for a in targets}:
            links[resource.address].add(target)
            links.setdefault(target, {target}).add(resource.address)
    return links


def unaccounted(blocked: Sequence[Finding], report: GateReport, links: Mapping[str, set[str]]) -> list[Finding]:
    """The findings a scanner blocks on alone that the gate neither fails nor resolves with a reason.

    A scanner finding that repeats one of the gate's failing findings (each of its controls failed
    on the same resource) is accounted for: the gate reports that failure once.
    """
    failing = report.failing()
    resolved = [f for f in report.findings if f.resolved and f.reason]
    standing = {(f.engine, f.id, f.resource) for f in [*failing, *resolved]}
    failed_controls = {(control, f.resource) for f in failing for control in f.controls}
    return [
        finding
        for finding in blocked
        if not any((finding.engine, finding.id, a) in standing for a in links.get(finding.resource, {finding.resource}))
        and not (finding.controls and all((c, finding.resource) in failed_controls for c in finding.controls))
    ]


@dataclass(frozen=True, eq=False)
class Recorded:
    """A scanner's standalone findings, handed to the gate as that scanner's run (each scanner runs
    once per plan: the gate weighs exactly what the scanner alone reported)."""

    name: str
    findings: list[Finding]
    ours: bool = False

    def supports(self, inventory: Inventory) -> bool:
        return True

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        return list(self.findings)


def judge(case: str, plan: Path) -> Verdict:
    inventory = load_plan(plan)
    alone = {
        scanner.name: scanner().run(GateInput(inventory=inventory, path=plan), DEFAULT_TIMEOUT) for scanner in SCANNERS
    }
    engines = [name if name not in alone else Recorded(name, alone[name]) for name in DEFAULT_ENGINES]
    report = run_gate(inventory, plan, engines, exceptions=EXCEPTIONS_FILE)
    return Verdict(case, alone, report, joined(inventory))


@pytest.fixture(scope="module")
def verdicts(misconfigured_plans: dict[str, Path]) -> list[Verdict]:
    """Every misconfigured case, then every corpus plan, judged concurrently (the engines are processes)."""
    plans = {**misconfigured_plans, **{plan.stem: plan for plan in CORPUS_PLANS}}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="parity") as pool:
        return list(pool.map(judge, plans, plans.values()))


@pytest.mark.e2e
def test_the_gate_exits_1_wherever_a_scanner_alone_blocks(verdicts: list[Verdict]) -> None:
    print(table(verdicts))
    passed = [verdict.case for verdict in verdicts if verdict.blocked_alone and verdict.report.exit_code != 1]
    assert passed == [], table(verdicts)


@pytest.mark.e2e
def test_every_finding_a_scanner_blocks_is_failing_or_resolved_with_a_reason(verdicts: list[Verdict]) -> None:
    lost = [
        f"{verdict.case}: {finding.engine} {finding.id} on {finding.resource}"
        for verdict in verdicts
        for finding in unaccounted(verdict.blocked_alone, verdict.report, verdict.joined)
    ]
    assert lost == [], "\n".join(lost)


@pytest.mark.e2e
def test_a_scanner_alone_blocks_every_misconfigured_case(
    verdicts: list[Verdict], misconfigured_plans: dict[str, Path]
) -> None:
    unseen = [verdict.case for verdict in verdicts if verdict.case in misconfigured_plans and not verdict.blocked_alone]
    assert unseen == [], table(verdicts)  # a case no scanner blocks proves nothing about parity


BUCKET = "aws_s3_bucket.data"
ENCRYPTION = "aws_s3_bucket_server_side_encryption_configuration.data"  # names BUCKET
LINKS = {BUCKET: {BUCKET, ENCRYPTION}, ENCRYPTION: {ENCRYPTION, BUCKET}}


def _finding(
    engine: str, rule: str, controls: list[str], status: str = "fail", resource: str = BUCKET, **resolved: str
) -> Finding:
    return Finding(rule, rule, Severity.HIGH, status, resource, "message", engine, controls=controls, **resolved)


def _report(*findings: Finding) -> GateReport:
    return GateReport(target="plan.json", kind="terraform", findings=list(findings))


SCANNER_FINDING = _finding("trivy", "AWS-0132", ["CG-ENC-1"])


@pytest.mark.parametrize(
    "report",
    [
        _report(SCANNER_FINDING),
        _report(_finding("trivy", "AWS-0132", ["CG-ENC-1"], resolution="dismissed", reason="CG_S3_001: kms key set")),
        _report(_finding("trivy", "AWS-0132", ["CG-ENC-1"], resolution="excepted", reason="accepted until 2027")),
        _report(_finding("rego", "CG_S3_001", ["CG-ENC-1"])),
        _report(_finding("trivy", "AWS-0132", ["CG-ENC-1"], resource=ENCRYPTION)),
    ],
    ids=["failing", "dismissed-with-evidence", "excepted-with-reason", "repeats-our-failure", "named-on-a-companion"],
)
def test_a_blocked_finding_the_gate_fails_or_resolves_is_accounted_for(report: GateReport) -> None:
    assert unaccounted([SCANNER_FINDING], report, LINKS) == []


@pytest.mark.parametrize(
    "report",
    [
        _report(),
        _report(_finding("trivy", "AWS-0132", ["CG-ENC-1"], status="warn")),
        _report(_finding("trivy", "AWS-0132", ["CG-ENC-1"], resolution="dismissed")),
        _report(_finding("rego", "CG_S3_002", ["CG-DP-1"])),
        _report(_finding("trivy", "AWS-0132", ["CG-ENC-1"], resource="aws_s3_bucket.other")),
    ],
    ids=["dropped", "demoted-to-warning", "dismissed-without-reason", "other-control-fails", "other-resource-fails"],
)
def test_a_blocked_finding_the_gate_lost_is_named(report: GateReport) -> None:
    assert unaccounted([SCANNER_FINDING], report, LINKS) == [SCANNER_FINDING]
