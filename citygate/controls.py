"""The controls catalogue: the single source of truth a reviewer signs off.

Each domain owner keeps one YAML file in `policies/controls/`; they merge into one `Catalogue`,
validated against `policies/controls/schema.json`.  The gate maps every engine's rule ids (ours,
Checkov's, Trivy's) to control ids through it; the reporters and Gherkin specs read titles and
framework mappings from it.  A file may also declare scanner rules `not_applicable` to this platform,
with the reason a reviewer signs: the gate then records their failures as decided instead of blocking.
A rule is either enforced by a control or not applicable, never both and never declared twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from citygate.errors import CitygateError
from citygate.findings import Severity
from citygate.paths import CONTROLS_DIR

SCHEMA_FILE = "schema.json"
FRAMEWORKS = ("fsbp", "cis_aws_v3", "cis_eks_v1_5", "nist_800_53")
# Our rule ids: CG_AREA_NNN (underscores, three digits); control ids are CG-AREA-N.
RULE_PREFIX = "CG_"
WORKFLOW_FILE = "workflow.yml"  # where a case's single `workflow:` is written


@dataclass(frozen=True)
class Case:
    """An example of the control, and whether it complies: Terraform JSON (`{type: {name: arguments}}`),
    Kubernetes objects (`manifests`) or GitHub Actions workflows (`workflows`, by file name); one of the three.

    `rules` narrows a case to some of the control's own rules: only the engines implementing one of
    them judge it (a live rule mirroring another rule of the control has nothing to say about it).

    `live` False: the embedded AWS cannot apply it, so the live rules do not judge it (`reason` says why).
    `disagreements`: engines known to judge it wrongly, and why; the agreement test holds them to that.
    """

    name: str
    compliant: bool
    terraform: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    manifests: tuple[dict[str, Any], ...] = ()
    workflows: dict[str, dict[str, Any]] = field(default_factory=dict)  # file name -> workflow document
    rules: tuple[str, ...] = ()  # the control's own rules the case is about; () = all of them
    live: bool = True
    reason: str = ""
    disagreements: dict[str, str] = field(default_factory=dict)  # engine -> why it judges this case wrongly

    @property
    def kind(self) -> str:
        """The input kind the case is written in, as `Inventory.kind` names it."""
        if self.manifests:
            return "kubernetes"
        return "github_workflows" if self.workflows else "terraform"


@dataclass(frozen=True)
class Control:
    """One reviewable requirement, its public framework mappings and the rules enforcing it."""

    id: str
    title: str
    description: str
    severity: Severity
    frameworks: dict[str, tuple[str, ...]]
    rules: tuple[str, ...]
    stages: tuple[str, ...]
    notes: str = ""
    file: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)  # values its rules read, e.g. bounds
    twins: dict[str, str] = field(default_factory=dict)  # scanner rule -> our rule checking the same
    cases: tuple[Case, ...] = ()  # examples every engine implementing the control must judge alike

    def own_rules(self) -> tuple[str, ...]:
        return tuple(rule for rule in self.rules if rule.startswith(RULE_PREFIX))

    def twin(self, scanner_rule: str) -> str | None:
        """Our rule that checks what `scanner_rule` checks: the only one we have, or the one `twins` names."""
        own = self.own_rules()
        return own[0] if len(own) == 1 else self.twins.get(scanner_rule)


@dataclass(frozen=True)
class NotApplicable:
    """Scanner rules that check something this platform does not have or need, and why."""

    rules: tuple[str, ...]
    reason: str
    file: str = ""


@dataclass(frozen=True)
class CatalogueFile:
    """What one catalogue file declares."""

    controls: list[Control]
    not_applicable: list[NotApplicable]


class Catalogue:
    """All controls by id, the reverse index rule id -> control ids, and the rules declared not applicable."""

    def __init__(self, controls: list[Control], not_applicable: list[NotApplicable] | None = None) -> None:
        self.controls: dict[str, Control] = {}
        self._by_rule: dict[str, list[str]] = {}
        self._not_applicable: dict[str, NotApplicable] = {}
        for control in controls:
            if control.id in self.controls:
                other = self.controls[control.id].file
                raise CitygateError(f"control {control.id} defined twice (also in {other})", control.file)
            self.controls[control.id] = control
            for rule in control.rules:
                self._by_rule.setdefault(rule, []).append(control.id)
        for declaration in not_applicable or []:
            for rule in declaration.rules:
                self._declare_not_applicable(rule, declaration)

    def _declare_not_applicable(self, rule: str, declaration: NotApplicable) -> None:
        """A rule enforced by a control, or declared twice, would make the verdict depend on order."""
        if rule in self._by_rule:
            enforced_by = ", ".join(self._by_rule[rule])
            raise CitygateError(
                f"rule {rule} is declared not applicable but {enforced_by} enforces it", declaration.file
            )
        if rule in self._not_applicable:
            other = self._not_applicable[rule].file
            raise CitygateError(f"rule {rule} is declared not applicable twice (also in {other})", declaration.file)
        self._not_applicable[rule] = declaration

    def __iter__(self) -> Iterator[Control]:
        return iter(self.controls.values())

    def __len__(self) -> int:
        return len(self.controls)

    def get(self, control_id: str) -> Control | None:
        return self.controls.get(control_id)

    def controls_for_rule(self, rule_id: str) -> list[str]:
        """Control ids a rule (CG-..., CKV_AWS_..., AVD-AWS-...) enforces; [] when unmapped."""
        return list(self._by_rule.get(rule_id, []))

    def rules(self) -> set[str]:
        return set(self._by_rule)

    def not_applicable(self, rule_id: str) -> str | None:
        """Why a scanner rule does not apply to this platform; None when the catalogue says it does."""
        declaration = self._not_applicable.get(rule_id)
        return declaration.reason if declaration else None


@cache
def _schema(directory: Path) -> dict[str, Any]:
    schema_path = directory / SCHEMA_FILE
    try:
        schema: dict[str, Any] = json.loads(schema_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CitygateError(f"cannot read the controls schema ({exc})", str(schema_path)) from None
    return schema


def load_file(path: Path, schema: dict[str, Any]) -> CatalogueFile:
    """The controls and not-applicable declarations of one catalogue file, validated; a bad file fails closed."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CitygateError(f"cannot read controls ({exc})", str(path)) from None
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(document))
    if error is not None:
        location = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise CitygateError(f"invalid controls at {location}: {error.message}", str(path))
    return CatalogueFile(
        controls=[_control(entry, str(path)) for entry in document["controls"]],
        not_applicable=[
            NotApplicable(rules=tuple(entry["rules"]), reason=" ".join(entry["reason"].split()), file=str(path))
            for entry in document.get("not_applicable", [])
        ],
    )


