"""Evidence per environment and the statuses built on it: a missing file is "not run", a vacuous run is
"skipped", neither is ever "passed"; a failing finding fails its control and the requirements naming it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citygate.controls import load_catalogue
from citygate.errors import CitygateError
from citygate.livingdoc.evidence import load_evidence, where_live_ran
from citygate.livingdoc.exports import CSV_COLUMNS, csv_rows
from citygate.livingdoc.matrix import ControlRow, RequirementRow, build_rows
from citygate.livingdoc.requirements import Requirement
from citygate.livingdoc.results import Run
from tests.report.evidence_files import write_evidence

CATALOGUE = {c.id: c for c in load_catalogue()}


@pytest.fixture(scope="module")
def evidence_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("evidence")
    return write_evidence(root / "reports", root / "work")


def test_missing_files_are_not_run(evidence_dir: Path) -> None:
    evidence = load_evidence(evidence_dir)
    assert evidence.environments["local"].gate is not None and evidence.environments["dev"].gate is not None
    for env in ("staging", "prod"):
        view = evidence.environments[env]
        assert (view.gate, view.live, view.workloads, view.loadtest) == (None, None, None, None)
    assert evidence.environments["dev"].live is None  # only local was applied
    assert load_evidence(None).environments["local"].gate is None


def test_plan_digest_and_where_live_ran(evidence_dir: Path) -> None:
    local = load_evidence(evidence_dir).environments["local"]
    assert len(local.plan_digest) == 64
    assert local.where.startswith("embedded AWS (moto) at http://127.0.0.1:4566 - simulated")
    assert where_live_ran("prod (https://sts.eu-west-1.amazonaws.com)", "123456789012", "eu-west-1")[1].startswith(
        "AWS account 123456789012 region eu-west-1"
    )
    assert where_live_ran("prod (AWS)")[1].startswith("real AWS")


def test_an_unreadable_evidence_file_fails_closed(tmp_path: Path) -> None:
    (tmp_path / "dev-gate.json").write_text("{not json")
    with pytest.raises(CitygateError, match="unreadable evidence"):
        load_evidence(tmp_path)
    (tmp_path / "dev-gate.json").write_text(json.dumps({"findings": []}))
    with pytest.raises(CitygateError, match="not a gate report"):
        load_evidence(tmp_path)


def _run(status: str, target: str = "plan-local") -> Run:
    return Run("t", "f.feature", 1, {}, target, status, "nothing to check" if status == "skipped" else "")


def _rows(
    evidence_dir: Path | None, runs: dict[str, list[Run]], requirements: list[Requirement]
) -> tuple[list[RequirementRow], list[ControlRow]]:
    controls = [CATALOGUE[c] for c in ("CG-ENC-1", "CG-DP-2", "CG-AUD-5", "CG-K8S-2", "CG-CICD-1")]
    return build_rows(requirements, controls, runs, {}, load_evidence(evidence_dir))


def test_control_statuses_per_environment(evidence_dir: Path) -> None:
    _, rows = _rows(evidence_dir, {"CG-CICD-1": [_run("skipped", "workflows")]}, [])
    status = {(r.control.id, env): cell.status for r in rows for env, cell in r.cells.items()}
    assert status["CG-DP-2", "local"] == "failed"  # a failing finding
    assert status["CG-AUD-5", "local"] == "excepted"
    assert status["CG-ENC-1", "local"] == "passed" and status["CG-ENC-1", "dev"] == "passed"  # all dismissed
    assert status["CG-ENC-1", "staging"] == "not-run"  # no evidence is never passed
    assert status["CG-K8S-2", "local"] == "passed" and status["CG-K8S-2", "dev"] == "not-run"
    assert status["CG-CICD-1", "prod"] == "skipped"  # a vacuous run is skipped, not passed


def test_a_skipped_run_alone_is_never_passed() -> None:
    _, rows = _rows(None, {"CG-ENC-1": [_run("skipped")]}, [])
    assert rows[0].cells["local"].status == "skipped" and rows[0].cells["dev"].status == "not-run"


def test_requirement_rows_and_csv(evidence_dir: Path) -> None:
    requirements = [
        Requirement("REQ-A-1", "Both must hold", "Design", ("CG-ENC-1", "CG-DP-2")),
        Requirement("REQ-A-2", "Partly judged", "Design", ("CG-ENC-1", "CG-CICD-1")),
        Requirement("REQ-A-3", "Nobody checks it", "Design", not_covered="no control yet, a reviewer checks by hand"),
        Requirement("REQ-A-4", "Not ours", "Design", out_of_scope="the platform has nothing of the kind"),
    ]
    rows, _ = _rows(evidence_dir, {}, requirements)
    assert rows[0].cells["local"].status == "failed" and rows[0].cells["dev"].status == "passed"
    assert rows[0].cells["prod"].status == "not-run"
    assert rows[1].cells["dev"].status == "partial"  # CG-CICD-1 was not judged: never "passed"
    assert [r.status for r in rows[2:]] == ["not-covered", "out-of-scope"]
    table = csv_rows(rows, "report.html", ["local", "dev", "staging", "prod"])
    assert all(tuple(row) == CSV_COLUMNS for row in table)
    assert len(table) == 4 * (2 + 2 + 1 + 1)
    assert {
        "requirement": "REQ-A-1",
        "control": "CG-DP-2",
        "environment": "local",
        "status": "failed",
        "evidence": "report.html#ctl-CG-DP-2-local",
    } in table
    assert {
        "requirement": "REQ-A-3",
        "control": "",
        "environment": "prod",
        "status": "not-covered",
        "evidence": "report.html#REQ-A-3",
    } in table
