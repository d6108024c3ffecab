"""Synthesize environments to Terraform JSON in one jsii process."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cdktf import App

from citygate.errors import CitygateError
from stacks.bootstrap import BootstrapStack
from stacks.config import BOOTSTRAP, environment
from stacks.platform import PlatformStack


def synthesize(envs: Iterable[str], outdir: Path) -> dict[str, Path]:
    """Write `outdir/stacks/citygate-<env>/cdk.tf.json` for each env; return env -> that path.

    `bootstrap` names the account's delivery foundations (`stacks.bootstrap`), synthesized beside the platform.
    """
    names = list(dict.fromkeys(envs))
    environments = [BOOTSTRAP if name == BOOTSTRAP.name else environment(name) for name in names]
    if not environments:
        raise CitygateError("no environment to synthesize", "synth")
    outdir = Path(outdir)
    app = App(outdir=str(outdir), stack_traces=False)
    for env in environments:
        if env is BOOTSTRAP:
            BootstrapStack(app, env)
        else:
            PlatformStack(app, env)
    app.synth()
    result = {env.name: outdir / "stacks" / env.stack_name / "cdk.tf.json" for env in environments}
    missing = [str(path) for path in result.values() if not path.is_file()]
    if missing:
        raise CitygateError(f"synth wrote no stack file at {', '.join(missing)}", "synth")
    return result
