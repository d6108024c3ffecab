"""Faults a user will meet, against the real CLI: each ends in exit 2 with one line that says what and where.

The Terraform ones use a stack whose apply pauses at `terraform_data.pause`, so the fault strikes
mid-apply every time: the embedded AWS dies, or the command gets SIGINT/SIGTERM.  Afterwards the state
is kept, nothing the command started is left running, and a rerun converges.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from citygate import account, deployment, terraform
from citygate.cli import main
from citygate.commands import lifecycle as commands
from citygate.findings import GateReport
from citygate.paths import ROOT
from citygate.terraform_ui import read_ui_log
from tests.fixtures.plans.generate import COMPLIANT

PAUSED = Path(__file__).parent / "fixtures" / "paused" / "cdk.tf.json"
WAIT_S = 180.0

# The real CLI in a process of its own, with the small stack and a gate that passes it (the gate is not
# what these tests exercise; tests/gate does).
DRIVER = """
import sys
from pathlib import Path
from citygate.commands import lifecycle as commands
from citygate.findings import GateReport
commands.stack_file = lambda env, no_synth: Path(sys.argv[1])
commands.gate = lambda plan, env: GateReport(target=str(plan), kind="terraform", findings=[])
from citygate.cli import main
sys.exit(main(sys.argv[2:]))
"""


def clean_gate(plan: Path, env: str) -> GateReport:
    return GateReport(target=str(plan), kind="terraform", findings=[])


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(account, "WORK", tmp_path)
    monkeypatch.setattr(commands, "stack_file", lambda env, no_synth: PAUSED)
    monkeypatch.setattr(commands, "gate", clean_gate)
    return tmp_path


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
    ends_at = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > ends_at:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def pause_in_flight(work: Path) -> Callable[[], bool]:
    log = work / "local" / "logs" / "apply.log"
    return lambda: log.is_file() and "terraform_data.pause" in read_ui_log(log.read_text()).in_flight


def moto_processes(parent: psutil.Process) -> set[int]:
    """Embedded AWS servers below `parent` (the test session's own one included, when it runs)."""
    found = set()
    for child in parent.children(recursive=True):
        try:
            if "citygate.moto" in " ".join(child.cmdline()):
                found.add(child.pid)
        except psutil.Error:  # it ended while we looked
            continue
    return found


def state_addresses(work: Path) -> set[str]:
    state = json.loads((work / "local" / deployment.STATE_FILE).read_text())
    return {f"{r['type']}.{r['name']}" for r in state["resources"]}


@pytest.mark.e2e
def test_the_embedded_aws_dying_mid_apply_is_one_clear_error_and_a_rerun_converges(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    killed: list[int] = []
    others = moto_processes(psutil.Process())  # the session's server, when the whole suite runs

    def kill_server_when_paused() -> None:
        wait_for(pause_in_flight(work), "the pause")
        for pid in moto_processes(psutil.Process()) - others:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    killer = threading.Thread(target=kill_server_when_paused, daemon=True)
    killer.start()
    assert main(["apply", "--env", "local"]) == 2
    killer.join(timeout=5)
    assert killed, "the embedded AWS was never found to kill"
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and error.startswith("citygate: error: terraform apply: aws_s3_bucket.after_pause")
    assert "stopped answering" in error and "full log:" in error and "state kept in" in error
    assert "aws_iam_group.before_pause" in state_addresses(work)  # what was applied is on record

    assert main(["apply", "--env", "local"]) == 0  # a new embedded AWS, the stale state dropped, all applied
    assert state_addresses(work) == {"aws_iam_group.before_pause", "terraform_data.pause", "aws_s3_bucket.after_pause"}


@pytest.mark.e2e
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_mid_apply_stops_terraform_and_the_server_and_keeps_the_state(
    tmp_path: Path, signum: signal.Signals
) -> None:
    env = {**os.environ, "CITYGATE_WORK_DIR": str(tmp_path)}

    def cli(*args: str) -> subprocess.Popen[str]:
        command = [sys.executable, "-c", DRIVER, str(PAUSED), *args]
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    applying = cli("apply", "--env", "local")
    wait_for(pause_in_flight(tmp_path), "the pause")
    started = psutil.Process(applying.pid).children(recursive=True)
    assert moto_processes(psutil.Process(applying.pid))
    applying.send_signal(signum)
    _, stderr = applying.communicate(timeout=WAIT_S)

    assert applying.returncode == 2
    assert "Traceback" not in stderr
    error = stderr.strip().splitlines()[-1]
    assert error.startswith("citygate: error: apply: stopped by " + signum.name)
    assert "in flight: terraform_data.pause" in error and "state kept in" in error
    assert [p.pid for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
    assert "aws_iam_group.before_pause" in state_addresses(tmp_path)

    destroying = cli("destroy", "--env", "local")
    out, _ = destroying.communicate(timeout=WAIT_S)
    assert destroying.returncode == 0 and "stale state was removed" in out
    assert not (tmp_path / "local" / deployment.STATE_FILE).exists()


@pytest.mark.e2e
def test_a_step_past_its_deadline_stops_naming_the_resource_in_flight_and_keeps_the_state(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TF_VAR_pause_seconds", "90")
    monkeypatch.setitem(terraform.TIMEOUTS, "apply", 20.0)  # ample for what comes before the pause, even when busy
    assert main(["apply", "--env", "local"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("citygate: error: terraform apply: timed out after 20s; in flight: terraform_data.pause")
    assert "state kept in" in error
    assert "aws_iam_group.before_pause" in state_addresses(work)


def test_the_timeout_option_bounds_the_whole_command(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    others = moto_processes(psutil.Process())
    started = time.monotonic()
    assert main(["apply", "--env", "local", "--timeout", "1"]) == 2
    assert time.monotonic() - started < 60
    assert capsys.readouterr().err.strip().startswith("citygate: error: apply: timed out after 1s")
    assert moto_processes(psutil.Process()) == others


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("PATH", "/nonexistent", "terraform CLI not found (install Terraform or set CITYGATE_TERRAFORM)"),
        ("CITYGATE_TF_PROVIDER_MIRROR", "/nonexistent", "CITYGATE_TF_PROVIDER_MIRROR=/nonexistent holds no"),
    ],
    ids=["terraform-missing", "mirror-missing"],
)
def test_a_missing_tool_is_exit_2_with_the_fix(
    work: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    says: str,
) -> None:
    monkeypatch.delenv("CITYGATE_TERRAFORM", raising=False)
    monkeypatch.setenv(variable, value)
    assert main(["plan", "--env", "local", "--no-synth"]) == 2
    assert says in capsys.readouterr().err


@pytest.mark.parametrize("cut", [0, 1, 2], ids=["empty", "one-byte", "half"])
def test_a_truncated_plan_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cut: int, fixture_plans: Path
) -> None:
    text = (fixture_plans / COMPLIANT).read_text()
    truncated = tmp_path / "plan.json"
    truncated.write_text(text[: (0, 1, len(text) // 2)[cut]])
    assert main(["check", "--plan", str(truncated), "--engines", "rego"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and str(truncated) in error


def test_a_report_that_cannot_be_written_is_exit_2(capsys: pytest.CaptureFixture[str], fixture_plans: Path) -> None:
    plan = fixture_plans / COMPLIANT
    assert main(["check", "--plan", str(plan), "--engines", "rego", "--output", "/dev/full"]) == 2
    assert capsys.readouterr().err.strip() == (
        "citygate: error: /dev/full: cannot write the report (No space left on device)"
    )
    assert main(["up", "--reports", "/dev/full/reports"]) == 2
    assert "cannot create the reports folder (Not a directory)" in capsys.readouterr().err


def test_an_engine_that_hangs_is_killed_at_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fixture_plans: Path
) -> None:
    pid_file = tmp_path / "trivy.pid"
    fake = tmp_path / "trivy"
    fake.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 600\n")
    fake.chmod(0o755)
    monkeypatch.setenv("TRIVY_BIN", str(fake))
    started = time.monotonic()
    assert main(["check", "--plan", str(fixture_plans / COMPLIANT), "--engines", "trivy", "--timeout", "2"]) == 2
    assert time.monotonic() - started < 30
    assert "timed out" in capsys.readouterr().err
    wait_for(lambda: not psutil.pid_exists(int(pid_file.read_text())), "the hung engine to be killed", 10)
