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
from citygate.findings import Finding, Severity
from tests.gate.core.conftest import FIXTURES

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

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        raise ValueError("boom")


class _Slow:
    name = "trivy"

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        time.sleep(timeout * 4)
        return []


@pytest.mark.parametrize(("engine", "message"), [(_Crashing, "crashed"), (_Slow, "timed out")])
def test_a_failing_engine_fails_the_gate_closed(
    monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., tuple[int, str, str]], engine: type, message: str
) -> None:
    real = gate.make_engine
    monkeypatch.setattr(
        gate, "make_engine", lambda name, url=None: engine() if name == engine.name else real(name, url)
    )
    code, _, err = run_cli(
        "check",
        "--plan",
        str(FIXTURES / "compliant-platform.json"),
        "--engines",
        f"rego,{engine.name}",
        "--timeout",
        "0.5",
    )
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", "--plan", "a.json", "--synth", "b"],
        ["check", "--plan", "nope.json"],
        ["check", "--plan", str(FIXTURES / "compliant-platform.json"), "--engines", "nonesuch"],
        ["check", "--plan", str(FIXTURES / "compliant-platform.json"), "--fail-on", "severe"],
        ["check", "--plan", str(FIXTURES / "compliant-platform.json"), "--engines", "opa"],
    ],
)
def test_bad_invocations_exit_2(argv: list[str], run_cli: Callable[..., tuple[int, str, str]]) -> None:
    code, _, err = run_cli(*argv)
    assert code == 2
    assert err.startswith("citygate: error:")


def _finding(engine: str, resource: str, controls: list[str], rule: str = "X") -> Finding:
    return Finding(rule, "t", Severity.HIGH, "fail", resource, "m", engine, controls)


def test_scanner_findings_are_deduplicated_and_weighed_against_ours() -> None:
    ours = _finding("rego", "aws_s3_bucket.raw", ["CG-ENC-1"])
    duplicate = _finding("checkov", "aws_s3_bucket.raw", ["CG-ENC-1"], "CKV_AWS_145")
    unconfirmed = _finding("trivy", "aws_s3_bucket.logs", ["CG-ENC-1"], "AWS-0132")
    unmapped = _finding("checkov", "aws_s3_bucket.raw", [], "CKV_AWS_18")
    scanner_only = _finding("checkov", "Deployment/ns/api", ["CG-K8S-9"], "CKV_K8S_1")
    merged = gate.merge([ours, duplicate, unconfirmed, unmapped, scanner_only], {"CG-ENC-1"})
    assert [(f.id, f.status) for f in merged] == [
        ("X", "fail"),
        ("AWS-0132", "warn"),
        ("CKV_AWS_18", "warn"),
        ("CKV_K8S_1", "fail"),
    ]


def test_without_our_engine_scanner_findings_keep_failing() -> None:
    alone = _finding("trivy", "aws_s3_bucket.logs", ["CG-ENC-1"], "AWS-0132")
    assert [f.status for f in gate.merge([alone], set())] == ["fail"]


def test_fail_on_threshold(check_json: Callable[..., tuple[int, dict[str, Any]]]) -> None:
    plan = str(FIXTURES / "noncompliant-CG-ENC-6.json")  # a low-severity violation only
    assert check_json("--plan", plan)[0] == 1
    assert check_json("--plan", plan, "--fail-on", "medium")[0] == 0


def test_engine_error_is_not_an_empty_result(tmp_path: Path) -> None:
    with pytest.raises(CitygateError):
        gate.make_engine("opa")
