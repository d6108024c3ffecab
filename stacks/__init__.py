"""CDKTF stacks of the smart-city platform: `synthesize(envs, outdir)` writes one Terraform JSON per env.

The lean provider loader runs first, before any stack module imports a binding (see
`stacks.provider_bindings`): that is what keeps a warm synth of an environment to a few seconds.
"""

from __future__ import annotations

from stacks.provider_bindings import install_lean_parent

install_lean_parent()

from stacks.synth import synthesize  # noqa: E402  (must follow the loader)

__all__ = ["synthesize"]
