"""The Rego engine: how it finds and classifies rules, reads METADATA, reports proofs and loads the
catalogue's parameters; and the project's own Rego unit tests (`test_` rules) all pass."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from citygate.controls import load_catalogue
from citygate.engines.base import EngineOptions, GateInput
from citygate.engines.opa import OpaEngine
from citygate.engines.policyset import load_policy_set
from citygate.engines.rego import RegoEngine, run_tests
from citygate.errors import CitygateError
from citygate.findings import Finding, Severity
from citygate.model import Inventory, Resource
from citygate.paths import REGO_DIR
from tests.gate.core.opa_stub import opa_stub

HEADER = "package citygate.fixture\n\nimport rego.v1\n\n"
META = "# METADATA\n# title: {title}\n# custom:\n#   id: {id}\n#   severity: high\n#   controls: [CG-FIX-1]\n"
BUCKETS = """
buckets := [r | some r in input.resources; r.type == "aws_s3_bucket"]
"""
POLICY = (
    HEADER
    + BUCKETS
    + "\n"
    + META.format(title="Buckets are versioned", id="CG_FIX_001")
    + """#   fix: Enable versioning.
deny contains {"id": "CG_FIX_001", "resource": b.address, "msg": "versioning is off"} if {
	some b in buckets
	not b.values.versioning
}

