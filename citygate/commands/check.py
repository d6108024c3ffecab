"""`check`: run the gate on one input and print the report (exit 0 clean, 1 violations, 2 error).

Exactly one input: --env (synthesize and plan first, on the embedded AWS), --plan, --synth,
--k8s or --workflows.  The Kubernetes and workflow loaders are imported only when asked for.
`--calls RECORD.jsonl` adds the `leastpriv` engine: the plan's roles judged on the AWS calls their
workloads made (`citygate.leastpriv`).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import click

from citygate.engines.base import EngineOptions
from citygate.errors import CitygateError
from citygate.exceptions import project_exceptions
from citygate.findings import Severity
from citygate.gate import DEFAULT_ENGINES, DEFAULT_FAIL_ON, DEFAULT_TIMEOUT, ENGINES, run_gate
from citygate.model import Inventory
from citygate.outputs import write_report
from citygate.paths import EXCEPTIONS_FILE, WORK

INPUTS = ("env", "plan", "synth", "k8s", "workflows")
FORMATS = ("text", "json", "sarif", "junit", "markdown")


def _optional(module: str, attribute: str) -> Any:
    """A loader owned by another part of the gate; missing -> fail closed, one line."""
    try:
        return getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError) as exc:
        raise CitygateError(f"{module}.{attribute} is unavailable ({exc})", "check") from None


def planned_env(env: str) -> Path:
    """Synthesize and plan `env` against a throwaway embedded AWS; the plan JSON's path."""
    synthesize = _optional("stacks", "synthesize")
    plan_env = _optional("citygate.deployment", "plan_env")
    moto_server = _optional("citygate.moto_server", "MotoServer")
    outdir = WORK / "check" / "cdktf.out"
    outdir.mkdir(parents=True, exist_ok=True)
    synth_file = synthesize([env], outdir)[env]
    with moto_server() as server:
        plan: Path = plan_env(env, synth_file, WORK / "check" / f"tf-{env}", server.endpoint)
    return plan


def load_input(kind: str, value: str) -> tuple[Inventory, Path]:
    """(inventory, on-disk input) for one input option."""
    from citygate.inputs import load_plan, load_synth

    if kind == "env":
        plan = planned_env(value)
        return load_plan(plan, environment=value), plan
    path = Path(value)
    if kind == "plan":
        return load_plan(path), path
    if kind == "synth":
        return load_synth(path), path
    if kind == "k8s":
        return _optional("citygate.k8s", "load_manifests")(path), path
    return _optional("citygate.workflows", "load_workflows")(path), path


def engine_names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in ENGINES]
    if not names or unknown:
        raise CitygateError(
            f"unknown engine(s) {', '.join(unknown) or '(none)'} (use {', '.join(ENGINES)})", "--engines"
        )
    return names


@click.command("check")
@click.option("--env", help="Synthesize and plan this environment first (embedded AWS), then judge the plan.")
@click.option("--plan", help="A `terraform show -json` plan file.")
@click.option("--synth", help="A cdktf.out folder (or one cdk.tf.json).")
@click.option("--k8s", help="A Kubernetes manifest file or folder.")
@click.option("--workflows", help="A GitHub Actions workflows folder.")
@click.option(
    "--engines",
    "engines_text",
    default=",".join(DEFAULT_ENGINES),
    show_default=True,
    help=f"Comma-separated, of: {','.join(ENGINES)} (engines that do not judge the input are skipped).",
)
@click.option("--opa-url", help="OPA server URL for the opa engine (e.g. http://127.0.0.1:8181).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report here instead of stdout."
)
@click.option(
    "--exceptions",
    type=click.Path(dir_okay=False),
    help=f"Exception register (default policies/{EXCEPTIONS_FILE.name} if present).",
)
@click.option(
    "--fail-on",
    "fail_on",
    default=DEFAULT_FAIL_ON.name.lower(),
    show_default=True,
    help="Lowest severity that fails the gate.",
)
@click.option("--timeout", type=float, default=DEFAULT_TIMEOUT, show_default=True, help="Seconds each engine may take.")
@click.option(
    "--calls",
    type=click.Path(dir_okay=False),
    help="A record of AWS calls (JSONL) to judge the plan's roles by (adds the leastpriv engine).",
)
@click.option(
    "--unused",
    type=click.Choice(("warn", "fail")),
    default="warn",
    show_default=True,
    help="Status of a granted action no recorded call used.",
)
def check(
    env: str | None,
    plan: str | None,
    synth: str | None,
    k8s: str | None,
    workflows: str | None,
    engines_text: str,
    opa_url: str | None,
    fmt: str,
    output: str | None,
    exceptions: str | None,
    fail_on: str,
    timeout: float,
    calls: str | None = None,
    unused: str = "warn",
) -> int:
    """Run the gate (Rego, Checkov, Trivy) on a plan, synth dir, manifests or workflows."""
    from citygate.reporters import render

    given = {name: value for name, value in zip(INPUTS, (env, plan, synth, k8s, workflows), strict=True) if value}
    if len(given) != 1:
        raise CitygateError("give exactly one of --env, --plan, --synth, --k8s, --workflows", "check")
    try:
        threshold = Severity.parse(fail_on)
    except ValueError as exc:
        raise CitygateError(str(exc), "--fail-on") from None
    engines = engine_names(engines_text) + (["leastpriv"] if calls else [])
    register = Path(exceptions) if exceptions else project_exceptions()
    if register is not None and not register.is_file():
        raise CitygateError("no such exception register", str(register))
    ((kind, value),) = given.items()
    inventory, path = load_input(kind, value)
    options = EngineOptions(opa_url=opa_url, calls=Path(calls) if calls else None, unused=unused)
    report = run_gate(inventory, path, engines, register, threshold, timeout, options)
    text = render(report, fmt, color=output is None and fmt == "text" and sys.stdout.isatty())
    if output:
        write_report(Path(output), text)
    else:
        click.echo(text)
    return report.exit_code
