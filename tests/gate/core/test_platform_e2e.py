"""Our own platform passes our gate: the prod plan and the synthesized stacks, all engines."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from citygate.paths import WAIVERS_FILE

pytestmark = pytest.mark.e2e


def _judge(run_cli: Callable[..., tuple[int, str, str]], *argv: str) -> tuple[int, list[dict[str, str]]]:
    code, out, err = run_cli("check", *argv, "--waivers", str(WAIVERS_FILE), "--format", "json")
    assert code in (0, 1), err
    return code, json.loads(out)["findings"]


def test_the_prod_plan_passes_every_engine(
    plan_for: Callable[[str], Path], run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    code, findings = _judge(run_cli, "--plan", str(plan_for("prod")))
    assert [f for f in findings if f["status"] == "fail" and not f["waived"]] == []
    assert code == 0


def test_the_synthesized_prod_stack_passes_our_policies(
    synth_out: dict[str, Path], run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    code, findings = _judge(run_cli, "--synth", str(synth_out["prod"]), "--engines", "rego")
    assert code == 0, [f for f in findings if f["status"] == "fail"]
