"""What a BDD run produced, read back from its JUnit XML and cucumber JSON.

JUnit carries every run (skips included) with the properties `citygate.bdd.plugin` records (which
scenario, which target, the evidence); the cucumber JSON adds each step's own status.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from junitparser import Error, Failure, JUnitXml, Properties, Skipped, TestCase

from citygate.bdd.plugin import EVIDENCE_PROPERTY, SCENARIO_PROPERTY, TARGET_PROPERTY
from citygate.errors import CitygateError

_EXCEPTION_PREFIX = re.compile(r"^[\w.]+(Failure|Error|Exception|Skipped): ")


@dataclass
class Run:
    """One scenario (one example row) judged against one target."""

    test: str
    feature: str
    line: int
    example: dict[str, str]
    target: str
    status: str  # passed | failed | error | skipped
    message: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)
    step_status: dict[int, str] = field(default_factory=dict)  # step line -> passed | failed | skipped

    @property
    def label(self) -> str:
        return " · ".join([self.target or "run", *self.example.values()])


def _properties(case: TestCase) -> dict[str, str]:
    found = case.child(Properties)
    return {p.name: p.value for p in found} if found is not None else {}


def _status(case: TestCase) -> tuple[str, str]:
    for result in case.result:
        status = {Failure: "failed", Error: "error", Skipped: "skipped"}.get(type(result))
        if status:
            return status, _EXCEPTION_PREFIX.sub("", result.message or result.text or "").strip()
    return "passed", ""


def _step_statuses(cucumber: Path) -> dict[str, dict[int, str]]:
    try:
        features = json.loads(cucumber.read_text(encoding="utf-8"))
        return {
            element["id"]: {s["line"]: s["result"]["status"] for s in element["steps"]}
            for feature in features
            for element in feature["elements"]
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CitygateError(f"unreadable cucumber JSON ({type(exc).__name__}: {exc})", str(cucumber)) from exc


def read_runs(junit: Path, cucumber: Path) -> list[Run]:
    steps = _step_statuses(cucumber)
    try:
        suites = JUnitXml.fromfile(str(junit))
    except Exception as exc:  # the XML parser's own errors
        raise CitygateError(f"unreadable JUnit XML ({type(exc).__name__}: {exc})", str(junit)) from exc
    runs: list[Run] = []
    for suite in suites if isinstance(suites, JUnitXml) else [suites]:
        for case in suite:
            properties = _properties(case)
            if SCENARIO_PROPERTY not in properties:
                continue  # not a scenario (a plain test collected alongside)
            identity = json.loads(properties[SCENARIO_PROPERTY])
            status, message = _status(case)
            runs.append(
                Run(
                    test=case.name,
                    feature=identity["feature"],
                    line=int(identity["line"]),
                    example=identity.get("example", {}),
                    target=properties.get(TARGET_PROPERTY, ""),
                    status=status,
                    message=message,
                    evidence=json.loads(properties.get(EVIDENCE_PROPERTY, "[]")),
                    step_status=steps.get(case.name, {}),
                )
            )
    return runs
