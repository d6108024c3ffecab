"""The state one scenario carries from step to step: what is in scope, and what was seen.

Every `Then` judges each resource in scope and records what it saw, passing or not, so the living
documentation can show the evidence (addresses checked, values seen) behind a green scenario too.
A resource that breaks the requirement but is covered by a live exception of one of the scenario's
controls is recorded as excepted (with the exception id) instead of failing the scenario.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from citygate.exceptions import PolicyException
from citygate.model import Inventory, Resource

AFTER_APPLY = "(known after apply)"
NOT_SET = "(not set)"


class SpecFailure(AssertionError):
    """A requirement is not met: a violation the scenario reports, as opposed to an error in running it."""


@dataclass(frozen=True)
class Observation:
    address: str
    seen: str
    ok: bool
    exception: str = ""


@dataclass
class StepRecord:
    step: str
    observations: list[Observation] = field(default_factory=list)
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "note": self.note,
            "observations": [
                {"address": o.address, "seen": o.seen, "ok": o.ok, "exception": o.exception} for o in self.observations
            ],
        }


Verdict = tuple[bool, str]  # (requirement met, what was seen)


def shown(value: Any, limit: int = 160) -> str:
    """A short, stable rendering of a value for evidence and failure messages."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Spec:
    inventory: Inventory
    selection: list[Resource] = field(default_factory=list)
    subject: str = "resources"
    records: list[StepRecord] = field(default_factory=list)
    exceptions: list[PolicyException] = field(default_factory=list)  # live exceptions of this scenario's controls

    def exception_for(self, address: str) -> str:
        return next((w.id for w in self.exceptions if fnmatchcase(address, w.resource)), "")

    def begin(self, step: str) -> None:
        self.records.append(StepRecord(step))

    @property
    def current(self) -> StepRecord:
        if not self.records:
            self.begin("")
        return self.records[-1]

    def select(self, resources: list[Resource], subject: str, note: str = "") -> None:
        self.selection = resources
        self.subject = subject
        self.current.observations.extend(Observation(r.address, "in scope", True) for r in resources)
        self.current.note = note or f"{len(resources)} {subject} in scope"

    def require(self, judge: Callable[[Resource], Verdict], expectation: str) -> None:
        """Judge every resource in scope; fail naming each offender and the value seen."""
        record = self.current
        offenders: list[str] = []
        for resource in self.selection:
            ok, seen = judge(resource)
            exception = "" if ok else self.exception_for(resource.address)
            record.observations.append(Observation(resource.address, seen, ok, exception))
            if not ok and not exception:
                offenders.append(f"{resource.address}: {seen}")
        if not self.selection:
            record.note = f"no {self.subject} in scope: nothing to check"
        if offenders:
            listed = "\n  ".join(offenders)
            raise SpecFailure(
                f"{len(offenders)} of {len(self.selection)} {self.subject} fail: expected {expectation}\n  {listed}"
            )

    def evidence(self) -> list[dict[str, Any]]:
        return [record.to_json() for record in self.records]
