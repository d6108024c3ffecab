"""`loadtest`: gate promotion of the inference service on its SLOs (0 all hold, 1 breached, 2 error).

`--host`/`--local` run Locust here; `--in-cluster --env ENV` starts the overlay's Locust Jobs in the cluster (the
inference service has no public route) and reads their verdict; with `--in-vpc` that runs on the environment's
in-VPC deployer, the only place the private cluster endpoint answers.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import click

from citygate.commands.options import timeout_option
from citygate.deadlines import deadline
from citygate.environments import ENVIRONMENTS
from citygate.errors import EXIT_CLEAN, EXIT_VIOLATIONS, CitygateError
from citygate.loadtest.in_cluster import JobCluster, Verdict
from citygate.loadtest.local_service import LocalService, get_status
from citygate.loadtest.report import print_slo_report, verdict_document, write_json
from citygate.loadtest.slo import Measurement, Slo, SloResult, apply_overrides, evaluate, load_profile

RUN_ID = re.compile(r"[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?")  # the Jobs' name suffix: a DNS label, short


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


def cluster_jobs(kubeconfig: str | None, context: str | None) -> JobCluster:
    """The cluster's Job API, from the kubeconfig deploy would use (tests replace this)."""
    from citygate.commands.deploy import connect, kubeconfig_file
    from citygate.loadtest.in_cluster import DynamicJobs

    return DynamicJobs(connect(kubeconfig_file(kubeconfig), context))


def _in_cluster(options: dict[str, Any], timeout: float) -> Verdict:
    """`--in-cluster`: the overlay's Jobs (pinned to the release's digests when given), here or in the VPC."""
    env, image_digests, poll = options["env"], options["image_digests"], options["poll"]
    if not env:
        raise CitygateError("--in-cluster needs --env", "loadtest")
    if not RUN_ID.fullmatch(options["run_id"]):
        raise CitygateError(
            f"expected lowercase letters, digits and '-' (32 at most), got {options['run_id']!r}", "--run-id"
        )
    from citygate.k8s.digests import pin_images, read_digests, read_records

    records = read_records(image_digests) if image_digests is not None else None
    if options["in_vpc"]:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError

        from citygate.loadtest.in_cluster import verdict_in_vpc

        try:
            return verdict_in_vpc(
                boto3.client("codebuild"), boto3.client("logs"), env, records, options["source_version"], timeout,
                poll, click.echo,
            )  # fmt: skip
        except (BotoCoreError, ClientError) as exc:
            raise CitygateError(f"the in-VPC deployer cannot run the load test: {exc}", f"codebuild {env}") from exc
    from citygate.commands.deploy import overlay_inventory
    from citygate.loadtest.in_cluster import run_in_cluster as run_jobs

    inventory = overlay_inventory(env)
    if records is not None:
        if options["verify_registry"]:
            from citygate.commands.promote import require_in_registry

            require_in_registry(records, env)
        pin_images(inventory, read_digests(image_digests), run_elsewhere=frozenset(records))  # deploy runs the rest
    cluster = cluster_jobs(options["kubeconfig"], options["context"])
    return run_jobs(cluster, inventory.resources, options["run_id"], timeout, poll, click.echo)


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
@click.option(
    "--json",
    "json_file",
    type=click.Path(path_type=Path),
    help="Write the SLO verdict as JSON here (-: one stdout line).",
)
@click.option("--in-cluster", is_flag=True, help="Run the overlay's Locust Jobs in the cluster and read their verdict.")
@click.option("--env", type=click.Choice(ENVIRONMENTS), help="With --in-cluster: the environment's overlay.")
@click.option("--kubeconfig", help="With --in-cluster: kubeconfig (default: $KUBECONFIG, then ~/.kube/config).")
@click.option("--context", help="With --in-cluster: kubeconfig context (default: the current one).")
@click.option(
    "--image-digests",
    envvar="CITYGATE_IMAGE_DIGESTS",
    type=click.Path(path_type=Path),
    help="With --in-cluster: the release's digest records; the Jobs run exactly those images.",
)
@click.option("--verify-registry", is_flag=True, help="With --image-digests: the environment's registry holds them.")
@click.option(
    "--run-id",
    envvar="CITYGATE_RUN_ID",
    default=lambda: secrets.token_hex(4),
    help="With --in-cluster: suffix of this run's Job names (default: random).",
)
@click.option(
    "--in-vpc", is_flag=True, help="With --in-cluster: run on the environment's in-VPC deployer (private endpoint)."
)
@click.option("--source-version", envvar="GITHUB_SHA", help="With --in-vpc: the commit it checks out ($GITHUB_SHA).")
@click.option("--poll", type=click.FloatRange(min=0), default=5, hidden=True, help="Seconds between status checks.")
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
    in_cluster: bool,
    timeout: float,
    **cluster_options: Any,
) -> int:
    """Run the Locust suite against the service and gate promotion on the profile's SLOs.

    Exit 0 when every SLO holds, 1 when one is breached, 2 on error (unreachable host, bad profile).
    With --in-cluster the Jobs' own command sets the load and the profile; --timeout bounds the wait for them
    (with --in-vpc: for the deployer's build).
    """
    if [bool(host), local, in_cluster].count(True) != 1:
        raise CitygateError("give exactly one of --host URL, --local or --in-cluster", "loadtest")
    if in_cluster:
        shaping = (users, spawn_rate, duration, slo_overrides, workers, expect_workers, csv_prefix, html)
        if any(shaping):
            raise CitygateError("--in-cluster runs the Jobs' own load: drop the load and SLO options", "loadtest")
        verdict = _in_cluster(cluster_options, timeout)
        return _report(verdict.profile, verdict.slo, verdict.results, verdict.measured, json_file)
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
    return _report(profile, slo, evaluate(slo, measured), measured, json_file)


def _report(profile: str, slo: Slo, results: list[SloResult], measured: Measurement, json_file: Path | None) -> int:
    print_slo_report(profile, results, measured)
    if json_file is not None:
        write_json(json_file, verdict_document(profile, slo, results, measured))
    return EXIT_CLEAN if all(r.passed for r in results) else EXIT_VIOLATIONS
