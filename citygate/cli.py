"""The command line: one click group whose subcommands load lazily.

Each subcommand lives in `citygate.commands.<module>` and is imported only when invoked, so
`check` never pays for jsii/CDKTF start-up and `--help` stays instant.  Every failure path ends
in exit code 2 with one line (fail closed); violations are exit 1; clean is exit 0.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import click

from citygate.deadlines import stop_signals_raise
from citygate.errors import EXIT_ERROR, CitygateError, Stopped

# command name -> (module under citygate.commands, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "synth": ("lifecycle", "synth", "Synthesize the CDKTF stacks of an environment to Terraform JSON."),
    "plan": ("lifecycle", "plan", "Terraform plan an environment (embedded moto by default) to plan JSON."),
    "apply": ("lifecycle", "apply", "Gate, then apply an environment's plan."),
    "destroy": ("lifecycle", "destroy", "Destroy an environment."),
    "verify": ("verify", "verify", "Read the deployed account back with boto3 and check the controls."),
    "check": (
        "check",
        "check",
        "Run the gate (Rego, Checkov, Trivy) on a plan, synth dir, manifests or workflows.",
    ),
    "exceptions": ("exceptions", "exceptions", "List the exception register with the days each entry has left."),
    "overlays": ("overlays", "overlays", "Write an environment's workload overlay from its synthesized stack."),
    "deploy": (
        "deploy",
        "deploy",
        "Apply the workload manifests to a cluster (server-side apply, dry-run first).",
    ),
    "promote-images": (
        "promote",
        "promote_images",
        "Copy the release's images, digest unchanged, into the next environment's repositories.",
    ),
    "loadtest": ("loadtest", "loadtest", "Run the Locust suite and gate promotion on the SLOs."),
    "smoke": ("smoke", "smoke", "End-to-end smoke checks of a running city: health, forecast, TLS 1.3, WAF, headers."),
    "report": ("report", "report", "Write the living-documentation HTML page a reviewer reads."),
    "notify": ("notify", "notify", "Post a report to Slack; open, update or close Jira issues per failing control."),
    "up": (
        "up",
        "up",
        "synth -> plan -> check -> apply -> verify -> loadtest -> report, on the embedded AWS.",
    ),
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        module_name, attr, _ = spec
        module = importlib.import_module(f"citygate.commands.{module_name}")
        command: click.Command = getattr(module, attr)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, spec[2]) for name, spec in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """citygate: provision the smart-city platform and gate it with policy as code.

    Exit codes: 0 clean, 1 violations (or SLO breached), 2 error.
    """


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and map every outcome to 0/1/2 with at most one error line."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with stop_signals_raise():
            result = cli.main(args=args, prog_name="citygate", standalone_mode=False)
    except CitygateError as exc:
        if isinstance(exc, Stopped) and exc.where is None and args and args[0] in COMMANDS:
            exc.where = args[0]  # a signal names no place of its own: the command it stopped is the place
        click.echo(f"citygate: error: {exc.line()}", err=True)
        return EXIT_ERROR
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"citygate: error: {exc.format_message()}", err=True)
        return EXIT_ERROR
    except click.exceptions.Abort:
        click.echo("citygate: error: aborted", err=True)
        return EXIT_ERROR
    except OSError as exc:  # a file or folder the command needed: say which, and what the system said
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"citygate: error: {where}{exc.strerror or exc}", err=True)
        return EXIT_ERROR
    except KeyboardInterrupt:
        click.echo("citygate: error: interrupted", err=True)
        return EXIT_ERROR
    except Exception as exc:  # fail closed: never a traceback, never exit 0
        click.echo(f"citygate: error: internal failure ({type(exc).__name__}: {exc})", err=True)
        return EXIT_ERROR
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
