"""The state one scenario carries from step to step: what is in scope, and what was seen.

Every `Then` judges each resource in scope and records what it saw, passing or not, so the living
documentation can show the evidence (addresses checked, values seen) behind a green scenario too.
A `Then` with nothing in scope checked nothing: the run is skipped with the reason (kept in the
evidence), never passed; under `@noskip` (terraform-compliance's convention) it fails instead.
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


NOSKIP_TAG = "noskip"


class SpecFailure(AssertionError):
    """A requirement is not met: a violation the scenario reports, as opposed to an error in running it."""


class SpecSkip(Exception):
    """The run checked nothing (or the scenario does not apply here): reported as skipped, with why."""


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
    skipped: str = ""  # why the run stopped here without checking anything
    attributes: dict[str, str] = field(default_factory=dict)  # the attribute paths read, by resource type

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "note": self.note,
            "skipped": self.skipped,
            "attributes": self.attributes,
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
    noskip: bool = False  # the scenario expects something to judge: an empty scope fails it
    scope: str = ""  # how the current selection was reached, for the reason of a skip

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
        self.current.note = self.scope = note or f"{len(resources)} {subject} in scope"

    def skip(self, reason: str) -> None:
        """Stop the run as skipped, the reason kept in the evidence (the scenario does not apply here)."""
        self.current.skipped = reason
        raise SpecSkip(reason)

    def nothing_to_check(self) -> None:
        """An empty scope: skipped with the reason, or, under `@noskip`, a failure."""
        origin = self.inventory.origin or self.inventory.source
        reason = f"nothing to check: {self.scope or f'no {self.subject}'} in {origin}"
        if self.noskip:
            self.current.note = reason
            raise SpecFailure(f"@{NOSKIP_TAG}: {reason}")
        self.skip(reason)

    def require(self, judge: Callable[[Resource], Verdict], expectation: str) -> None:
        """Judge every resource in scope; fail naming each offender and the value seen."""
        if not self.selection:
            self.nothing_to_check()
        record = self.current
        offenders: list[str] = []
        for resource in self.selection:
            ok, seen = judge(resource)
            exception = "" if ok else self.exception_for(resource.address)
            record.observations.append(Observation(resource.address, seen, ok, exception))
            if not ok and not exception:
                offenders.append(f"{resource.address}: {seen}")
        if offenders:
            listed = "\n  ".join(offenders)
            raise SpecFailure(
                f"{len(offenders)} of {len(self.selection)} {self.subject} fail: expected {expectation}\n  {listed}"
            )

    def evidence(self) -> list[dict[str, Any]]:
        return [record.to_json() for record in self.records]
