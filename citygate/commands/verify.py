"""`verify`: read the deployed account back with boto3 and judge the platform's controls.

Exit 0 when every live check passes, 1 on violations, 2 when the account cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from citygate.account import open_account, workdir_for
from citygate.commands.lifecycle import embedded_option, env_option
from citygate.commands.options import timeout_option
from citygate.deadlines import deadline
from citygate.deployment import STACK_FILE
from citygate.errors import CitygateError
from citygate.findings import Severity
from citygate.live.verify import verify_deployment
from citygate.outputs import write_report
from citygate.reporters import FORMATS, render


@click.command("verify")
@env_option
@embedded_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "output", type=click.Path(path_type=Path), help="Write the report here, not stdout.")
@click.option(
    "--fail-on",
    "fail_on",
    type=click.Choice([level.name.lower() for level in Severity]),
    default="low",
    show_default=True,
    help="Lowest severity that fails.",
)
@timeout_option("verify")
def verify(env: str, embedded: bool, fmt: str, output: Path | None, fail_on: str, timeout: float) -> int:
    """Read the deployed account back with boto3 and check the controls."""
    stack = workdir_for(env) / STACK_FILE
    if not stack.is_file():
        raise CitygateError(f"no deployment of {env} to verify: run apply first", where=str(stack))
    with open_account(env, embedded, must_exist=True) as account, deadline("verify", timeout):
        report = verify_deployment(account.deployment(stack), fail_on=Severity.parse(fail_on))
    text = render(report, fmt, color=output is None and sys.stdout.isatty())
    if output is None:
        click.echo(text, nl=False)
    else:
        write_report(output, text)
    return report.exit_code
