"""One owner for every fact about a rule: wherever a rule id is stated, its facts agree.

The places that state something about a rule id: the Rego METADATA (read by the embedded engine
and the OPA engine alike, through one loader), the catalogue (which controls list the rule), the
live rules (their facts come from the static rules they mirror), the Python engines of the
Kubernetes checks, the custom Checkov checks (their facts come from the control that lists them)
and the Gherkin features (their tags name controls).  Title, severity and controls of one rule
id must be the same wherever they are stated; every reference must resolve.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from citygate.bdd.features import expand, load_features
from citygate.bdd.plugin import TARGET_TAGS
from citygate.bdd.spec import NOSKIP_TAG
from citygate.controls import Catalogue, Control, load_catalogue
from citygate.engines.checkov import BIN_ENV, BUNDLED
from citygate.engines.external import find_tool
from citygate.engines.policyset import RuleMeta, load_policy_set
from citygate.errors import CitygateError
from citygate.findings import Severity
from citygate.live.checks import RULES
from citygate.live.rules import LiveRule
from citygate.paths import CHECKOV_DIR, FEATURES, ROOT

# The Kubernetes checks and the least-privilege engine, written in Python, state their rule ids in code, not in METADATA.
PYTHON_ENGINES = (ROOT / "citygate" / "k8s", ROOT / "citygate" / "leastpriv")
RULE_ID = re.compile(r'"(CG_[A-Z0-9_]+_\d{3})"')
CUSTOM_CHECK = "CKV_CG_"
# Checkov imports this folder's modules by file name; this prints what each check states.
CHECKOV_FACTS = """
import json, runpy, sys
sys.path.insert(0, sys.argv[1])
checks = [runpy.run_path(path).get("check") for path in sys.argv[2:]]
print(json.dumps({c.id: [c.name, c.severity.name, c.guideline] for c in checks if c is not None}))
"""


@dataclass(frozen=True)
class Statement:
    """What one place says about a rule id; None where that place says nothing of that fact."""

    rule: str
    place: str
    title: str | None = None
    severity: Severity | None = None
    controls: tuple[str, ...] | None = None


def disagreements(statements: Iterable[Statement]) -> list[str]:
    """One line per fact of a rule id that two places state differently."""
    by_rule: dict[str, list[Statement]] = defaultdict(list)
    for statement in statements:
        by_rule[statement.rule].append(statement)
    found = []
    for rule, stated in sorted(by_rule.items()):
        for fact in ("title", "severity", "controls"):
            values = {s.place: getattr(s, fact) for s in stated if getattr(s, fact) is not None}
            if len(set(values.values())) > 1:
                found.append(f"{rule} {fact}: " + "; ".join(f"{place} says {_shown(v)}" for place, v in values.items()))
    return found


def _shown(value: object) -> str:
    return value.name.lower() if isinstance(value, Severity) else repr(value)


def rego_statements(metadata: Mapping[str, RuleMeta]) -> list[Statement]:
    return [
        Statement(m.id, f"METADATA {m.where or m.id}", m.title, m.severity, tuple(sorted(m.controls)))
        for m in metadata.values()
    ]


def catalogue_statements(catalogue: Catalogue) -> list[Statement]:
    return [
        Statement(rule, "the catalogue", controls=tuple(sorted(catalogue.controls_for_rule(rule))))
        for rule in catalogue.rules()
    ]


def live_statements(
    rules: Iterable[LiveRule], metadata: Mapping[str, RuleMeta], catalogue: Catalogue
) -> list[Statement]:
    return [
        Statement(rule.id, "live rule", facts.title, facts.severity, tuple(sorted(facts.controls)))
        for rule in rules
        for facts in [rule.facts(metadata, catalogue)]
    ]


def python_engine_rules() -> set[str]:
    paths = (path for folder in PYTHON_ENGINES for path in folder.rglob("*.py"))
    return {rule for path in paths for rule in RULE_ID.findall(path.read_text())}


@pytest.fixture(scope="module")
def metadata() -> dict[str, RuleMeta]:
    return load_policy_set().metadata


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def custom_checks() -> dict[str, tuple[str, str, str]]:
    """Check id -> (name, severity, guideline) as Checkov loads them: Python checks in Checkov's own
    virtualenv (as the gate runs them), YAML checks as written."""
    python = find_tool("checkov", BIN_ENV, BUNDLED).parent / "python"
    modules = sorted(str(p) for p in CHECKOV_DIR.glob("cg_*.py"))
    done = subprocess.run(
        [str(python), "-c", CHECKOV_FACTS, str(CHECKOV_DIR), *modules],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    checks: dict[str, tuple[str, str, str]] = {
        check: (name, severity, guideline) for check, (name, severity, guideline) in json.loads(done.stdout).items()
    }
    for path in sorted(CHECKOV_DIR.glob("cg_*.yaml")):
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))["metadata"]
        checks[meta["id"]] = (meta["name"], str(meta.get("severity", "")).upper(), meta["guideline"])
    return checks


def test_every_rule_id_states_the_same_facts_everywhere(metadata: dict[str, RuleMeta], catalogue: Catalogue) -> None:
    statements = [
        *rego_statements(metadata),
        *catalogue_statements(catalogue),
        *live_statements(RULES.values(), metadata, catalogue),
    ]
    assert not disagreements(statements)


def test_every_live_rule_mirrors_existing_static_rules(metadata: dict[str, RuleMeta], catalogue: Catalogue) -> None:
    for rule in RULES.values():
        missing = [m for m in rule.mirrors if m not in metadata and catalogue.get(m) is None]
        assert not missing, f"{rule.id} mirrors {missing}: no Rego rule or control has that id"
        assert rule.facts(metadata, catalogue).controls, f"{rule.id} enforces no control"


def test_custom_checks_report_the_facts_of_their_control(
    custom_checks: dict[str, tuple[str, str, str]], catalogue: Catalogue
) -> None:
    listed = {rule for rule in catalogue.rules() if rule.startswith(CUSTOM_CHECK)}
    assert set(custom_checks) == listed, "every custom check is listed by a control, and every listed one exists"
    for check, stated in custom_checks.items():
        (control_id,) = catalogue.controls_for_rule(check)
        control = catalogue.controls[control_id]
        assert stated == (control.title, control.severity.name, control.description), check


def test_catalogue_rules_exist_in_some_engine(metadata: dict[str, RuleMeta], catalogue: Catalogue) -> None:
    known = set(metadata) | set(RULES) | python_engine_rules()
    listed = {rule for rule in catalogue.rules() if rule.startswith("CG_")}
    assert sorted(listed - known) == []
    for control in catalogue:  # a scanner rule's twin is our rule of the same control
        for scanner, ours in control.twins.items():
            assert {scanner, ours} <= set(control.rules) and ours in known, f"{control.id} twins {scanner}: {ours}"


def test_every_rule_id_maps_to_a_catalogued_control(metadata: dict[str, RuleMeta], catalogue: Catalogue) -> None:
    def unmapped(rules: dict[str, Iterable[str]]) -> list[str]:
        return sorted(
            rule for rule, controls in rules.items() if not controls or not set(controls) <= set(catalogue.controls)
        )

    assert unmapped({m.id: m.controls for m in metadata.values()}) == []
    assert unmapped({r.id: r.facts(metadata, catalogue).controls for r in RULES.values()}) == []
    assert unmapped({rule: catalogue.controls_for_rule(rule) for rule in python_engine_rules()}) == []


def test_features_tag_catalogued_controls_and_nothing_the_catalogue_owns(catalogue: Catalogue) -> None:
    """A tag is a control id, a target (`@live`, ...) or the feature's own domain: frameworks and
    titles are the catalogue's, shown beside the control, never restated in a feature."""
    for feature in load_features(FEATURES):
        allowed = {*catalogue.controls, *TARGET_TAGS, NOSKIP_TAG, Path(feature.filename).stem}
        for scenario in expand(feature):
            assert scenario.tags <= allowed, f"{scenario.key}: tags {sorted(scenario.tags - allowed)}"
            assert any(tag in catalogue.controls for tag in scenario.tags), f"{scenario.key} names no control"


