"""CDKTF stacks of the smart-city platform: `synthesize(envs, outdir)` writes one Terraform JSON per env.

The lean provider loader runs first, before any stack module imports a binding (see
`stacks.provider_bindings`): that is what keeps a warm synth of an environment to a few seconds.
"""

from __future__ import annotations

import os

from citygate.paths import TOOLS
from stacks.provider_bindings import install_lean_parent

# jsii needs a supported Node (20 is end-of-life for it): prefer the one `make` installs.
_PROJECT_NODE = TOOLS / "node" / "node_modules" / "node" / "bin" / "node"
if "JSII_NODE" not in os.environ and _PROJECT_NODE.is_file():
    os.environ["JSII_NODE"] = str(_PROJECT_NODE)
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("NODE_OPTIONS", "--no-deprecation")  # jsii's Node prints DEP0044 on every synth

install_lean_parent()

from stacks.synth import synthesize  # noqa: E402  (must follow the loader)

__all__ = ["synthesize"]