proof contains {"id": "CG_FIX_001", "resource": b.address, "evidence": "versioning = true"} if {
	some b in buckets
	b.values.versioning == true
}
"""
)


def _folder(root: Path, files: dict[str, str]) -> Path:
    """A policy folder holding `files` (a fresh folder per test, so `load_policy_set`'s cache never hides it)."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def _buckets(**versioning: bool) -> GateInput:
    resources = [
        Resource(address=f"aws_s3_bucket.{name}", type="aws_s3_bucket", name=name, values={"versioning": on})
        for name, on in versioning.items()
    ]
    return GateInput(inventory=Inventory(kind="terraform", source="plan", resources=resources), path=Path("plan.json"))


def _by_status(findings: list[Finding]) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = {}
    for f in findings:
        grouped.setdefault(f.status, set()).add(f.resource)
    return grouped


# ---------------------------------------------------------------- the project's own Rego unit tests


@pytest.mark.parametrize("folder", ["lib", "terraform"])
def test_every_rego_unit_test_passes_with_coverage_reported(folder: str) -> None:
    outcome = run_tests(under=REGO_DIR / folder)
    assert outcome.passed
    assert outcome.failed == []
    terraform = {path: share for path, share in outcome.coverage.items() if f"/{folder}/" in path}
    print(
        f"rego coverage: {outcome.total_coverage:.0%} overall; "
        + ", ".join(f"{p.split('/rego/')[-1]} {s:.0%}" for p, s in sorted(terraform.items()))
    )
    untested = [path for path, share in terraform.items() if share == 0 and not _proven_by_cases(path)]
    assert terraform and not untested, f"no unit test nor catalogue case exercises {untested}"


def _proven_by_cases(path: str) -> bool:
    """Every rule a policy file describes has a noncompliant catalogue case (tests/cases proves it fails)."""
    described = {
        meta.id for meta in load_policy_set(REGO_DIR).metadata.values() if meta.where.rsplit(":", 1)[0] == path
    }
    proven = {
        rule
        for control in load_catalogue()
        for case in control.cases
        if not case.compliant
        for rule in (case.rules or control.own_rules())
    }
    return bool(described) and described <= proven


def test_the_project_policies_load_with_every_verdict_rule_described() -> None:
    policy_set = load_policy_set(REGO_DIR)
    assert policy_set.rules and all(rule.rsplit(".", 1)[1] in ("deny", "warn", "proof") for rule in policy_set.rules)
    assert all(meta.controls for meta in policy_set.metadata.values())


# ---------------------------------------------------------------- classification


def test_rules_are_classified_from_the_parsed_policy(tmp_path: Path) -> None:
    helpers = """
_seen contains b.address if { some b in buckets }

deny_reason(b) := "versioning is off"

# METADATA
# title: a block naming no rule id, above a helper
package_note := true
"""
    tests = "package citygate.fixture_test\n\nimport rego.v1\n\ntest_versioned if { true }\n"
    folder = _folder(tmp_path, {"fixture.rego": POLICY + helpers, "fixture_test.rego": tests})
    policy_set = load_policy_set(folder, with_tests=True)
    assert policy_set.rules == ["data.citygate.fixture.deny", "data.citygate.fixture.proof"]
    assert policy_set.tests == {"data.citygate.fixture_test.test_versioned": str(folder / "fixture_test.rego")}
    meta = policy_set.metadata["CG_FIX_001"]
    assert (meta.title, meta.severity, meta.controls, meta.fix) == (
        "Buckets are versioned",
        Severity.HIGH,
        ("CG-FIX-1",),
        "Enable versioning.",
    )
    assert meta.where == f"{folder / 'fixture.rego'}:8"
    assert not load_policy_set(folder).tests  # test files load only with_tests


def test_a_verdict_head_in_any_layout_is_evaluated(tmp_path: Path) -> None:
    """A head a line-based reader would miss (indented, on one line with its body) is still a verdict."""
    policy = (
        HEADER
        + BUCKETS
        + META.format(title="t", id="CG_FIX_001")
        + (
            'deny   contains   {"id": "CG_FIX_001", "resource": b.address, "msg": "off"} if { some b in buckets; not b.values.versioning }\n'
            "  deny contains f if {\n"
            "\tsome b in buckets\n"
            "\tb.values.versioning == null\n"
            '\tf := {"id": "CG_FIX_001", "resource": b.address, "msg": "null"}\n'
            "}\n"
        )
    )
    folder = _folder(tmp_path, {"fixture.rego": policy})
    findings = RegoEngine(folder).run(_buckets(off=False, on=True), 30)
    assert _by_status(findings) == {"fail": {"aws_s3_bucket.off"}}


MISCLASSIFIED = {
    "deny as a complete rule": (HEADER + "deny := {1}\n", "`deny` must be a partial set rule", 5),
    "deny as a function": (HEADER + "deny(x) := x\n", "`deny` must be a partial set rule", 5),
    "warn with a ref head": (HEADER + "warn[x] if { x := 1 }\n", "`warn` must be a partial set rule", 5),
    "deny under a dotted head": (HEADER + "deny.sub contains 1 if true\n", "`deny` must be a partial set rule", 5),
    "default deny": (HEADER + "default deny := set()\n", "`deny` must be a partial set rule", 5),
    "proof as a complete rule": (HEADER + "proof := [1]\n", "`proof` must be a partial set rule", 5),
    "deny in the shared library": (
        "package citygate.lib\n\nimport rego.v1\n\ndeny contains 1 if true\n",
        "in package citygate.lib, which the gate never evaluates",
        5,
    ),
    "warn outside the citygate packages": (
        "package other\n\nimport rego.v1\n\nwarn contains 1 if true\n",
        "in package other, which the gate never evaluates",
        5,
    ),
    "proof in a test package": (
        "package citygate.fixture_test\n\nimport rego.v1\n\nproof contains 1 if true\n",
        "in package citygate.fixture_test, which the gate never evaluates",
        5,
    ),
    "misspelt deny": (HEADER + "denny contains 1 if true\n", "`denny` reads like `deny`", 5),
    "capitalised Deny": (HEADER + "Deny contains 1 if true\n", "`Deny` reads like `deny`", 5),
    "private _warn": (HEADER + "_warn contains 1 if true\n", "`_warn` reads like `warn`", 5),
    "proofs": (HEADER + "proofs contains 1 if true\n", "`proofs` reads like `proof`", 5),
    "a test written as a function": (
        "package citygate.fixture_test\n\nimport rego.v1\n\ntest_x(y) if { y }\n",
        "test `test_x` must be a complete rule",
        5,
    ),
    "METADATA naming an id the rule never produces": (
        HEADER + META.format(title="t", id="CG_FIX_002") + 'deny contains {"id": "CG_FIX_001"} if true\n',
        "METADATA names CG_FIX_002, which the `deny` rule below never produces",
        5,
    ),
    "METADATA naming an id on a helper": (
        HEADER + META.format(title="t", id="CG_FIX_001") + "helper := true\n",
        "METADATA names CG_FIX_001 on `helper`, which is not a deny/warn/proof rule",
        5,
    ),
    "METADATA above nothing": (
        HEADER + META.format(title="t", id="CG_FIX_001") + '\ndeny contains {"id": "CG_FIX_001"} if true\n',
        "METADATA block is not directly above a rule",
        5,
    ),
    "METADATA on a verdict without an id": (
        HEADER + "# METADATA\n# title: t\n" + 'deny contains {"id": "CG_FIX_001"} if true\n',
        "METADATA above `deny` names no custom.id",
        5,
    ),
    "METADATA with an unknown severity": (
        HEADER
        + META.format(title="t", id="CG_FIX_001").replace("high", "dire")
        + 'deny contains {"id": "CG_FIX_001"} if true\n',
        "unknown severity 'dire'",
        5,
    ),
    "METADATA controls not a list": (
        HEADER
        + META.format(title="t", id="CG_FIX_001").replace("[CG-FIX-1]", "CG-FIX-1")
        + 'deny contains {"id": "CG_FIX_001"} if true\n',
        "METADATA controls of CG_FIX_001 must be a list",
        5,
    ),
    "METADATA written twice, differently": (
        HEADER
        + META.format(title="one title", id="CG_FIX_001")
        + 'deny contains {"id": "CG_FIX_001"} if true\n\n'
        + META.format(title="another title", id="CG_FIX_001")
        + 'warn contains {"id": "CG_FIX_001"} if true\n',
        "METADATA for CG_FIX_001 differs from the block at",
        13,
    ),
}


@pytest.mark.parametrize("case", MISCLASSIFIED)
def test_a_rule_the_gate_would_misread_is_an_error_naming_file_and_line(tmp_path: Path, case: str) -> None:
    text, message, line = MISCLASSIFIED[case]
    name = "fixture_test.rego" if "_test\n" in text else "fixture.rego"
    folder = _folder(tmp_path, {name: text})
    with pytest.raises(CitygateError) as caught:
        load_policy_set(folder, with_tests=True)
    assert message in str(caught.value)
    assert caught.value.where == f"{folder / name}:{line}"


def test_the_same_metadata_repeated_word_for_word_is_accepted(tmp_path: Path) -> None:
    block = META.format(title="t", id="CG_FIX_001")
    text = (
        HEADER
        + block
        + 'deny contains {"id": "CG_FIX_001"} if true\n\n'
        + block
        + 'warn contains {"id": "CG_FIX_001"} if true\n'
    )
    assert set(load_policy_set(_folder(tmp_path, {"fixture.rego": text})).metadata) == {"CG_FIX_001"}


def test_a_verdict_id_without_metadata_fails_closed(tmp_path: Path) -> None:
    text = (
        HEADER
        + BUCKETS
        + 'deny contains {"id": "CG_FIX_009", "resource": b.address, "msg": "m"} if { some b in buckets }\n'
    )
    with pytest.raises(CitygateError, match="CG_FIX_009, which no METADATA block describes"):
        RegoEngine(_folder(tmp_path, {"fixture.rego": text})).run(_buckets(a=True), 30)


# ---------------------------------------------------------------- proofs


def test_proofs_are_pass_findings_described_by_their_rule_metadata(tmp_path: Path) -> None:
    findings = RegoEngine(_folder(tmp_path, {"fixture.rego": POLICY})).run(_buckets(off=False, on=True), 30)
    assert _by_status(findings) == {"fail": {"aws_s3_bucket.off"}, "pass": {"aws_s3_bucket.on"}}
    proof = next(f for f in findings if f.status == "pass")
    assert (proof.id, proof.title, proof.severity, proof.controls, proof.message, proof.engine) == (
        "CG_FIX_001",
        "Buckets are versioned",
        Severity.HIGH,
        ["CG-FIX-1"],
        "versioning = true",
        "rego",
    )


@pytest.mark.parametrize(
    "result",
    ['{"id": "CG_FIX_001", "resource": b.address}', '{"id": "CG_FIX_001", "evidence": "e"}', '"CG_FIX_001"'],
)
def test_a_malformed_proof_fails_closed(tmp_path: Path, result: str) -> None:
    text = (
        HEADER
        + BUCKETS
        + META.format(title="t", id="CG_FIX_001")
        + f"proof contains {result} if {{ some b in buckets }}\n"
    )
    with pytest.raises(CitygateError, match="without id/resource/evidence"):
        RegoEngine(_folder(tmp_path, {"fixture.rego": text})).run(_buckets(on=True), 30)


def test_the_opa_server_engine_reports_the_same_proofs(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"fixture.rego": POLICY})
    gate_input = _buckets(off=False, on=True)
    embedded = RegoEngine(folder).run(gate_input, 30)
    with opa_stub() as server:
        options = EngineOptions(opa_url=f"http://127.0.0.1:{server.server_address[1]}")
        remote = OpaEngine(folder).run(GateInput(gate_input.inventory, gate_input.path, options), 30)
    assert [(f.id, f.status, f.resource, f.message, f.controls) for f in remote] == [
        (f.id, f.status, f.resource, f.message, f.controls) for f in embedded
    ]