# ---- the checks above catch a disagreement ------------------------------------------------------

CONTROL = Control(
    id="CG-X-1",
    title="Things are safe",
    description="Every thing is safe.",
    severity=Severity.HIGH,
    frameworks={},
    rules=("CG_X_001", "CG_X_002"),
    stages=("static", "live"),
)
STATIC = {
    "CG_X_001": RuleMeta("CG_X_001", "Things are encrypted", Severity.HIGH, ("CG-X-1",), "Encrypt it."),
    "CG_X_002": RuleMeta("CG_X_002", "Things are private", Severity.CRITICAL, ("CG-X-1",), "Close it."),
    "CG_Y_001": RuleMeta("CG_Y_001", "Other things are logged", Severity.LOW, ("CG-Y-1",), "Log it."),
}


def test_a_disagreement_between_two_places_is_named() -> None:
    stated = [
        *rego_statements(STATIC),
        Statement("CG_X_001", "live rule", "Things are encrypted", Severity.MEDIUM, ("CG-X-1",)),
        Statement("CG_X_002", "the catalogue", controls=("CG-X-2",)),
    ]
    assert disagreements(stated) == [
        "CG_X_001 severity: METADATA CG_X_001 says high; live rule says medium",
        "CG_X_002 controls: METADATA CG_X_002 says ('CG-X-1',); the catalogue says ('CG-X-2',)",
    ]
    assert disagreements([*rego_statements(STATIC), *catalogue_statements(Catalogue([CONTROL]))]) == []


def test_a_live_rule_takes_every_fact_from_what_it_mirrors() -> None:
    catalogue = Catalogue([CONTROL])
    one = LiveRule("CG_LIVE_X_001", ("CG_X_001",), lambda ctx: ()).facts(STATIC, catalogue)
    both = LiveRule("CG_LIVE_X_002", ("CG_X_001", "CG_X_002"), lambda ctx: ()).facts(STATIC, catalogue)
    control = LiveRule("CG_LIVE_X_003", ("CG-X-1",), lambda ctx: ()).facts(STATIC, catalogue)
    assert one == RuleMeta("CG_LIVE_X_001", "Things are encrypted", Severity.HIGH, ("CG-X-1",), "Encrypt it.")
    assert both == RuleMeta("CG_LIVE_X_002", "Things are safe", Severity.CRITICAL, ("CG-X-1",), "Encrypt it. Close it.")
    assert control == RuleMeta("CG_LIVE_X_003", "Things are safe", Severity.HIGH, ("CG-X-1",), "Every thing is safe.")


@pytest.mark.parametrize(
    "mirrors", [("CG_X_404",), ("CG_X_001", "CG-X-1"), ("CG-X-1", "CG-X-1"), ("CG_X_001", "CG_Y_001")]
)
def test_a_live_rule_mirroring_nothing_known_fails_closed(mirrors: tuple[str, ...]) -> None:
    with pytest.raises(CitygateError, match="mirrors"):
        LiveRule("CG_LIVE_X_404", mirrors, lambda ctx: ()).facts(STATIC, Catalogue([CONTROL]))
