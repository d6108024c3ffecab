"""Deadlines and interruptions, delivered to the main thread as exceptions a command can clean up after.

Semantics:
- `deadline(stage, seconds)` bounds a block.  Deadlines nest; the earliest one wins, and the
  `StageTimeout` it raises names *its* stage, so `up --timeout 600` past its budget during the apply
  reads "up: timed out after 600s", while a 30 s verify deadline inside it reads "verify: ...".
- Child processes do not rely on the alarm: `child_process.run_bounded` waits at most `remaining()`
  seconds and raises the same `StageTimeout` itself (it may run outside the main thread, where Python
  delivers no signals).  In-process stages (verify, the gate) are bounded by SIGALRM, armed for the
  earliest deadline, and only from the main thread.
- `stop_signals_raise()` turns SIGINT and SIGTERM into `Interrupted`, raised once in the main thread;
  later signals are ignored, so the cleanup the exception triggers (stopping Terraform gracefully,
  stopping the embedded AWS) runs to its end instead of dying half way.
- Inside `cooperative()` (gevent loops: Locust), nothing is raised asynchronously, since an exception
  raised in gevent's hub is printed and lost; the loop calls `check()`, which raises the pending stop or
  the passed deadline in the loop's own greenlet.

Both exceptions are `Stopped` errors: the CLI ends with exit code 2 and one line, and `up` knows not to
start a teardown in an account it was told to stop working on.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from citygate.errors import Interrupted, StageTimeout


@dataclass(frozen=True)
class Deadline:
    stage: str
    seconds: float
    ends_at: float  # time.monotonic() seconds

    def expired(self) -> StageTimeout:
        return StageTimeout(f"timed out after {self.seconds:.0f}s", where=self.stage)


# Default `--timeout` of each stage command, in seconds: generous for the embedded AWS on a busy 2-core
# machine (a full local apply takes 2-4 minutes, a destroy under one), and for real AWS's slow resources.
STAGE_TIMEOUTS: dict[str, float] = {
    "apply": 1800.0,
    "destroy": 600.0,
    "verify": 300.0,
    # The platform run, about 3x its slowest measured run on the embedded AWS of a busy 2-core machine:
    # the pipeline (simulate, DAG, training, promote, forecast) 84-148 s; the city (PostgreSQL, inference,
    # API over HTTPS, forecast, Chromium, smoke suite) 7-17 s.
    "pipeline": 450.0,
    "city": 60.0,
    "loadtest": 900.0,
    "up": 3600.0,
}

_active: list[Deadline] = []
_cooperative = False
_pending: list[Interrupted] = []  # a stop signal received inside cooperative(), for check() to raise


def _earliest() -> Deadline | None:
    return min(_active, key=lambda d: d.ends_at, default=None)


def remaining() -> tuple[float, Deadline | None]:
    """Seconds until the earliest active deadline (inf when none), and that deadline."""
    earliest = _earliest()
    if earliest is None:
        return math.inf, None
    return max(earliest.ends_at - time.monotonic(), 0.0), earliest


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    earliest = _earliest()
    if earliest is not None and not _cooperative:
        raise earliest.expired()


def _arm() -> None:
    """Point SIGALRM at the earliest deadline (or disarm it)."""
    if not _in_main_thread():
        return
    left, earliest = remaining()
    if earliest is None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


@contextmanager
def deadline(stage: str, seconds: float) -> Iterator[Deadline]:
    """Bound the block to `seconds`; raises StageTimeout naming `stage`."""
    if seconds <= 0:
        raise StageTimeout(f"timeout must be positive, got {seconds:g}s", where=stage)
    bound = Deadline(stage, seconds, time.monotonic() + seconds)
    _active.append(bound)
    _arm()
    try:
        yield bound
    finally:
        _active.remove(bound)
        _arm()


@contextmanager
def cooperative() -> Iterator[None]:
    """Within the block, stops and deadlines are raised only by `check()` (see the module docstring)."""
    global _cooperative
    previous, _cooperative = _cooperative, True
    try:
        yield
    finally:
        _cooperative = previous


def check() -> None:
    """Raise a pending stop signal, or the earliest deadline's StageTimeout once it has passed."""
    if _pending:
        raise _pending.pop()
    left, earliest = remaining()
    if earliest is not None and left <= 0:
        raise earliest.expired()


STOP_SIGNALS: dict[int, str] = {signal.SIGINT: "SIGINT (interrupted)", signal.SIGTERM: "SIGTERM (terminated)"}


@contextmanager
def stop_signals_raise() -> Iterator[None]:
    """Within the block, the first SIGINT or SIGTERM raises Interrupted in the main thread; later ones are
    ignored.  The previous handlers come back afterwards."""
    if not _in_main_thread():
        yield
        return
    raised = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal raised
        if raised:
            return  # cleanup is running: let it finish
        raised = True
        stop = Interrupted(f"stopped by {STOP_SIGNALS.get(signum, str(signum))}")
        if _cooperative:
            _pending.append(stop)
            return
        raise stop

    previous = {signum: signal.signal(signum, on_signal) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _pending.clear()
