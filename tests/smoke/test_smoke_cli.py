"""`python main.py smoke`: a table on stdout, JUnit and JSON files, exit 0 clean / 1 a check failed / 2 bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from junitparser import JUnitXml, Skipped

from citygate import cli
from tests.smoke.standins import answer, city, replacing, serve


def test_a_clean_run_exits_0_and_writes_junit_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junit, report = tmp_path / "smoke-junit.xml", tmp_path / "smoke.json"
    with serve(city) as url:
        code = cli.main(
            ["smoke", "--base-url", url, "--segment", "seg-0001", "--junit", str(junit), "--json", str(report)]
        )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "4 passed, 0 failed, 1 skipped" in out and "SKIPPED" in out
    (suite,) = JUnitXml.fromfile(str(junit))
    cases = {case.name: case for case in suite}
    assert list(cases) == ["health", "forecast", "tls", "waf", "headers"]
    assert (suite.tests, suite.failures, suite.skipped) == (5, 0, 1)
    assert isinstance(cases["tls"].result[0], Skipped)
    document = json.loads(report.read_text())
    assert document["passed"] is True and document["base_url"] == url
    assert [r["status"] for r in document["results"]] == ["passed", "passed", "skipped", "passed", "passed"]


def test_a_failed_check_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junit = tmp_path / "smoke-junit.xml"
    down = replacing(forecast=lambda path, query: answer(503, {"detail": "inference unavailable"}))
    with serve(down) as url:
        code = cli.main(["smoke", "--base-url", url, "--segment", "seg-0001", "--no-waf", "--junit", str(junit)])
    assert code == 1
    assert "2 passed, 1 failed, 2 skipped" in capsys.readouterr().out
    (suite,) = JUnitXml.fromfile(str(junit))
    assert (suite.failures, suite.skipped) == (1, 2)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--base-url", "file:///etc/passwd"], "--base-url: expected an http(s) base URL"),
        (["--base-url", "https://127.0.0.1:9", "--ca-file", "missing.pem"], "missing.pem: no such CA file"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["smoke", "--segment", "seg-0001", *arguments]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"citygate: error: {message}") and err.count("\n") == 1
