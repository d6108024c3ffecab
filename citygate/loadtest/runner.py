"""Run the Locust suite through Locust's library API and return what it measured.

Importing this module imports Locust, which monkey-patches the standard library with gevent:
import it only in a process dedicated to the load test (the `loadtest` CLI command does).
"""

from __future__ import annotations

import contextlib
import importlib.util
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import gevent
from locust.env import Environment
from locust.exception import RPCError
from locust.html import get_html_report
from locust.runners import STATE_STOPPED, MasterRunner, Runner
from locust.stats import PERCENTILES_TO_REPORT, StatsCSVFileWriter
from locust.util.load_locustfile import load_locustfile

from citygate import deadlines
from citygate.errors import CitygateError
from citygate.loadtest.slo import Measurement
from citygate.loadtest.workers import WorkerPool
from citygate.paths import LOADTESTS
from citygate.ports import free_port

LOCUSTFILE = LOADTESTS / "locustfile.py"
SHAPES_FILE = LOADTESTS / "shapes.py"
PROGRESS_EVERY_S = 2.0
WORKERS_CONNECT_TIMEOUT_S = 30.0
STOP_GRACE_S = 60.0


@dataclass(frozen=True)
class LoadPlan:
    host: str
    users: int
    spawn_rate: float
    duration_s: float
    workers: int = 0  # 0: users run in this process; N: master here + N worker processes
    expect_workers: int = 0  # N: master here, N workers started elsewhere (e.g. pods) connect to it
    master_bind: tuple[str, int] = ("0.0.0.0", 5557)  # where the master listens for expected workers
    connect_timeout_s: float = WORKERS_CONNECT_TIMEOUT_S
    csv_prefix: Path | None = None
    html: Path | None = None


def _import_file(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise CitygateError("cannot import", str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _environment(plan: LoadPlan) -> Environment:
    user_classes, _ = load_locustfile(str(LOCUSTFILE))
    shape = _import_file(SHAPES_FILE).RampSoakShape(plan.users, plan.spawn_rate, plan.duration_s)
    return Environment(user_classes=list(user_classes.values()), shape_class=shape, host=plan.host)


def measure(environment: Environment, duration_s: float) -> Measurement:
    total = environment.stats.total
    return Measurement(
        requests=total.num_requests,
        failures=total.num_failures,
        p95_ms=float(total.get_response_time_percentile(0.95) or 0.0),
        p99_ms=float(total.get_response_time_percentile(0.99) or 0.0),
        rps=float(total.total_rps),
        duration_s=duration_s,
    )


def _progress_line(environment: Environment, runner: Runner, elapsed: float, plan: LoadPlan) -> str:
    total = environment.stats.total
    return (
        f"[{elapsed:5.0f}s/{plan.duration_s:g}s] users {runner.user_count}/{plan.users}"
        f"  requests {total.num_requests}  rps {total.current_rps:.1f}"
        f"  p95 {total.get_current_response_time_percentile(0.95) or 0:g} ms"
        f"  errors {total.fail_ratio:.2%}"
    )


def _wait_for_workers(
    runner: MasterRunner, expected: int, exited: Callable[[], list[int]], timeout_s: float, where: str
) -> None:
    deadline = time.monotonic() + timeout_s
    while len(runner.clients.ready) < expected:
        deadlines.check()
        if exited() or time.monotonic() > deadline:
            raise CitygateError(f"{len(runner.clients.ready)}/{expected} Locust workers connected", where)
        gevent.sleep(0.2)


def _master(environment: Environment, host: str, port: int) -> MasterRunner:
    try:
        runner = environment.create_master_runner(master_bind_host=host, master_bind_port=port)
    except (RPCError, SystemExit) as error:  # Locust exits the process when the port is taken
        raise CitygateError(f"cannot listen on {host}:{port}: {error}", "--master-bind") from error
    assert isinstance(runner, MasterRunner)
    return runner


def _start_runner(environment: Environment, plan: LoadPlan, stack: contextlib.ExitStack) -> Runner:
    """A local runner, or a master whose workers are all connected (started here or expected from elsewhere)."""
    if plan.expect_workers:
        runner = _master(environment, *plan.master_bind)
        _wait_for_workers(runner, plan.expect_workers, list, plan.connect_timeout_s, "--expect-workers")
        return runner
    if plan.workers:
        port = free_port()
        runner = _master(environment, "127.0.0.1", port)
        pool = stack.enter_context(WorkerPool(plan.workers, LOCUSTFILE, port))
        _wait_for_workers(runner, pool.count, pool.exited, plan.connect_timeout_s, "--workers")
        return runner
    return environment.create_local_runner()


def _drive(environment: Environment, runner: Runner, plan: LoadPlan, progress: Callable[[str], None]) -> float:
    """Run the shape to its end, reporting progress; returns the wall-clock duration."""
    started = time.monotonic()
    runner.start_shape()
    deadline = started + plan.duration_s + plan.users / plan.spawn_rate + STOP_GRACE_S
    next_progress = started + PROGRESS_EVERY_S
    while runner.state != STATE_STOPPED:
        deadlines.check()
        now = time.monotonic()
        if now > deadline:
            raise CitygateError(f"load test did not stop within {deadline - started:.0f}s", "loadtest")
        if now >= next_progress:
            progress(_progress_line(environment, runner, now - started, plan))
            next_progress = now + PROGRESS_EVERY_S
        gevent.sleep(0.2)
    return time.monotonic() - started


def _start_csv(environment: Environment, prefix: Path | None) -> tuple[StatsCSVFileWriter, gevent.Greenlet] | None:
    if prefix is None:
        return None
    prefix.parent.mkdir(parents=True, exist_ok=True)
    writer = StatsCSVFileWriter(environment, PERCENTILES_TO_REPORT, str(prefix), full_history=True)
    return writer, gevent.spawn(writer.stats_writer)


def run(plan: LoadPlan, progress: Callable[[str], None]) -> Measurement:
    """Drive the users (locally, or through local or remote workers), then write the CSV/HTML reports.

    Stops and deadlines are checked in the driving loops (`deadlines.cooperative`): under gevent, an
    exception raised asynchronously would land in the hub, be printed and be lost."""
    environment = _environment(plan)
    with contextlib.ExitStack() as stack, deadlines.cooperative():
        runner = _start_runner(environment, plan, stack)
        csv = _start_csv(environment, plan.csv_prefix)
        elapsed = _drive(environment, runner, plan, progress)
        runner.quit()  # workers send their final stats before leaving
    if csv is not None:
        writer, greenlet = csv
        gevent.sleep(1.1)  # one more write cycle with the final numbers
        greenlet.kill()
        writer.close_files()
    if plan.html is not None:
        plan.html.parent.mkdir(parents=True, exist_ok=True)
        plan.html.write_text(get_html_report(environment, show_download_link=False))
    return measure(environment, elapsed)
