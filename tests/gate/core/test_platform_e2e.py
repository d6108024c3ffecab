"""Our own platform passes our gate: the prod plan and the synthesized stacks, all engines."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from citygate.paths import EXCEPTIONS_FILE

pytestmark = pytest.mark.e2e


def _judge(run_cli: Callable[..., tuple[int, str, str]], *argv: str) -> tuple[int, list[dict[str, str]]]:
    code, out, err = run_cli("check", *argv, "--exceptions", str(EXCEPTIONS_FILE), "--format", "json")
    assert code in (0, 1), err
    return code, json.loads(out)["findings"]


def test_the_prod_plan_passes_every_engine(
    plan_for: Callable[[str], Path], run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    code, findings = _judge(run_cli, "--plan", str(plan_for("prod")))
    unresolved = [f for f in findings if f["status"] in ("fail", "warn") and not f["resolution"]]
    assert unresolved == []  # nothing failing, and no warning left for a human to triage
    assert all(f["reason"] for f in findings if f["resolution"])  # every resolution says why
    assert code == 0


def test_the_synthesized_prod_stack_passes_our_policies(
    synth_out: dict[str, Path], run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    code, findings = _judge(run_cli, "--synth", str(synth_out["prod"]), "--engines", "rego")
    assert code == 0, [f for f in findings if f["status"] == "fail"]
