"""The living documentation end to end: `main.py report` runs a feature folder through pytest-bdd, reads an
evidence folder as `up` leaves it, and writes the page (plus cucumber JSON, JUnit, report.json, the CSV
and the PDF); headless Chromium renders and prints it.  One report run is shared by the module."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from citygate.livingdoc.exports import CHROMIUM_FLAGS, CSV_COLUMNS, print_pdf
from citygate.livingdoc.provenance import page_hash
from citygate.livingdoc.requirements import load_requirements
from citygate.paths import ROOT
from tests.report.evidence_files import write_evidence

REPORT_FEATURES = ROOT / "tests" / "fixtures" / "bdd" / "report_features"
CHROMIUM = shutil.which("chromium")
STALE_HASH = "0" * 64
PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![s\w])")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make deps installs it)"
)


@pytest.fixture(scope="module")
def features(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A feature folder with a passing, a failing and a vacuous scenario, wired like features/."""
    folder = tmp_path_factory.mktemp("features")
    shutil.copy(REPORT_FEATURES / "data_lake.feature", folder)
    shutil.copy(REPORT_FEATURES / "managed_ml.feature", folder)
    shutil.copy(REPORT_FEATURES / "report_conftest.py", folder / "conftest.py")
    (folder / "test_report_features.py").write_text('from pytest_bdd import scenarios\n\nscenarios(".")\n')
    return folder


