"""`main.py loadtest` end to end, in a subprocess (Locust monkey-patches the interpreter with gevent).

Short runs against the real service on 127.0.0.1: a loose SLO passes (0), an impossible one
fails (1), and unreachable hosts or bad profiles are errors (2) with one line and no traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from citygate.loadtest.local_service import LocalService
from citygate.paths import ROOT
from citygate.ports import free_port

SHORT_RUN = ["--users", "4", "--spawn-rate", "4", "--duration", "3"]


def loadtest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", "loadtest", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_loose_slo_passes_and_prints_the_table() -> None:
    result = loadtest("--local", *SHORT_RUN, "--slo", "p95_ms=2000,p99_ms=5000,error_rate=0,min_rps=1")
    assert result.returncode == 0, result.stderr
    assert "SLO gate: profile local" in result.stdout
    assert result.stdout.count("PASS") >= 4
    assert "| 0.00%" in result.stdout.replace("│", "|")  # every response of the mix was valid
    assert "requests" in result.stderr  # the live progress line


@pytest.mark.slow
def test_impossible_slo_fails_with_exit_1(tmp_path: Path) -> None:
    result = loadtest("--local", *SHORT_RUN, "--slo", "p95_ms=0.001", "--json", str(tmp_path / "slo.json"))
    assert result.returncode == 1, result.stderr
    assert "FAIL: SLO breached (p95 latency)" in result.stdout
    verdict = json.loads((tmp_path / "slo.json").read_text())
    assert verdict["passed"] is False
    assert [r["name"] for r in verdict["results"] if not r["passed"]] == ["p95 latency"]


@pytest.mark.slow
def test_distributed_run_writes_csv_and_html(tmp_path: Path) -> None:
    result = loadtest(
        "--local", *SHORT_RUN, "--workers", "2", "--slo", "p95_ms=2000,p99_ms=5000,min_rps=1",
        "--csv", str(tmp_path / "run"), "--html", str(tmp_path / "run.html"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    stats = (tmp_path / "run_stats.csv").read_text()
    assert "POST /v1/predict [single]" in stats
    assert "Aggregated" in stats
    assert "<html" in (tmp_path / "run.html").read_text()


def _assert_one_line_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_host_is_exit_2() -> None:
    _assert_one_line_error(loadtest("--host", f"http://127.0.0.1:{free_port()}", *SHORT_RUN), "host unreachable")


def test_unknown_profile_is_exit_2() -> None:
    _assert_one_line_error(loadtest("--local", "--profile", "qa"), "unknown profile")


def test_bad_slo_override_is_exit_2() -> None:
    _assert_one_line_error(loadtest("--local", "--slo", "p95=3"), "--slo")


@pytest.mark.parametrize("args", [[], ["--local", "--host", "http://127.0.0.1:1"]])
def test_exactly_one_target_is_required(args: list[str]) -> None:
    _assert_one_line_error(loadtest(*args), "exactly one of --host URL, --local or --in-cluster")


def test_host_must_be_a_url() -> None:
    _assert_one_line_error(loadtest("--host", "ftp://127.0.0.1"), "http(s) URL")


@pytest.mark.slow
def test_master_runs_the_suite_with_an_expected_external_worker() -> None:
    port = free_port()
    worker_command = [
        sys.executable, "-m", "locust", "-f", "loadtests/locustfile.py", "--worker",
        "--master-host", "127.0.0.1", "--master-port", str(port), "--loglevel", "WARNING",
    ]  # fmt: skip
    with LocalService() as service, subprocess.Popen(worker_command, cwd=ROOT) as worker:
        result = loadtest(
            "--host", service.url, *SHORT_RUN, "--slo", "p95_ms=2000,p99_ms=5000,min_rps=1",
            "--expect-workers", "1", "--master-bind", f"127.0.0.1:{port}",
        )  # fmt: skip
        worker.wait(timeout=10)  # the master's quit message ends it
    assert result.returncode == 0, result.stderr
    assert "SLO gate: profile local" in result.stdout


def test_missing_expected_worker_is_exit_2() -> None:
    bind = f"127.0.0.1:{free_port()}"
    result = loadtest("--local", "--expect-workers", "1", "--master-bind", bind, "--connect-timeout", "1")
    _assert_one_line_error(result, "0/1 Locust workers connected")


def test_master_bind_must_be_host_and_port() -> None:
    _assert_one_line_error(loadtest("--local", "--expect-workers", "1", "--master-bind", "5557"), "HOST:PORT")
