"""Well-known project locations, resolved from the repository root (never a machine path)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def _shipped(name: str) -> Path:
    """A checkout keeps `name` beside the package; an installed wheel carries what the gate reads of it
    inside the package (pyproject.toml maps it to citygate/<name>), so `citygate check` works anywhere."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else ROOT / name


POLICIES = _shipped("policies")
REGO_DIR = POLICIES / "rego"
CHECKOV_DIR = POLICIES / "checkov"
CONTROLS_DIR = POLICIES / "controls"
EXCEPTIONS_FILE = POLICIES / "exceptions.yaml"
FEATURES = ROOT / "features"
WORKLOADS = _shipped("workloads")
LOADTESTS = ROOT / "loadtests"
# Scratch space for generated artefacts (terraform working dirs, plans, reports); git-ignored.
WORK = Path(os.environ.get("CITYGATE_WORK_DIR", ROOT / ".work"))
SYNTH_OUT = Path(os.environ.get("CITYGATE_SYNTH_DIR", ROOT / "cdktf.out"))
TOOLS = ROOT / ".tools"
