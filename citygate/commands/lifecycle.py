"""`synth`, `plan`, `apply`, `destroy`: one environment through the real Terraform CLI.

Without real AWS credentials (and always for `local`) every command runs against the embedded AWS:
a moto server that lives for the command, or for a chain of commands with `apply --keep-running`
(`verify` and `destroy` then reuse it; `destroy` stops it).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import click

from citygate.account import open_account, stop_kept_server, workdir_for
from citygate.commands.options import timeout_option
from citygate.deadlines import deadline
from citygate.deployment import STACK_FILE, Deployment
from citygate.environments import ENVIRONMENTS, STACKS
from citygate.errors import EXIT_CLEAN, EXIT_VIOLATIONS, CitygateError
from citygate.findings import GateReport
from citygate.paths import SYNTH_OUT
from citygate.reporters import render

env_option = click.option("--env", "env", type=click.Choice(ENVIRONMENTS), required=True, help="Environment.")
# plan, apply and destroy also take the bootstrap stack (verify judges environments only)
stack_option = click.option(
    "--env", "env", type=click.Choice(STACKS), required=True, help="Environment, or `bootstrap` (delivery foundations)."
)
embedded_option = click.option(
    "--embedded", is_flag=True, help="Use the embedded AWS (moto) even when real AWS credentials are present."
)
no_synth_option = click.option(
    "--no-synth", is_flag=True, help="Reuse the stack already synthesized under cdktf.out/ instead of synthesizing."
)


def synthesize_env(env: str, outdir: Path = SYNTH_OUT) -> Path:
    """Synthesize one environment; return its cdk.tf.json."""
    from stacks import synthesize  # jsii start-up is paid only by commands that synthesize

    files = synthesize([env], outdir)
    if env not in files or not files[env].is_file():
        raise CitygateError(f"synthesis produced no stack for {env}", where=str(outdir))
    return files[env]


def stack_file(env: str, no_synth: bool) -> Path:
    if not no_synth:
        return synthesize_env(env)
    existing = SYNTH_OUT / "stacks" / f"citygate-{env}" / STACK_FILE
    if not existing.is_file():
        raise CitygateError("no synthesized stack: run `python main.py synth` first", where=str(existing))
    return existing


def plan_counts(plan_json: Path) -> dict[str, int]:
    """How many resources the plan creates, updates, replaces and deletes."""
    plan: dict[str, Any] = json.loads(plan_json.read_text())
    counts = {"create": 0, "update": 0, "replace": 0, "delete": 0}
    for change in plan.get("resource_changes", []):
        actions = change.get("change", {}).get("actions", [])
        key = "replace" if {"create", "delete"} <= set(actions) else (actions[0] if actions else "no-op")
        if key in counts:
            counts[key] += 1
    return counts


def describe(deployment: Deployment) -> str:
    where = deployment.endpoint or "real AWS"
    times = ", ".join(f"{step} {seconds:.1f}s" for step, seconds in deployment.terraform.timings.items())
    return f"{deployment.env} on {where} ({times})"


def gate(plan_json: Path, env: str) -> GateReport:
    """The static gate on the plan that is about to be applied (fails closed if the gate is missing)."""
    try:
        from citygate.gate import gate_plan_file
    except ImportError as exc:
        raise CitygateError(f"the gate is unavailable ({exc}); refusing to apply an unjudged plan", "apply") from exc
    return gate_plan_file(plan_json, env)


@click.command("synth")
@click.option("--env", "env", type=click.Choice([*STACKS, "all"]), default="all", show_default=True)
@click.option("--out", "outdir", type=click.Path(path_type=Path), default=SYNTH_OUT, show_default=True)
def synth(env: str, outdir: Path) -> int:
    """Synthesize the CDKTF stacks of an environment to Terraform JSON."""
    from stacks import synthesize

    envs = STACKS if env == "all" else (env,)
    for name, path in synthesize(envs, outdir).items():
        click.echo(f"{name}: {path}")
    return EXIT_CLEAN


@click.command("plan")
@stack_option
@click.option("--out", "out", type=click.Path(path_type=Path), help="Also write the plan JSON here.")
@embedded_option
@no_synth_option
def plan(env: str, out: Path | None, embedded: bool, no_synth: bool) -> int:
    """Terraform plan an environment (embedded moto by default) to plan JSON."""
    synth_file = stack_file(env, no_synth)
    with open_account(env, embedded) as account:
        deployment = account.deployment(synth_file)
        plan_json = deployment.plan()
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(plan_json, out)
    counts = ", ".join(f"{n} to {action}" for action, n in plan_counts(plan_json).items())
    click.echo(f"plan: {out or plan_json}: {counts}")
    click.echo(f"planned {describe(deployment)}")
    return EXIT_CLEAN


@click.command("apply")
@stack_option
@embedded_option
@no_synth_option
@click.option(
    "--keep-running",
    is_flag=True,
    help="Leave the embedded AWS running (recorded in .work/ENV/moto.json) for verify and destroy.",
)
@timeout_option("apply")
def apply(env: str, embedded: bool, no_synth: bool, keep_running: bool, timeout: float) -> int:
    """Plan, gate the plan, and apply it only when the gate is clean."""
    synth_file = stack_file(env, no_synth)
    with open_account(env, embedded) as account, deadline("apply", timeout):
        deployment = account.deployment(synth_file)
        plan_json = deployment.plan()
        report = gate(plan_json, env)
        if report.exit_code != 0:
            click.echo(render(report, "text"), nl=False)
            click.echo(f"apply refused: the gate found {len(report.failing())} violations in {plan_json}")
            return EXIT_VIOLATIONS
        deployment.apply()
        if keep_running:
            account.keep_running()
    click.echo(f"applied {describe(deployment)}; state in {deployment.state_path}")
    if keep_running and account.endpoint:
        click.echo(f"embedded AWS kept running at {account.endpoint} (stop it with `destroy --env {env}`)")
    return EXIT_CLEAN


@click.command("destroy")
@stack_option
@embedded_option
@timeout_option("destroy")
def destroy(env: str, embedded: bool, timeout: float) -> int:
    """Destroy what the last apply deployed (and stop a kept embedded AWS)."""
    stack = workdir_for(env) / STACK_FILE
    with open_account(env, embedded) as account, deadline("destroy", timeout):
        if not stack.is_file():
            click.echo(f"nothing to destroy: no deployment of {env} was applied here")
            return EXIT_CLEAN
        if account.fresh:  # the embedded AWS that held the deployment is gone, and its resources with it
            account.deployment(stack).forget_state()
            click.echo(
                f"nothing to destroy: the embedded AWS of {env} is no longer running; its stale state was removed"
            )
            return EXIT_CLEAN
        deployment = account.deployment(stack)
        destroyed = deployment.destroy()
    stop_kept_server(env)
    click.echo(f"destroyed {destroyed} resources of {describe(deployment)}")
    return EXIT_CLEAN
