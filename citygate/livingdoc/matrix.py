"""Status per environment: of each control (scenarios + recorded evidence) and of each requirement.

A control is judged in an environment by the scenarios run against that environment's targets (or
against a target every environment shares: the workloads, the workflows) and by the evidence files
recorded for it: the plan gate and the live check for AWS controls, the workload gate for Kubernetes
controls.  Nothing judged it: `not-run`.  Only vacuous runs: `skipped`.  Neither is ever `passed`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from citygate.controls import Control
from citygate.environments import ENVIRONMENTS
from citygate.livingdoc.evidence import EnvironmentEvidence, Evidence, GateEvidence
from citygate.livingdoc.requirements import Requirement
from citygate.livingdoc.results import Run

# Worst first: the status of several judgements is the worst of them.
ORDER = ("failed", "partial", "excepted", "passed", "skipped", "not-run")
# Which evidence files judge a control, by its catalogue file.
EVIDENCE_BY_DOMAIN = {"aws": ("gate", "live"), "kubernetes": ("workloads",), "cicd": ()}


def worst(statuses: list[str]) -> str:
    return min(statuses, key=ORDER.index) if statuses else "not-run"


def run_env(run: Run) -> str:
    """The environment a run judged (`plan-dev` -> dev), or "" for a target every environment shares."""
    suffix = run.target.rsplit("-", 1)[-1]
    return suffix if suffix in ENVIRONMENTS else ""


def run_status(run: Run) -> str:
    return {"error": "failed"}.get(run.status, run.status)


@dataclass(frozen=True)
class Judgement:
    """One source's say on a control in one environment (a scenario run, a gate, the live check)."""

    source: str
    status: str
    detail: str
    anchor: str

    @property
    def scenario(self) -> bool:
        return self.source.startswith("scenario")


@dataclass
class Cell:
    """A control (or requirement) in one environment."""

    env: str
    judgements: list[Judgement] = field(default_factory=list)
    status_override: str = ""

    @property
    def status(self) -> str:
        return self.status_override or worst([j.status for j in self.judgements])


def _gate_judgement(source: str, gate: GateEvidence, control: Control, anchor: str) -> Judgement | None:
    findings = gate.for_control(control.id)
    outcomes = [f.outcome for f in findings]
    failing = outcomes.count("failing")
    if failing:
        return Judgement(source, "failed", f"{failing} failing", anchor)
    if "excepted" in outcomes:
        return Judgement(source, "excepted", f"{outcomes.count('excepted')} excepted", anchor)
    if source == "live" and not findings:
        return None  # the live check reports passes too: nothing about the control means it was not judged
    resolved = len(findings) - outcomes.count("passed")
    detail = f"{outcomes.count('passed')} passed" if source == "live" else "no failing finding"
    return Judgement(source, "passed", detail + (f", {resolved} resolved" if resolved else ""), anchor)


def control_cell(control: Control, env: EnvironmentEvidence, runs: list[Run]) -> Cell:
    """`runs`: the runs of the scenarios tagged with the control."""
    cell = Cell(env.env)
    for run in runs:
        if run_env(run) in ("", env.env):
            cell.judgements.append(Judgement(f"scenario {run.label}", run_status(run), run.message, ""))
    domain = Path(control.file).stem
    for source in EVIDENCE_BY_DOMAIN.get(domain, ()):
        gate = getattr(env, source)
        if gate is None or (source == "live" and "live" not in control.stages):
            continue
        judgement = _gate_judgement(source, gate, control, f"{env.anchor}-{source}")
        if judgement is not None:
            cell.judgements.append(judgement)
    return cell


@dataclass
class ControlRow:
    control: Control
    scenarios: list[tuple[str, str, str]]  # (anchor, name, status)
    cells: dict[str, Cell]


@dataclass
class RequirementRow:
    requirement: Requirement
    controls: list[ControlRow]
    cells: dict[str, Cell]

    @property
    def status(self) -> str:
        """Over every environment: `not covered` and `out of scope` rows say so, whatever ran."""
        if self.requirement.disposition != "controlled":
            return self.requirement.disposition.replace(" ", "-")
        return worst([c.status for c in self.cells.values()])


def requirement_cell(env: str, rows: list[ControlRow]) -> Cell:
    statuses = [row.cells[env].status for row in rows]
    cell = Cell(env, [j for row in rows for j in row.cells[env].judgements])
    if "failed" in statuses:
        cell.status_override = "failed"
    elif all(s == "not-run" for s in statuses):
        cell.status_override = "not-run"
    elif any(s in ("not-run", "skipped") for s in statuses):
        cell.status_override = "partial"  # some controls judged, some not: never "passed"
    return cell


def build_rows(
    requirements: list[Requirement],
    controls: list[Control],
    control_runs: dict[str, list[Run]],
    scenarios: dict[str, list[tuple[str, str, str]]],
    evidence: Evidence,
) -> tuple[list[RequirementRow], list[ControlRow]]:
    """Control rows (one per catalogue control) and requirement rows built on them."""
    control_rows = {
        c.id: ControlRow(
            c,
            scenarios.get(c.id, []),
            {env: control_cell(c, view, control_runs.get(c.id, [])) for env, view in evidence.environments.items()},
        )
        for c in controls
    }
    requirement_rows = []
    for requirement in requirements:
        rows = [control_rows[c] for c in requirement.controls if c in control_rows]
        cells = {env: requirement_cell(env, rows) for env in evidence.environments} if rows else {}
        requirement_rows.append(RequirementRow(requirement, rows, cells))
    return requirement_rows, list(control_rows.values())
