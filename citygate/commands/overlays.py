"""`overlays --env ENV`: write the environment's overlay from its synthesized stack (no hand-typed ARNs).

See `citygate.k8s.overlays` for where each value comes from. `--outputs` (the JSON of `terraform output
-json` after apply) adds what only an applied stack knows (the EFS file system id); `--check` writes
nothing and fails (exit 1) when the committed overlay differs from what the stack says.
"""

from __future__ import annotations

from pathlib import Path

import click

from citygate.commands.lifecycle import env_option, no_synth_option, stack_file
from citygate.errors import EXIT_CLEAN, EXIT_VIOLATIONS
from citygate.paths import WORKLOADS


@click.command()
@env_option
@click.option(
    "--outputs",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="`terraform output -json` of the applied stack (adds the EFS file system id).",
)
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 when the committed overlay differs.")
@no_synth_option
def overlays(env: str, outputs: Path | None, check_only: bool, no_synth: bool) -> None:
    """Write workloads/overlays/ENV/kustomization.yaml from the stack."""
    from citygate.k8s.overlays import generate

    text = generate(env, stack_file(env, no_synth), outputs)
    target = WORKLOADS / "overlays" / env / "kustomization.yaml"
    if check_only:
        same = target.is_file() and target.read_text(encoding="utf-8") == text
        click.echo(f"{target}: {'up to date' if same else 'differs from the stack'}")
        raise SystemExit(EXIT_CLEAN if same else EXIT_VIOLATIONS)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"wrote {target}")