def _control(entry: dict[str, Any], file: str) -> Control:
    return Control(
        id=entry["id"],
        title=entry["title"],
        description=entry["description"].strip(),
        severity=Severity.parse(entry["severity"]),
        frameworks={name: tuple(entry["frameworks"][name]) for name in FRAMEWORKS},
        rules=tuple(entry["rules"]),
        stages=tuple(entry["stages"]),
        notes=entry.get("notes", "").strip(),
        file=file,
        parameters=dict(entry.get("parameters", {})),
        twins=dict(entry.get("twins", {})),
        cases=_cases(entry, file),
    )


def _cases(entry: dict[str, Any], file: str) -> tuple[Case, ...]:
    """A control's cases; two of one name would make their test ids and resource names clash."""
    cases = tuple(_case(case) for case in entry.get("cases", []))
    unknown = sorted({rule for case in cases for rule in case.rules} - set(entry["rules"]))
    if unknown:
        raise CitygateError(f"control {entry['id']} has cases about rules it does not list: {', '.join(unknown)}", file)
    names = [case.name for case in cases]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise CitygateError(f"control {entry['id']} has two cases named {', '.join(twice)}", file)
    return cases


def _case(entry: dict[str, Any]) -> Case:
    return Case(
        name=entry["name"],
        compliant=entry["compliant"],
        terraform=entry.get("terraform", {}),
        manifests=tuple(entry.get("manifests", ())),
        workflows=dict(entry["workflows"]) if "workflows" in entry else _workflow(entry),
        rules=tuple(entry.get("rules", ())),
        live=entry.get("live", True),
        reason=" ".join(entry.get("reason", "").split()),
        disagreements={engine: " ".join(why.split()) for engine, why in entry.get("disagreements", {}).items()},
    )


def _workflow(entry: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A case's single `workflow:` document, under the file name it is written to."""
    return {WORKFLOW_FILE: entry["workflow"]} if "workflow" in entry else {}


@cache
def load_catalogue(directory: Path = CONTROLS_DIR) -> Catalogue:
    """Every `*.yaml` file under `directory`, merged; duplicate ids or schema errors fail closed."""
    schema = _schema(directory)
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CitygateError("no controls catalogue files (*.yaml)", str(directory))
    loaded = [load_file(file, schema) for file in files]
    return Catalogue(
        [control for found in loaded for control in found.controls],
        [declaration for found in loaded for declaration in found.not_applicable],
    )
