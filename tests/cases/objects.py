"""The Kubernetes and CI/CD controls' catalogue cases, written to files and judged by every engine implementing them.

A case of Kubernetes objects (`manifests`) is one manifest file, loaded as its own bundle; a case of
workflows is its own `.github/workflows` folder.  Our in-process engines (Rego, and for workloads the
schema, reachability and IRSA engines) and the Gherkin scenarios judge each case alone; Checkov, a
subprocess that takes seconds to start, runs once over every case of a kind and its findings are read
back per case file.  Nothing is planned or applied: these inputs are judged as written.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path

import yaml

from citygate.bdd.features import ConcreteScenario
from citygate.controls import Case, Catalogue, Control
from citygate.engines.base import Engine, EngineOptions, GateInput
from citygate.engines.checkov import CheckovEngine
from citygate.engines.policyset import load_policy_set
from citygate.engines.rego import RegoEngine
from citygate.findings import Finding
from citygate.k8s import load_manifests
from citygate.k8s.engines import AlbEngine, IrsaEngine, ReachabilityEngine, SchemaEngine
from citygate.model import Inventory
from citygate.paths import REGO_DIR
from citygate.workflows import load_workflows
from tests.cases.runner import FEATURE_SCENARIOS, TIMEOUT, Verdict, judge_scenarios

ENVIRONMENT = "local"  # the stack whose IRSA roles and target groups the cases are cross-checked with
KINDS = ("kubernetes", "github_workflows")
FAMILY = {"kubernetes": "workloads", "github_workflows": "workflows"}  # the scenarios' tag per input kind
REGO_PACKAGE = {"kubernetes": "kubernetes", "github_workflows": "cicd"}
# The rules our Python workload engines implement (the rest of ours are Rego rules).
PYTHON_ENGINES: dict[str, tuple[Callable[[], Engine], frozenset[str]]] = {
    "schema": (SchemaEngine, frozenset({"CG_K8S_030"})),
    "reachability": (ReachabilityEngine, frozenset({"CG_K8S_017", "CG_K8S_020", "CG_K8S_021"})),
    "irsa": (IrsaEngine, frozenset({"CG_K8S_012"})),
    "alb": (AlbEngine, frozenset({"CG_K8S_040"})),
}
ENGINES = {
    "kubernetes": ("rego", *PYTHON_ENGINES, "checkov", "bdd"),
    "github_workflows": ("rego", "checkov", "bdd"),
}
SCANNER_PREFIXES = ("CKV_", "CKV2_")


@cache
def rego_rules(kind: str) -> frozenset[str]:
    return frozenset(load_policy_set(REGO_DIR / REGO_PACKAGE[kind]).metadata)


def engine_rules(kind: str, engine: str) -> frozenset[str]:
    """Our rule ids an in-process engine implements for an input kind."""
    return rego_rules(kind) if engine == "rego" else PYTHON_ENGINES[engine][1]


@dataclass(frozen=True)
class ObjectCase:
    """A Kubernetes or CI/CD case of a control, and the files it is written to."""

    control: Control
    case: Case
    folder: Path

    @property
    def id(self) -> str:
        return f"{self.control.id}/{self.case.name}"

    @property
    def kind(self) -> str:
        return self.case.kind

    @property
    def path(self) -> Path:
        """What the loaders read: the manifest file, or the workflows folder."""
        if self.kind == "kubernetes":
            return self.folder / "manifests.yaml"
        return self.folder / ".github" / "workflows"

    def write(self) -> None:
        if self.kind == "kubernetes":
            self.folder.mkdir(parents=True, exist_ok=True)
            self.path.write_text(yaml.safe_dump_all(self.case.manifests, sort_keys=False), encoding="utf-8")
            return
        self.path.mkdir(parents=True, exist_ok=True)
        for name, document in self.case.workflows.items():
            (self.path / name).write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")

    @cached_property
    def inventory(self) -> Inventory:
        if self.kind == "kubernetes":
            return load_manifests(self.path, environment=ENVIRONMENT)
        return load_workflows(self.path)

    @cached_property
    def addresses(self) -> frozenset[str]:
        return frozenset(r.address for r in self.inventory.resources)

    @cached_property
    def files(self) -> frozenset[str]:
        return frozenset(r.file for r in self.inventory.resources)

    def owns(self, address: str) -> bool:
        return address in self.addresses


def object_cases(catalogue: Catalogue, root: Path) -> list[ObjectCase]:
    """Every Kubernetes and CI/CD case of the catalogue, each in its own folder under `root` (not yet written)."""
    return [
        ObjectCase(control, case, root / f"{control.id}__{case.name}".lower())
        for control in catalogue
        for case in control.cases
        if case.kind in KINDS
    ]


def scanner_rules(control: Control, rules: Iterable[str] = ()) -> tuple[str, ...]:
    """Checkov's rules mapped to the control (or twinned with one of its own `rules` when named)."""
    scanners = [r for r in control.rules if r.startswith(SCANNER_PREFIXES)]
    if not control.own_rules():
        return tuple(scanners)  # the scanner alone enforces the control
    about = set(rules or control.own_rules())
    return tuple(r for r in scanners if control.twin(r) in about)


def case_scenarios(control: Control, kind: str) -> list[ConcreteScenario]:
    """The scenarios tagged with the control that read this kind of input."""
    return [s for s in FEATURE_SCENARIOS if control.id in s.tags and FAMILY[kind] in s.tags]


