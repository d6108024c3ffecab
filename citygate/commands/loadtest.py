"""`loadtest`: gate promotion of the inference service on its SLOs (0 all hold, 1 breached, 2 error)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from urllib.parse import urlparse

import click

from citygate.commands.options import timeout_option
from citygate.deadlines import deadline
from citygate.errors import EXIT_CLEAN, EXIT_VIOLATIONS, CitygateError
from citygate.loadtest.local_service import LocalService, get_status
from citygate.loadtest.report import print_slo_report, write_json
from citygate.loadtest.slo import apply_overrides, evaluate, load_profile


def _progress(line: str) -> None:
    """Overwrite one line on a terminal; append lines in CI logs."""
    if sys.stderr.isatty():
        click.echo(f"\r{line}", nl=False, err=True)
    else:
        click.echo(line, err=True)


def _parse_bind(bind: str) -> tuple[str, int]:
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise CitygateError(f"expected HOST:PORT, got {bind!r}", "--master-bind")
    return host, int(port)


def _check_host(host: str) -> None:
    parsed = urlparse(host)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise CitygateError(f"expected an http(s) URL, got {host!r}", "--host")
    if get_status(f"{host.rstrip('/')}/healthz", timeout=5.0) != 200:
        raise CitygateError(f"{host}/healthz does not answer 200: host unreachable or unhealthy", "--host")


@click.command("loadtest")
@click.option("--host", help="Base URL of a running inference service (e.g. http://inference.production.svc).")
@click.option("--local", is_flag=True, help="Start the service on 127.0.0.1 for the run, then stop it.")
@click.option("--profile", default="local", show_default=True, help="SLO profile in loadtests/slo_profiles.yaml.")
@click.option("--users", type=click.IntRange(min=1), help="Concurrent users (default: the profile's).")
@click.option("--spawn-rate", type=click.FloatRange(min=0.1), help="Users started per second.")
@click.option("--duration", type=click.FloatRange(min=1), help="Seconds, ramp included.")
@click.option("--slo", "slo_overrides", help="Override objectives: p95_ms=..,p99_ms=..,error_rate=..,min_rps=..")
@click.option("--workers", type=click.IntRange(min=0), default=0, help="Locust worker processes (0: in-process).")
@click.option(
    "--expect-workers",
    type=click.IntRange(min=1),
    help="Run as master only: wait for N `locust --worker` processes started elsewhere (e.g. pods).",
)
@click.option("--master-bind", default="0.0.0.0:5557", show_default=True, help="HOST:PORT for --expect-workers.")
@click.option(
    "--connect-timeout",
    type=click.FloatRange(min=0.5),
    default=30.0,
    show_default=True,
    help="Seconds to wait for every worker to connect before failing (exit 2).",
)
@click.option("--csv", "csv_prefix", type=click.Path(path_type=Path), help="Write Locust CSV stats with this prefix.")
@click.option("--html", type=click.Path(path_type=Path), help="Write Locust's HTML report here.")
@click.option("--json", "json_file", type=click.Path(path_type=Path), help="Write the SLO verdict as JSON here.")
@timeout_option("loadtest")
def loadtest(
    host: str | None,
    local: bool,
    profile: str,
    users: int | None,
    spawn_rate: float | None,
    duration: float | None,
    slo_overrides: str | None,
    workers: int,
    expect_workers: int | None,
    master_bind: str,
    connect_timeout: float,
    csv_prefix: Path | None,
    html: Path | None,
    json_file: Path | None,
    timeout: float,
) -> int:
    """Run the Locust suite against the service and gate promotion on the profile's SLOs.

    Exit 0 when every SLO holds, 1 when one is breached, 2 on error (unreachable host, bad profile).
    """
    if bool(host) == local:
        raise CitygateError("give exactly one of --host URL or --local", "loadtest")
    if workers and expect_workers:
        raise CitygateError("give at most one of --workers or --expect-workers", "loadtest")
    chosen = load_profile(profile)
    slo = apply_overrides(chosen.slo, slo_overrides)

    from citygate.loadtest.runner import LoadPlan, run  # imports Locust (gevent monkey-patching)

    with contextlib.ExitStack() as stack:
        stack.enter_context(deadline("loadtest", timeout))
        if local:
            host = stack.enter_context(LocalService()).url
        assert host is not None
        _check_host(host)
        plan = LoadPlan(
            host=host.rstrip("/"),
            users=users or chosen.load.users,
            spawn_rate=spawn_rate or chosen.load.spawn_rate,
            duration_s=duration or chosen.load.duration_s,
            workers=workers,
            expect_workers=expect_workers or 0,
            master_bind=_parse_bind(master_bind),
            connect_timeout_s=connect_timeout,
            csv_prefix=csv_prefix,
            html=html,
        )
        measured = run(plan, _progress)
    if sys.stderr.isatty():
        click.echo(err=True)
    if measured.requests == 0:
        raise CitygateError("no request completed: nothing to judge", "loadtest")
    results = evaluate(slo, measured)
    print_slo_report(profile, results, measured)
    if json_file is not None:
        write_json(json_file, profile, slo, results, measured)
    return EXIT_CLEAN if all(r.passed for r in results) else EXIT_VIOLATIONS
