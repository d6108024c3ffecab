"""`deploy --env ENV`: gate the environment's overlay, then server-side apply it (dry run first).

With `--image-digests` (the release's records) the containers first get the digests the pipeline
built and scanned, so the gate judges, and the cluster runs, exactly those images.

The rendered overlay is judged by the same gate as `check --k8s` (only a clean set is applied);
then every object is sent with server-side apply and `dryRun=All`, so the API server validates the
whole set (admission, Pod Security included) before anything changes; only then is it applied for
real.  Without a kubeconfig there is no cluster to talk to: exit 2 with one line.  `--verify-registry` first
reads every record's digest back from this environment's ECR repository (`promote-images` put it there).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import click

from citygate.commands.check import engine_names
from citygate.environments import ENVIRONMENTS
from citygate.errors import CitygateError
from citygate.gate import DEFAULT_ENGINES
from citygate.model import Inventory, Resource
from citygate.paths import WORK, WORKLOADS

FIELD_MANAGER = "citygate"
# Objects others depend on go first: namespaces before what lives in them, identities before pods.
APPLY_ORDER = (
    "Namespace",
    "ServiceAccount",
    "ClusterRole",
    "Role",
    "ClusterRoleBinding",
    "RoleBinding",
    "ConfigMap",
    "NetworkPolicy",
    "Service",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "CronJob",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "Ingress",
)

RUN_NOT_DEPLOYED = frozenset({"Job"})


class ClusterClient(Protocol):
    """The part of `kubernetes.dynamic.DynamicClient` deploy uses (a fake in tests)."""

    @property
    def resources(self) -> Any: ...

    def server_side_apply(self, resource: Any, body: Any = None, **kwargs: Any) -> Any: ...


def overlay_path(env: str) -> Path:
    return WORKLOADS / "overlays" / env


def overlay_inventory(env: str) -> Inventory:
    from citygate.k8s import load_manifests

    return load_manifests(overlay_path(env), environment=env)


def apply_order(resources: Iterable[Resource]) -> list[Resource]:
    """What deploy applies, in dependency order.  Jobs are left out: a Job runs once and its pod template is
    immutable, so re-applying one for a new release is rejected; the runs are created fresh, per release, by
    their runners (`loadtest --in-cluster` copies the overlay's Locust Jobs)."""
    rank = {kind: i for i, kind in enumerate(APPLY_ORDER)}
    deployed = (r for r in resources if r.type not in RUN_NOT_DEPLOYED)
    return sorted(deployed, key=lambda r: rank.get(r.type, len(APPLY_ORDER)))


def kubeconfig_file(explicit: str | None) -> Path:
    """The kubeconfig to use: --kubeconfig, else $KUBECONFIG, else ~/.kube/config; CitygateError if none."""
    candidates = [explicit] if explicit else [*os.environ.get("KUBECONFIG", "").split(os.pathsep), "~/.kube/config"]
    for candidate in candidates:
        if candidate and Path(candidate).expanduser().is_file():
            return Path(candidate).expanduser()
    raise CitygateError("no kubeconfig found (give --kubeconfig or set KUBECONFIG); nothing was applied", "deploy")


def connect(kubeconfig: Path, context: str | None) -> ClusterClient:
    from kubernetes import config, dynamic
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    try:
        api_client = config.new_client_from_config(config_file=str(kubeconfig), context=context)
    except config.ConfigException as exc:
        raise CitygateError(f"unusable kubeconfig: {exc}", str(kubeconfig)) from exc
    try:
        return dynamic.DynamicClient(api_client)  # discovers the API groups: the first request
    except (ApiException, HTTPError, OSError) as exc:
        host = api_client.configuration.host
        raise CitygateError(f"cannot reach the cluster at {host}: {type(exc).__name__}", "deploy") from exc


def apply_all(client: ClusterClient, resources: Sequence[Resource], dry_run: bool) -> list[str]:
    """Server-side apply every object (in dependency order); a rejected object is a CitygateError."""
    from kubernetes.client.exceptions import ApiException
    from kubernetes.dynamic.exceptions import DynamicApiError, ResourceNotFoundError

    applied = []
    for resource in apply_order(resources):
        manifest = resource.values
        try:
            api = client.resources.get(api_version=manifest["apiVersion"], kind=manifest["kind"])
            client.server_side_apply(
                api,
                body=manifest,
                namespace=manifest["metadata"].get("namespace") if api.namespaced else None,
                field_manager=FIELD_MANAGER,
                force_conflicts=True,
                dry_run="All" if dry_run else None,
            )
        except ResourceNotFoundError as exc:
            raise CitygateError(
                f"the cluster does not serve {manifest['apiVersion']} {manifest['kind']}", resource.address
            ) from exc
        except (ApiException, DynamicApiError) as exc:
            reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
            step = "dry run" if dry_run else "apply"
            raise CitygateError(f"{step} rejected: {reason}", resource.address) from exc
        applied.append(resource.address)
    return applied


def gate(inventory: Inventory, engines: Sequence[str]) -> int:
    """The same gate as `check --k8s`, on the rendered overlay; prints the report, returns its exit code."""
    from citygate.exceptions import project_exceptions
    from citygate.gate import run_gate
    from citygate.k8s import write_rendered
    from citygate.reporters import render

    rendered = write_rendered(inventory, WORK / "deploy" / inventory.environment)
    report = run_gate(inventory, rendered, engines, project_exceptions())
    if report.exit_code:
        click.echo(render(report, "text", color=False))
    return report.exit_code


@click.command("deploy")
@click.option("--env", "env", required=True, type=click.Choice(ENVIRONMENTS), help="The overlay to deploy.")
@click.option("--kubeconfig", help="Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).")
@click.option("--context", help="Kubeconfig context (default: the current one).")
@click.option(
    "--engines", "engines_text", default=",".join(DEFAULT_ENGINES), show_default=True, help="Gate engines run first."
)
@click.option(
    "--image-digests",
    envvar="CITYGATE_IMAGE_DIGESTS",
    type=click.Path(path_type=Path),
    help="Folder of the release's image digest records (one file per image): deploy exactly those digests.",
)
@click.option(
    "--verify-registry",
    is_flag=True,
    help="Refuse records that do not name this environment's repositories or whose digest its registry lacks.",
)
@click.option("--dry-run-only", is_flag=True, help="Stop after the server-side dry run.")
@click.option(
    "--in-vpc",
    is_flag=True,
    help="Run this deploy on the environment's in-VPC deployer (CodeBuild, private endpoint) and wait for it.",
)
@click.option(
    "--source-version", envvar="GITHUB_SHA", help="Commit the in-VPC deployer checks out (default $GITHUB_SHA)."
)
@click.option(
    "--timeout", type=click.FloatRange(min=1), default=1800, show_default=True, help="Seconds to wait for --in-vpc."
)
@click.option("--poll", type=click.FloatRange(min=0), default=10, hidden=True, help="Seconds between build checks.")
def deploy(
    env: str,
    kubeconfig: str | None,
    context: str | None,
    engines_text: str,
    image_digests: Path | None,
    verify_registry: bool,
    dry_run_only: bool,
    in_vpc: bool,
    source_version: str | None,
    timeout: float,
    poll: float,
) -> int:
    """Apply the workload manifests to a cluster (server-side apply, dry-run first)."""
    if in_vpc:
        return deploy_in_vpc(env, image_digests, source_version, timeout, poll)
    config_file = kubeconfig_file(kubeconfig)
    inventory = overlay_inventory(env)
    if image_digests is not None:
        from citygate.k8s.digests import images_run, pin_images, read_digests, read_records

        if verify_registry:
            from citygate.commands.promote import require_in_registry

            require_in_registry(read_records(image_digests), env)
        digests = read_digests(image_digests)
        elsewhere = frozenset().union(*(images_run(overlay_inventory(other)) for other in ENVIRONMENTS if other != env))
        pinned = pin_images(inventory, digests, run_elsewhere=elsewhere - images_run(inventory))
        click.echo(f"pinned {pinned} containers to the release's image digests")
        skipped = sorted(set(digests) - images_run(inventory))
        if skipped:
            click.echo(f"not run in {env}: {', '.join(skipped)} (recorded for the environments whose overlays run it)")
    verdict = gate(inventory, engine_names(engines_text))
    if verdict:
        click.echo(f"citygate: deploy {env}: the gate failed; nothing was applied", err=True)
        return verdict
    client = connect(config_file, context)
    checked = apply_all(client, inventory.resources, dry_run=True)
    click.echo(f"dry run: {len(checked)} objects accepted by the API server")
    if dry_run_only:
        return 0
    applied = apply_all(client, inventory.resources, dry_run=False)
    click.echo(f"applied: {len(applied)} objects to {env} (server-side apply, field manager {FIELD_MANAGER})")
    return 0


def deploy_in_vpc(env: str, image_digests: Path | None, source_version: str | None, timeout: float, poll: float) -> int:
    """Hand the deploy to the environment's in-VPC deployer, with the release's records (checked here first)."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from citygate.deployer import run_in_vpc
    from citygate.k8s.digests import read_records

    records = read_records(image_digests) if image_digests is not None else None
    try:
        return run_in_vpc(boto3.client("codebuild"), env, records, source_version, timeout, poll, say=click.echo)
    except (BotoCoreError, ClientError) as exc:
        raise CitygateError(f"the in-VPC deployer cannot run: {exc}", f"codebuild {env}") from exc