def own_rules_of(control: Control, case: Case) -> set[str]:
    return set(case.rules or control.own_rules())


def implementing(control: Control, case: Case) -> list[str]:
    """The engines implementing what the case is about."""
    about = own_rules_of(control, case)
    implemented = {engine: bool(about & engine_rules(case.kind, engine)) for engine in ("rego", *PYTHON_ENGINES)}
    implemented["checkov"] = bool(scanner_rules(control, case.rules))
    implemented["bdd"] = bool(case_scenarios(control, case.kind))
    return [engine for engine in ENGINES[case.kind] if implemented.get(engine)]


class LazyStacks(Mapping[str, Path]):
    """The synthesized stacks by environment, synthesized on first look: only the IRSA cross-check of
    a case holding an annotated service account or a platform namespace reads them."""

    def __init__(self, synthesize: Callable[[], Mapping[str, Path]]) -> None:
        self._synthesize = synthesize

    @cached_property
    def _files(self) -> Mapping[str, Path]:
        return self._synthesize()

    def __getitem__(self, env: str) -> Path:
        return self._files[env]

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)


@dataclass
class ObjectRun:
    """Every Kubernetes and CI/CD case written once; Checkov runs once per input kind, when first asked."""

    cases: list[ObjectCase]
    synth_files: Mapping[str, Path]
    workdir: Path
    with_checkov: bool
    _checkov: dict[str, list[Finding]] = field(default_factory=dict)  # input kind -> findings on every case
    _rego: dict[str, RegoEngine] = field(default_factory=dict)

    def case(self, case_id: str) -> ObjectCase:
        """A written case by id: `CG-K8S-2/runs-as-root`."""
        return next(case for case in self.cases if case.id == case_id)

    def checkov(self, kind: str) -> list[Finding]:
        """Checkov's findings on every case of an input kind, each `file` naming its case's file."""
        if not self.with_checkov:
            raise LookupError("Checkov is not installed")
        if kind not in self._checkov:
            self._checkov[kind] = _checkov([c for c in self.cases if c.kind == kind], self.workdir / kind)
        return self._checkov[kind]

    def verdict(self, case: ObjectCase, engine: str) -> Verdict:
        if engine == "bdd":
            read = ((s, case.inventory) for s in case_scenarios(case.control, case.kind))
            return judge_scenarios(read, case)
        if engine == "checkov":
            rules = set(scanner_rules(case.control, case.case.rules))
            found = [f for f in self.checkov(case.kind) if f.file in case.files]
            return _flagged(found, case, rules)
        return _flagged(
            self.run(case, engine), case, own_rules_of(case.control, case.case) & engine_rules(case.kind, engine)
        )

    def run(self, case: ObjectCase, engine: str) -> list[Finding]:
        gate_input = GateInput(case.inventory, case.path, EngineOptions(synth_files=self.synth_files))
        if engine == "rego":
            rego = self._rego.setdefault(case.kind, RegoEngine(REGO_DIR / REGO_PACKAGE[case.kind]))
            return rego.run(gate_input, TIMEOUT)
        return PYTHON_ENGINES[engine][0]().run(gate_input, TIMEOUT)


def _flagged(findings: list[Finding], case: ObjectCase, rules: set[str]) -> Verdict:
    return Verdict(
        tuple(
            f"{f.id} {f.resource}: {f.message}"
            for f in findings
            if f.status == "fail" and f.id in rules and case.owns(f.resource)
        )
    )


def run_objects(
    cases: list[ObjectCase], synth_files: Mapping[str, Path], workdir: Path, with_checkov: bool
) -> ObjectRun:
    """Write every case; Checkov (when installed) is run on them on first use."""
    for case in cases:
        case.write()
    return ObjectRun(cases, synth_files, workdir, with_checkov)


def _checkov(cases: list[ObjectCase], workdir: Path) -> list[Finding]:
    """Checkov over every case of one kind at once; each finding's `file` is its case's file."""
    if not cases:
        return []
    if cases[0].kind == "kubernetes":
        resources = [r for case in cases for r in case.inventory.resources]
        inventory = Inventory("kubernetes", "manifests", resources, origin=str(workdir))
        return CheckovEngine().run(GateInput(inventory, workdir), TIMEOUT)
    # Checkov reads workflows from one folder: copies named after their case, read back to the case's file.
    workdir.mkdir(parents=True, exist_ok=True)
    original: dict[str, str] = {}
    for case in cases:
        for resource in case.inventory.resources:
            copy = workdir / f"{case.folder.name}--{Path(resource.file).name}"
            if not copy.exists():
                shutil.copyfile(resource.file, copy)
            original[str(copy)] = resource.file
    findings = CheckovEngine().run(GateInput(load_workflows(workdir), workdir), TIMEOUT)
    return [_refiled(f, original) for f in findings]


def _refiled(finding: Finding, original: Mapping[str, str]) -> Finding:
    """A finding on a copy, pointed back at the case's own file (and workflow address)."""
    file = original.get(finding.file, finding.file)
    copy = Path(finding.file).name
    resource = finding.resource.replace(f"Workflow/{copy}", f"Workflow/{Path(file).name}", 1)
    return replace(finding, file=file, resource=resource)
