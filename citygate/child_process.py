"""Child processes that end when the command ends: bounded in time, stopped gracefully on any stop.

A child runs in a session of its own, so a Ctrl-C or a SIGTERM sent to our process group reaches it
only through us, once: we send it SIGINT (Terraform then finishes the calls in flight and writes its
state; Locust ends its run), wait `grace` seconds, then kill its whole process group.  Nothing a command
started outlives it.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from citygate import deadlines
from citygate.errors import CitygateError, StageTimeout, Stopped

GRACE_S = 60.0


def run_bounded(
    command: Sequence[str],
    *,
    name: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdout: IO[Any] | None = None,
    stderr: IO[Any] | None = None,
    timeout: float | None = None,
    grace: float = GRACE_S,
    progress: Callable[[], str] | None = None,
) -> int:
    """Run `command` to its end and return its exit code.

    Past `timeout` (or the earliest active `deadlines.deadline`) it raises StageTimeout; on that or any
    other exception (an Interrupted signal included) the child is stopped before the exception goes on.
    A Stopped exception carries `progress()`, read the moment the stop arrived (before the child, told
    to stop, winds its work down).
    """
    try:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    except OSError as exc:
        raise CitygateError(f"cannot run {command[0]}: {exc}", where=name) from exc
    try:
        return _wait(process, name, timeout)
    except Stopped as stopped:
        detail = progress() if progress is not None else None
        stop(process, grace)
        raise (stopped.with_detail(detail) if detail else stopped) from None
    except BaseException:
        stop(process, grace)
        raise


def _wait(process: subprocess.Popen[Any], name: str, timeout: float | None) -> int:
    left, earliest = deadlines.remaining()
    own = math.inf if timeout is None else timeout
    limit = min(left, own)
    try:
        return process.wait(timeout=None if math.isinf(limit) else limit)
    except subprocess.TimeoutExpired:
        if earliest is None or own <= left:
            raise StageTimeout(f"timed out after {own:.0f}s", where=name) from None
        raise earliest.expired() from None


def stop(process: subprocess.Popen[Any], grace: float = GRACE_S) -> None:
    """SIGINT to the child's process group, then SIGKILL to what is left after `grace` seconds."""
    if process.poll() is None:
        _signal_group(process.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    _signal_group(process.pid, signal.SIGKILL)  # helpers it started (provider plugins, workers)
    process.wait()


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)
