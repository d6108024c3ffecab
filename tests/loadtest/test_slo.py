"""SLO profiles, `--slo` overrides and the verdict: every objective can fail, bad input is an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from citygate.errors import CitygateError
from citygate.loadtest.report import verdict_line
from citygate.loadtest.slo import Measurement, Slo, apply_overrides, evaluate, load_profile

STAGING = Slo(p95_ms=150, p99_ms=400, error_rate=0.005, min_rps=100)
HEALTHY = Measurement(requests=10_000, failures=10, p95_ms=40, p99_ms=90, rps=180.0, duration_s=60)


@pytest.mark.parametrize("name", ["local", "dev", "staging", "prod"])
def test_every_environment_has_a_profile(name: str) -> None:
    profile = load_profile(name)
    assert profile.slo.p95_ms <= profile.slo.p99_ms
    assert profile.load.users >= 1


def test_staging_profile_matches_the_promotion_policy() -> None:
    assert load_profile("staging").slo.model_dump() == {
        "p95_ms": 150,
        "p99_ms": 400,
        "error_rate": 0.005,
        "min_rps": 150,
    }


def test_unknown_profile_is_an_error() -> None:
    with pytest.raises(CitygateError, match="unknown profile 'qa'"):
        load_profile("qa")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("profiles: [unclosed", "invalid YAML"),
        ("profiles: {local: {slo: {p95_ms: 1}}}", "invalid SLO profiles"),
        (
            "profiles: {local: {slo: {p95_ms: -1, p99_ms: 1, error_rate: 0, min_rps: 0},"
            " load: {users: 1, spawn_rate: 1, duration_s: 1}}}",
            "p95_ms",
        ),
        ("profiles: {local: {slo: {}, load: {}, typo: 1}}", "invalid SLO profiles"),
    ],
)
def test_bad_profiles_file_is_an_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "slo.yaml"
    path.write_text(text)
    with pytest.raises(CitygateError, match=message):
        load_profile("local", path)


def test_missing_profiles_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CitygateError, match="cannot read"):
        load_profile("local", tmp_path / "absent.yaml")


def test_overrides_merge_over_the_profile() -> None:
    slo = apply_overrides(STAGING, "p95_ms=80, error_rate=0.1%")
    assert slo == Slo(p95_ms=80, p99_ms=400, error_rate=0.001, min_rps=100)
    assert apply_overrides(STAGING, None) == STAGING


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("p90_ms=10", "expected key=value"),
        ("p95_ms", "expected key=value"),
        ("p95_ms=fast", "not a number"),
        ("p95_ms=-5", "p95_ms"),
        ("error_rate=150%", "error_rate"),
        ("min_rps=nan", "min_rps"),
    ],
)
def test_bad_overrides_are_errors(text: str, message: str) -> None:
    with pytest.raises(CitygateError, match=message):
        apply_overrides(STAGING, text)


def test_healthy_run_passes_every_objective() -> None:
    assert all(result.passed for result in evaluate(STAGING, HEALTHY))


@pytest.mark.parametrize(
    ("field", "value", "objective"),
    [
        ("p95_ms", 151, "p95 latency"),
        ("p99_ms", 401, "p99 latency"),
        ("failures", 51, "error rate"),
        ("rps", 99.9, "throughput"),
    ],
)
def test_each_breach_is_caught(field: str, value: float, objective: str) -> None:
    breached = Measurement(**{**HEALTHY.__dict__, field: value})
    failed = [result.name for result in evaluate(STAGING, breached) if not result.passed]
    assert failed == [objective]


def test_a_run_without_requests_counts_as_all_errors() -> None:
    assert Measurement(requests=0, failures=0, p95_ms=0, p99_ms=0, rps=0, duration_s=1).error_rate == 1.0


def test_verdict_line_names_the_breached_objectives() -> None:
    breached = Measurement(**{**HEALTHY.__dict__, "p99_ms": 900, "rps": 1.0})
    assert verdict_line(evaluate(STAGING, breached), breached).startswith(
        "FAIL: SLO breached (p99 latency, throughput)"
    )
    assert verdict_line(evaluate(STAGING, HEALTHY), HEALTHY).startswith("PASS: every SLO holds")
