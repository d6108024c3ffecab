"""CG-IAM-9's scenario, on the recorded fixtures a reviewer reads (tests/fixtures/bdd/recorded-*): it passes
and lists the unused grant on the compliant record, fails on the call the policy lacks, and the gate
blocks that same record; without a record there is nothing to check."""

from __future__ import annotations

from pathlib import Path

import pytest

from citygate.bdd.runner import run_scenario
from citygate.cli import main
from citygate.leastpriv.inventory import recorded_inventory
from citygate.model import Inventory
from citygate.paths import ROOT
from tests.leastpriv.conftest import cg_iam_9

FIXTURES = ROOT / "tests" / "fixtures" / "bdd"
ROLE = "aws_iam_role.workload"


def record(name: str) -> tuple[Path, Path]:
    return FIXTURES / name / "plan.json", FIXTURES / name / "calls.jsonl"


def test_the_compliant_record_passes_and_lists_the_grant_no_call_used() -> None:
    outcome = run_scenario(cg_iam_9().scenario, recorded_inventory(*record("recorded-compliant")))
    assert outcome.status == "passed", outcome.message
    warnings = [o["seen"] for o in outcome.evidence[-1]["observations"]]
    assert len(warnings) == 1 and "grants s3:ListBucket on arn:aws:s3:::citygate-local-models" in warnings[0]


def test_a_call_the_policy_lacks_fails_the_scenario_naming_the_role() -> None:
    outcome = run_scenario(cg_iam_9().scenario, recorded_inventory(*record("recorded-noncompliant")))
    assert outcome.status == "failed"
    assert outcome.step == 'Then "calls its policies deny" must be empty'
    assert (
        f"{ROLE}: " in outcome.message
        and "s3:PutObject on arn:aws:s3:::citygate-local-models/models/" in outcome.message
    )


@pytest.mark.parametrize(("name", "code"), [("recorded-compliant", 0), ("recorded-noncompliant", 1)])
def test_the_gate_judges_the_same_records_alike(name: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    plan, calls = record(name)
    assert main(["check", "--plan", str(plan), "--calls", str(calls), "--engines", "leastpriv"]) == code
    out = capsys.readouterr().out
    assert ("CG_IAM_005" in out) is (code == 1)  # the denied call
    assert "CG_IAM_006" in out  # the unused grant, a warning either way


def test_without_a_record_there_is_nothing_to_check() -> None:
    outcome = run_scenario(cg_iam_9().scenario, Inventory("terraform", "recorded", [], "no record of AWS calls"))
    assert outcome.status == "skipped", outcome.message
    assert "nothing to check" in outcome.message


def test_a_repeated_request_is_one_row_with_its_count(tmp_path: Path) -> None:
    """IAM judges a repeated request alike: the scenario reads each distinct request once, counted."""
    plan, calls = record("recorded-compliant")
    line = calls.read_text().strip()
    repeated = tmp_path / "calls.jsonl"
    repeated.write_text("\n".join([line] * 3) + "\n")
    recorded = [r for r in recorded_inventory(plan, repeated).resources if r.type == "aws_call"]
    assert [r.values["count"] for r in recorded] == [3]
    outcome = run_scenario(cg_iam_9().scenario, recorded_inventory(plan, repeated))
    assert outcome.status == "passed", outcome.message
