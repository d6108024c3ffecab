"""What the pipeline tests share: where the workflows, broken-input fixtures and CI/CD policies are, and the judge's shape."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from citygate.findings import Finding
from citygate.paths import REGO_DIR, ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
COMPOSITE_ACTIONS = ROOT / ".github" / "actions"
DEPENDABOT = ROOT / ".github" / "dependabot.yml"
FIXTURES = ROOT / "tests" / "fixtures" / "workflows"
CICD_POLICIES = REGO_DIR / "cicd"

# Our CI/CD policies run on a workflows folder or file: the findings `check --workflows` would report.
Judge = Callable[[Path], list[Finding]]