# ---------------------------------------------------------------- catalogue parameters

PARAMETERS_POLICY = (
    HEADER
    + BUCKETS
    + "\n"
    + META.format(title="Buckets keep few versions", id="CG_FIX_003")
    + """deny contains {"id": "CG_FIX_003", "resource": b.address, "msg": "too many versions"} if {
	some b in buckets
	b.values.versions > data.citygate.parameters["CG-FIX-1"].max_versions
}
"""
)


def _catalogue_with(parameters: dict[str, Any]) -> list[SimpleNamespace]:
    return [SimpleNamespace(id="CG-FIX-1", parameters=parameters), SimpleNamespace(id="CG-FIX-2", parameters={})]


def _versions(**counts: int) -> GateInput:
    resources = [
        Resource(address=f"aws_s3_bucket.{name}", type="aws_s3_bucket", name=name, values={"versions": n})
        for name, n in counts.items()
    ]
    return GateInput(inventory=Inventory(kind="terraform", source="plan", resources=resources), path=Path("plan.json"))


def test_policies_read_catalogue_parameters_as_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("citygate.engines.policyset.load_catalogue", lambda: _catalogue_with({"max_versions": 3}))
    folder = _folder(tmp_path, {"fixture.rego": PARAMETERS_POLICY})
    assert load_policy_set(folder).parameters == {"CG-FIX-1": {"max_versions": 3}}
    gate_input = _versions(few=3, many=4)
    assert _by_status(RegoEngine(folder).run(gate_input, 30)) == {"fail": {"aws_s3_bucket.many"}}
    with opa_stub() as server:
        options = EngineOptions(opa_url=f"http://127.0.0.1:{server.server_address[1]}")
        remote = OpaEngine(folder).run(GateInput(gate_input.inventory, gate_input.path, options), 30)
        assert server.data == {"citygate": {"parameters": {"CG-FIX-1": {"max_versions": 3}}}}
    assert _by_status(remote) == {"fail": {"aws_s3_bucket.many"}}


def test_the_engine_sees_the_project_catalogue_parameters(tmp_path: Path) -> None:
    echo = (
        HEADER
        + META.format(title="t", id="CG_FIX_004")
        + 'warn contains {"id": "CG_FIX_004", "resource": control, "msg": json.marshal(p)} if {\n'
        + "\tsome control, p in data.citygate.parameters\n}\n"
    )
    findings = RegoEngine(_folder(tmp_path, {"fixture.rego": echo})).run(_buckets(a=True), 30)
    seen = {f.resource: f.message for f in findings}
    expected = {c.id: c.parameters for c in load_catalogue() if c.parameters}
    assert expected, "the catalogue declares parameters (e.g. the WAF rate bounds)"
    assert {control: json.loads(text) for control, text in seen.items()} == expected
