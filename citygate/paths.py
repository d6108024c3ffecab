"""Well-known project locations, resolved from the repository root (never a machine path)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
REGO_DIR = POLICIES / "rego"
CHECKOV_DIR = POLICIES / "checkov"
CONTROLS_DIR = POLICIES / "controls"
EXCEPTIONS_FILE = POLICIES / "exceptions.yaml"
FEATURES = ROOT / "features"
WORKLOADS = ROOT / "workloads"
LOADTESTS = ROOT / "loadtests"
# Scratch space for generated artefacts (terraform working dirs, plans, reports); git-ignored.
WORK = Path(os.environ.get("CITYGATE_WORK_DIR", ROOT / ".work"))
SYNTH_OUT = Path(os.environ.get("CITYGATE_SYNTH_DIR", ROOT / "cdktf.out"))
TOOLS = ROOT / ".tools"