@pytest.fixture(scope="module")
def report(features: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    root = tmp_path_factory.mktemp("report")
    evidence = write_evidence(root / "reports", root / "work")
    previous = root / "previous.json"
    gone = {"rule": "CKV_AWS_999", "resource": "aws_s3_bucket.gone", "env": "local", "status": "failing"}
    previous.write_text(
        json.dumps(
            {"report_hash": "1" * 64, "findings": {"CKV_AWS_999|aws_s3_bucket.gone|local": gone}, "exceptions": {}}
        )
    )
    signoff = root / "signoff.yaml"
    signoff.write_text(f"reviewer: Ada Reviewer\ndecision: approved\nreport_hash: '{STALE_HASH}'\ndate: 2026-11-30\n")
    page = root / "out" / "report.html"
    command = [sys.executable, "main.py", "report", "--features", str(features), "--output", str(page)]
    command += ["--evidence", str(evidence), "--since", str(previous), "--signoff", str(signoff)]
    command += ["--csv", str(page.with_name("controls.csv"))]
    command += ["--pdf", str(page.with_name("report.pdf"))] if CHROMIUM else []
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    return done, page


def test_report_exits_1_and_keeps_ci_results(report: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, page = report
    assert done.returncode == 1, done.stdout + done.stderr
    results = page.parent / "report-results"
    cucumber = json.loads((results / "cucumber.json").read_text())
    statuses = {e["name"]: e["steps"][-1]["result"]["status"] for f in cucumber for e in f["elements"]}
    assert statuses == {
        "Every S3 bucket exists in the platform": "passed",
        "Every S3 bucket keeps object versions": "failed",
        "Every SageMaker endpoint configuration is encrypted with our key": "skipped",
    }
    assert "<testcase" in (results / "junit.xml").read_text()


def test_page_shows_scenarios_evidence_coverage_and_gaps(report: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    html = report[1].read_text()
    assert 'class="f scenario failed"' in html and 'class="f scenario passed"' in html
    assert 'class="f scenario skipped"' in html and "nothing to check" in html  # the skip's reason is shown
    assert "aws_s3_bucket_versioning.this[&#34;raw&#34;]" in html  # evidence: the address and value seen
    assert "Suspended" in html
    assert 'href="#control-CG-DP-2"' in html and 'id="control-CG-DP-2"' in html
    assert "no scenario: gap" in html  # every other catalogue control is listed as a gap here
    assert "<details" in html and "@media print" in html and 'id="f-search"' in html and 'id="contents"' in html
    assert html.index("<table") == html.index('<table class="requirements')  # the first table is the matrix


def test_report_json_carries_the_page_hash(report: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    html = report[1].read_text()
    summary = json.loads(report[1].with_suffix(".json").read_text())
    assert re.search(r'id="report-hash" data-volatile="hash">([0-9a-f]{64})<', html)[1] == summary["report_hash"]  # type: ignore[index]
    assert page_hash(html) == summary["report_hash"]  # the stated hash is the page's own
    assert summary["findings"]["CKV_AWS_21|aws_s3_bucket.raw|local"]["status"] == "failing"
    assert summary["findings"]["CKV_AWS_18|aws_s3_bucket.access_logs|local"]["status"] == "excepted"
    assert len(summary["plan_digests"]["local"]) == 64 and summary["plan_digests"]["staging"] == ""
    assert summary["exceptions"]  # the project's register


def test_csv_has_a_row_per_requirement_control_and_environment(
    report: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    with report[1].with_name("controls.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    requirements = load_requirements()
    expected = sum(max(len(r.controls), 1) for r in requirements) * 4
    assert len(rows) == expected
    row = next(r for r in rows if (r["control"], r["environment"]) == ("CG-DP-2", "local"))
    assert row["status"] == "failed" and row["evidence"] == "report.html#ctl-CG-DP-2-local"
    assert {r["status"] for r in rows if r["environment"] == "staging" and r["control"] == "CG-NET-2"} == {"not-run"}
    assert {r["status"] for r in rows if r["requirement"] == "REQ-IAM-4"} == {"not-covered"}


def test_since_shows_new_and_closed_findings(report: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, page = report
    assert re.search(r"report: since .*previous\.json: \d+ new, 1 closed", done.stdout), done.stdout
    html = page.read_text()
    assert 'class="change-closed"' in html and "aws_s3_bucket.gone" in html
    assert 'class="change-new"' in html


def test_a_stale_signoff_is_flagged(report: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, page = report
    assert "warning: the sign-off in" in done.stderr and "does not cover this report" in done.stderr
    assert 'id="signoff-stale"' in page.read_text() and STALE_HASH in page.read_text()


@needs_chromium
def test_chromium_renders_counts_matrix_and_environments(
    report: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    page = report[1]
    flags = [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout

    def count(name: str) -> int:
        return int(re.search(rf'data-count="{name}">(\d+)', html)[1])  # type: ignore[index]

    assert (count("runs_passed"), count("runs_failed"), count("runs_skipped")) == (1, 1, 1)
    requirements = load_requirements()
    assert html.count('class="f requirement"') == len(requirements)
    assert count("requirements_not_covered") == sum(r.disposition == "not covered" for r in requirements) > 0
    assert 'data-status="failed"' in html and "FAILED" in html
    for env in ("local", "dev", "staging", "prod"):
        assert f'id="env-{env}"' in html
    staging = html[html.index('id="env-staging"') : html.index('id="env-prod"')]
    not_run = staging.count("not run, so not passed")
    assert not_run == 5 and "reachability" in staging  # gate, live, workloads, platform, load
    assert "embedded AWS (moto) at http://127.0.0.1:4566 - simulated" in html
    assert 'class="matrix"' in html and "status-open" in html


@needs_chromium
def test_the_filter_hides_what_does_not_match(
    report: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    flags = [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    url = report[1].as_uri() + "?status=failed&env=local"
    dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120).stdout
    rows = re.findall(r'<tr class="f requirement" id="(REQ-[A-Z0-9-]+)"([^>]*)>', dom)
    shown = {rid for rid, attributes in rows if "hidden" not in attributes}
    assert shown and len(shown) < len(rows)
    assert all('data-status-local="failed"' in a for rid, a in rows if rid in shown)
    assert re.search(r'<section class="f environment" id="env-dev"[^>]*hidden', dom)  # other environments hidden


@needs_chromium
def test_the_printed_pdf_includes_the_collapsed_evidence(
    report: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    pdf = report[1].with_name("report.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-"
    pages = len(PAGE_OBJECT.findall(pdf))
    without = tmp_path / "without-details.html"
    without.write_text(re.sub(r"<details.*?</details>", "", report[1].read_text(), flags=re.S))
    fewer = len(PAGE_OBJECT.findall(print_pdf(without, tmp_path / "without.pdf").read_bytes()))
    assert pages > fewer + 2, (pages, fewer)  # what is collapsed on screen is printed
