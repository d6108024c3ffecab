"""The page's content: features as written, joined to their runs, the catalogue and the exceptions, and
the requirement and control rows with their status per environment (`matrix`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pytest_bdd.parser import Feature, ScenarioTemplate, Step

from citygate.bdd.features import load_features
from citygate.controls import Control
from citygate.exceptions import PolicyException
from citygate.livingdoc.evidence import Evidence
from citygate.livingdoc.matrix import ControlRow, RequirementRow, build_rows
from citygate.livingdoc.requirements import Requirement
from citygate.livingdoc.results import Run

CONTROL_TAG = re.compile(r"^CG-[A-Z0-9]+-[0-9]+$")
TARGET_TAGS = {
    "config": "each environment's synthesized configuration (what it declares)",
    "live": "the live account after apply on the embedded AWS",
    "workloads": "the workload manifests",
    "workflows": "the CI/CD workflows",
    "recorded": "the AWS calls recorded from the workloads on the embedded AWS, against the plan's IRSA policies",
}


@dataclass(frozen=True)
class ExceptionView:
    exception: PolicyException
    expired: bool
    days_left: int | None = None


@dataclass(frozen=True)
class MatrixView:
    """A reachability matrix: `cells[i][j]` says what `endpoints[i]` may reach in `endpoints[j]`
    (its ports, or "" for nothing); `intended[i][j]` what the intent opens, and `states[i][j]` how the
    two compare (`open`, `unintended`, `blocked`, `closed`; "" when no intent was given)."""

    title: str
    endpoints: list[str]
    cells: list[list[str]]
    intended: list[list[str]] = field(default_factory=list)
    states: list[list[str]] = field(default_factory=list)
    env: str = ""


@dataclass
class StepView:
    keyword: str
    text: str
    line: int


@dataclass
class ScenarioView:
    feature: str
    keyword: str
    name: str
    line: int
    tags: list[str]
    steps: list[StepView]
    examples: list[tuple[list[str], list[list[str]]]]
    runs: list[Run] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"scenario-{Path(self.feature).stem}-{self.line}"

    @property
    def controls(self) -> list[str]:
        return [t for t in self.tags if CONTROL_TAG.match(t)]

    @property
    def judged(self) -> str:
        for tag, target in TARGET_TAGS.items():
            if tag in self.tags:
                return target
        return "each environment's synthesized stack and plan"

    @property
    def status(self) -> str:
        statuses = {run.status for run in self.runs}
        if statuses & {"failed", "error"}:
            return "failed"
        if "passed" in statuses:
            return "passed"
        return "skipped" if statuses else "not-run"


@dataclass
class FeatureView:
    file: str
    name: str
    description: str
    tags: list[str]
    scenarios: list[ScenarioView]


@dataclass
class CoverageRow:
    control: Control
    scenarios: list[ScenarioView]

    @property
    def status(self) -> str:
        if not self.scenarios:
            return "gap"
        return "failed" if any(s.status == "failed" for s in self.scenarios) else "covered"


@dataclass
class Document:
    features: list[FeatureView]
    controls: list[Control]
    coverage: list[CoverageRow]
    unknown_controls: list[str]  # tagged in a feature, missing from the catalogue
    exceptions: list[ExceptionView]
    matrices: list[MatrixView]
    title: str = "citygate: what is enforced, and where"
    requirements: list[RequirementRow] = field(default_factory=list)
    control_rows: list[ControlRow] = field(default_factory=list)
    evidence: Evidence = field(default_factory=lambda: Evidence(None))

    @property
    def environments(self) -> list[str]:
        return list(self.evidence.environments)

    def matrices_for(self, env: str) -> list[MatrixView]:
        return [m for m in self.matrices if m.env == env]

    def failing(self) -> list[ScenarioView]:
        return [s for f in self.features for s in f.scenarios if s.status == "failed"]

    def counts(self) -> dict[str, int]:
        scenarios = [s for f in self.features for s in f.scenarios]
        runs = [r for s in scenarios for r in s.runs]
        return {
            "scenarios": len(scenarios),
            "scenarios_failed": sum(s.status == "failed" for s in scenarios),
            "runs": len(runs),
            "runs_passed": sum(r.status == "passed" for r in runs),
            "runs_failed": sum(r.status in ("failed", "error") for r in runs),
            "runs_skipped": sum(r.status == "skipped" for r in runs),
            "controls": len(self.coverage),
            "gaps": sum(row.status == "gap" for row in self.coverage),
            "requirements": len(self.requirements),
            "requirements_controlled": sum(r.requirement.disposition == "controlled" for r in self.requirements),
            "requirements_not_covered": sum(r.requirement.disposition == "not covered" for r in self.requirements),
            "requirements_out_of_scope": sum(r.requirement.disposition == "out of scope" for r in self.requirements),
            "requirements_failed": sum(r.status == "failed" for r in self.requirements),
        }


def _steps(steps: Iterable[Step]) -> list[StepView]:
    return [StepView(step.keyword, step.name, step.line_number) for step in steps]


def _scenario(feature: Feature, template: ScenarioTemplate, runs: list[Run]) -> ScenarioView:
    file = Path(feature.filename).name
    return ScenarioView(
        feature=file,
        keyword=template.keyword,
        name=template.name,
        line=template.line_number,
        tags=sorted(set(feature.tags) | set(template.tags)),
        steps=_steps(template.steps),
        examples=[(list(e.example_params), [list(row) for row in e.examples]) for e in template.examples],
        runs=[r for r in runs if r.feature == file and r.line == template.line_number],
    )


def build_document(
    features_dir: Path,
    runs: list[Run],
    controls: list[Control],
    exceptions: list[ExceptionView],
    matrices: list[MatrixView] | None = None,
    requirements: list[Requirement] | None = None,
    evidence: Evidence | None = None,
) -> Document:
    features = [
        FeatureView(
            file=Path(f.filename).name,
            name=f.name,
            description=f.description,
            tags=sorted(f.tags),
            scenarios=[_scenario(f, t, runs) for t in f.scenarios.values()],
        )
        for f in load_features(features_dir)
    ]
    scenarios = [s for f in features for s in f.scenarios]
    coverage = [CoverageRow(c, [s for s in scenarios if c.id in s.controls]) for c in controls]
    known = {c.id for c in controls}
    unknown = sorted({tag for s in scenarios for tag in s.controls} - known)
    evidence = evidence or Evidence(None, {})
    runs_by_control = {c.id: [r for s in scenarios if c.id in s.controls for r in s.runs] for c in controls}
    scenario_links = {c.id: [(s.anchor, s.name, s.status) for s in scenarios if c.id in s.controls] for c in controls}
    requirement_rows, control_rows = build_rows(requirements or [], controls, runs_by_control, scenario_links, evidence)
    return Document(
        features,
        controls,
        coverage,
        unknown,
        exceptions,
        matrices or [],
        requirements=requirement_rows,
        control_rows=control_rows,
        evidence=evidence,
    )
