"""`verify`: read the deployed account back with boto3 and judge the platform's controls.

Exit 0 when every live check passes, 1 on violations, 2 when the account cannot be read.
"""

from __future__ import annotations

from pathlib import Path

import click

from citygate.commands.lifecycle import embedded_option, env_option
from citygate.controls import load_catalogue
from citygate.errors import CitygateError
from citygate.findings import Severity
from citygate.lifecycle import STACK_FILE, open_account, workdir_for
from citygate.live.report import render_json, render_text
from citygate.live.verify import verify_deployment

RENDERERS = {"text": render_text, "json": render_json}


@click.command("verify")
@env_option
@embedded_option
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True)
@click.option("--output", "output", type=click.Path(path_type=Path), help="Write the report here, not stdout.")
@click.option("--fail-on", "fail_on", default="low", show_default=True, help="Lowest severity that fails.")
def verify(env: str, embedded: bool, fmt: str, output: Path | None, fail_on: str) -> int:
    """Read the deployed account back with boto3 and check the controls."""
    try:
        threshold = Severity.parse(fail_on)
    except ValueError as exc:
        raise CitygateError(str(exc), where="--fail-on") from None
    stack = workdir_for(env) / STACK_FILE
    if not stack.is_file():
        raise CitygateError(f"no deployment of {env} to verify: run apply first", where=str(stack))
    with open_account(env, embedded, must_exist=True) as account:
        report = verify_deployment(account.deployment(stack), load_catalogue())
    report.fail_on = threshold
    text = RENDERERS[fmt](report)
    if output is None:
        click.echo(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n")
    return report.exit_code
