"""Fail closed: malformed input, crashing or slow engines end in exit 2 and one line, never 0."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citygate import gate
from citygate.cli import main
from citygate.engines.base import GateInput
from citygate.errors import CitygateError
from citygate.findings import Finding
from tests.fixtures.plans.generate import COMPLIANT

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=12,
)
plan_like = st.fixed_dictionaries(
    {"format_version": st.sampled_from(["1.2", "0.1", "2.0", 1]) | json_values},
    optional={"resource_changes": json_values, "planned_values": json_values, "configuration": json_values},
)
malformed = (
    st.binary(max_size=64).map(lambda b: b.decode("latin-1")) | json_values.map(json.dumps) | plan_like.map(json.dumps)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=malformed)
def test_malformed_plans_never_pass_nor_trace(
    content: str, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path_factory.mktemp("fuzz") / "plan.json"
    plan.write_text(content, encoding="utf-8")
    code = main(["check", "--plan", str(plan), "--engines", "rego", "--format", "json"])
    out, err = capsys.readouterr()
    assert code != 0
    assert "Traceback" not in out + err
    if code == 2:
        assert len(err.strip().splitlines()) == 1


class _Crashing:
    name = "checkov"
    ours = False

    def supports(self, inventory: object) -> bool:
        return True

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        raise ValueError("boom")


class _Slow(_Crashing):
    name = "trivy"

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        time.sleep(timeout * 4)
        return []


# A crash must be reported as such however long our own engine takes to start on a loaded machine.
@pytest.mark.parametrize(("engine", "message", "timeout"), [(_Crashing, "crashed", "120"), (_Slow, "timed out", "0.5")])
def test_a_failing_engine_fails_the_gate_closed(
    monkeypatch: pytest.MonkeyPatch,
    run_cli: Callable[..., tuple[int, str, str]],
    engine: type,
    message: str,
    timeout: str,
    compliant_plan: Path,
) -> None:
    real = gate.make_engine
    monkeypatch.setattr(gate, "make_engine", lambda name: engine() if name == engine.name else real(name))
    code, _, err = run_cli(
        "check",
        "--plan",
        str(compliant_plan),
        "--engines",
        f"rego,{engine.name}",
        "--timeout",
        timeout,
    )
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", "--plan", "a.json", "--synth", "b"],
        ["check", "--plan", "nope.json"],
        ["check", "--plan", COMPLIANT, "--engines", "nonesuch"],
        ["check", "--plan", COMPLIANT, "--fail-on", "severe"],
        ["check", "--plan", COMPLIANT, "--engines", "opa"],
    ],
)
def test_bad_invocations_exit_2(
    argv: list[str], run_cli: Callable[..., tuple[int, str, str]], compliant_plan: Path
) -> None:
    code, _, err = run_cli(*[str(compliant_plan) if arg == COMPLIANT else arg for arg in argv])
    assert code == 2
    assert err.startswith("citygate: error:")


def test_fail_on_threshold(check_json: Callable[..., tuple[int, dict[str, Any]]], fixture_plans: Path) -> None:
    plan = str(fixture_plans / "noncompliant-CG-ENC-6.json")  # a low-severity violation only
    assert check_json("--plan", plan)[0] == 1
    assert check_json("--plan", plan, "--fail-on", "medium")[0] == 0


def test_an_engine_missing_its_setting_is_an_error_not_an_empty_result(compliant_plan: Path) -> None:
    from citygate.inputs import load_plan

    plan = compliant_plan
    with pytest.raises(CitygateError, match="the opa engine needs --opa-url"):
        gate.run_gate(load_plan(plan), plan, ("rego", "opa"))
