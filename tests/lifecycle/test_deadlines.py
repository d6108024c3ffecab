"""Deadlines, stop signals and bounded child processes: every stop is an exception, and no child outlives it."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from citygate import deadlines
from citygate.child_process import run_bounded
from citygate.errors import Interrupted, StageTimeout


def test_an_in_process_stage_past_its_deadline_raises_naming_the_stage() -> None:
    with pytest.raises(StageTimeout, match="timed out after 0s") as caught, deadlines.deadline("verify", 0.2):
        time.sleep(5)
    assert caught.value.where == "verify"
    assert deadlines.remaining()[1] is None  # nothing stays armed


def test_nested_deadlines_the_earliest_wins_and_names_itself() -> None:
    with pytest.raises(StageTimeout) as caught, deadlines.deadline("up", 0.2), deadlines.deadline("apply", 60):
        time.sleep(5)
    assert caught.value.where == "up"
    with deadlines.deadline("up", 60), deadlines.deadline("apply", 30):
        left, earliest = deadlines.remaining()
        assert earliest is not None and earliest.stage == "apply" and 29 < left <= 30


def test_a_finished_block_leaves_no_alarm_behind() -> None:
    with deadlines.deadline("quick", 0.3):
        pass
    time.sleep(0.5)  # an alarm left armed would raise here
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_the_first_stop_signal_raises_and_later_ones_are_ignored() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Interrupted, match="SIGTERM") as caught, deadlines.stop_signals_raise():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
    assert caught.value.with_detail("in flight: x").args[0].endswith("; in flight: x")
    assert signal.getsignal(signal.SIGTERM) is before
    with deadlines.stop_signals_raise():
        with pytest.raises(Interrupted):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        os.kill(os.getpid(), signal.SIGINT)  # cleanup in progress: ignored
        time.sleep(0.1)


def test_a_child_past_its_timeout_is_stopped_with_its_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    script = f"sleep 60 & echo $! > {pid_file}; wait"
    started = time.monotonic()
    with pytest.raises(StageTimeout, match="timed out after 1s") as caught:
        run_bounded(["sh", "-c", script], name="scanner", timeout=1)
    assert caught.value.where == "scanner"
    assert time.monotonic() - started < 10
    assert _gone_soon(int(pid_file.read_text()))


def test_a_child_that_ignores_sigint_is_killed_after_the_grace_period() -> None:
    ignores = (
        "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"
    )
    started = time.monotonic()
    with pytest.raises(StageTimeout):
        run_bounded([sys.executable, "-c", ignores], name="stubborn", timeout=0.5, grace=0.5)
    assert time.monotonic() - started < 10


def test_the_enclosing_deadline_bounds_a_child_and_names_the_stage() -> None:
    with pytest.raises(StageTimeout) as caught, deadlines.deadline("up", 0.5):
        run_bounded(["sleep", "60"], name="terraform apply", timeout=3600)
    assert caught.value.where == "up"


def test_a_child_that_cannot_start_is_an_error_not_a_traceback() -> None:
    with pytest.raises(Exception, match="cannot run /nonexistent/terraform") as caught:
        run_bounded(["/nonexistent/terraform"], name="terraform init")
    assert getattr(caught.value, "where", None) == "terraform init"


def _gone_soon(pid: int, within: float = 5.0) -> bool:
    """True once `pid` has ended (a zombie awaiting its reaper counts as ended): SIGKILL lands asynchronously."""
    status = Path(f"/proc/{pid}/status")
    ends_at = time.monotonic() + within
    while time.monotonic() < ends_at:
        try:
            if "zombie" in status.read_text().lower():
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False
