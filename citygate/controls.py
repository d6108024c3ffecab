"""The controls catalogue: the single source of truth a reviewer signs off.

Each domain owner keeps one YAML file in `policies/controls/`; they merge into one `Catalogue`,
validated against `policies/controls/schema.json`.  The gate maps every engine's rule ids (ours,
Checkov's, Trivy's) to control ids through it; the reporters and Gherkin specs read titles and
framework mappings from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
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


class Catalogue:
    """All controls by id, and the reverse index rule id -> control ids."""

    def __init__(self, controls: list[Control]) -> None:
        self.controls: dict[str, Control] = {}
        self._by_rule: dict[str, list[str]] = {}
        for control in controls:
            if control.id in self.controls:
                other = self.controls[control.id].file
                raise CitygateError(f"control {control.id} defined twice (also in {other})", control.file)
            self.controls[control.id] = control
            for rule in control.rules:
                self._by_rule.setdefault(rule, []).append(control.id)

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


@cache
def _schema(directory: Path) -> dict[str, Any]:
    schema_path = directory / SCHEMA_FILE
    try:
        schema: dict[str, Any] = json.loads(schema_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CitygateError(f"cannot read the controls schema ({exc})", str(schema_path)) from None
    return schema


def load_file(path: Path, schema: dict[str, Any]) -> list[Control]:
    """The controls of one catalogue file, validated; a bad file fails closed."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CitygateError(f"cannot read controls ({exc})", str(path)) from None
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(document))
    if error is not None:
        location = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise CitygateError(f"invalid controls at {location}: {error.message}", str(path))
    return [_control(entry, str(path)) for entry in document["controls"]]


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
    )


@cache
def load_catalogue(directory: Path = CONTROLS_DIR) -> Catalogue:
    """Every `*.yaml` file under `directory`, merged; duplicate ids or schema errors fail closed."""
    schema = _schema(directory)
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CitygateError("no controls catalogue files (*.yaml)", str(directory))
    return Catalogue([control for file in files for control in load_file(file, schema)])
