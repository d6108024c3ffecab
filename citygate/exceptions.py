"""The exception register (`policies/exceptions.yaml`): accepted, time-boxed deviations.

An entry names one rule or one control, a glob of resource addresses, the reason, who owns the
risk, who approved it, the ticket recording the decision, the day it was made and the last day it
holds, optionally limited to some environments.  Matching findings stay in the report, `excepted` with the entry's id, and no longer fail
the gate.  Two things keep the register honest: an expired entry excepts nothing and is itself a
failing finding, and an entry that matched nothing is a warning (the risk it covered is gone, or
the pattern is wrong).  A file that does not match `exceptions.schema.json` fails closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from citygate.errors import CitygateError
from citygate.findings import Finding, FixedRule, Severity, former_ids
from citygate.paths import EXCEPTIONS_FILE
from citygate.validated import load_validated

SCHEMA_FILE = EXCEPTIONS_FILE.with_name("exceptions.schema.json")
ENGINE = "exceptions"
EXPIRED_RULE = "CG_EXC_001"
UNUSED_RULE = "CG_EXC_002"


@dataclass(frozen=True)
class PolicyException:
    """One entry of the register."""

    id: str
    resource: str  # glob over resource addresses
    reason: str
    owner: str
    approver: str
    ticket: str
    created: dt.date
    expires: dt.date  # last day the entry holds
    rule: str = ""
    control: str = ""
    environments: tuple[str, ...] = ()  # empty: every environment

    @property
    def target(self) -> str:
        return f"rule {self.rule}" if self.rule else f"control {self.control}"

    @property
    def address(self) -> str:
        return f"Exception/{self.id}"

    def expired(self, today: dt.date) -> bool:
        return today > self.expires

    def days_left(self, today: dt.date) -> int:
        """Days the entry still holds after today (0 on its last day, negative once expired)."""
        return (self.expires - today).days

    def holds_in(self, environment: str) -> bool:
        return not self.environments or environment in self.environments

    def covers(self, finding: Finding) -> bool:
        ids = {finding.id, *former_ids(finding.id)}
        named = self.rule in ids if self.rule else self.control in finding.controls
        return named and fnmatchcase(finding.resource, self.resource)


def project_exceptions() -> Path | None:
    """The project's exception register, when the checkout has one."""
    return EXCEPTIONS_FILE if EXCEPTIONS_FILE.is_file() else None


def _entry(fields: dict[str, Any]) -> PolicyException:
    dates = {name: dt.date.fromisoformat(fields[name]) for name in ("created", "expires")}
    return PolicyException(**{**fields, **dates, "environments": tuple(fields.get("environments", ()))})


def load_register(path: Path = EXCEPTIONS_FILE) -> list[PolicyException]:
    """The entries of a register file, validated; unreadable, invalid or ambiguous files fail closed."""
    where = str(path)
    document = load_validated(path, SCHEMA_FILE, "exception register")
    entries = [_entry(fields) for fields in document["exceptions"]]
    ids = [e.id for e in entries]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CitygateError(f"duplicate exception ids: {', '.join(duplicates)}", where)
    backwards = [e.id for e in entries if e.expires < e.created]
    if backwards:
        raise CitygateError(f"exceptions expiring before they were created: {', '.join(backwards)}", where)
    self_approved = [e.id for e in entries if e.approver == e.owner]
    if self_approved:
        raise CitygateError(f"exceptions approved by their own owner: {', '.join(self_approved)}", where)
    return entries


# What the gate says about an entry itself: expired (a failure) or unused (a warning).
EXPIRED = FixedRule(
    EXPIRED_RULE,
    "An exception has expired",
    ENGINE,
    "Fix the finding, or renew the exception with a new approval, ticket and expiry date.",
)
UNUSED = FixedRule(
    UNUSED_RULE,
    "An exception matches no finding",
    ENGINE,
    "Remove the exception, or correct its rule/control and resource pattern.",
    severity=Severity.LOW,
    status="warn",
)


def about(entry: PolicyException, outcome: str) -> str:
    """A register finding's message: which entry, whose, and what became of it."""
    return f"exception {entry.id} for {entry.target} on {entry.resource} (owner {entry.owner}, ticket {entry.ticket}) {outcome}"


def except_findings(findings: Iterable[Finding], entries: list[PolicyException]) -> tuple[list[Finding], set[str]]:
    """Findings with those an entry covers marked excepted, and the ids of the entries used.

    Only unresolved failures and warnings are excepted: a finding already dismissed with proof
    needs no exception.
    """
    used: set[str] = set()
    result = []
    for finding in findings:
        open_finding = finding.status in ("fail", "warn") and not finding.resolved
        entry = next((e for e in entries if open_finding and e.covers(finding)), None)
        if entry is not None:
            used.add(entry.id)
            finding = replace(
                finding,
                resolution="excepted",
                exception=entry.id,
                reason=f"{entry.id}: {' '.join(entry.reason.split())}",
            )
        result.append(finding)
    return result, used


def apply_exceptions(
    findings: Iterable[Finding],
    path: Path | None,
    today: dt.date,
    resources: Iterable[str] | None = None,
    environment: str = "",
    complete: bool = True,
) -> list[Finding]:
    """Findings with live entries applied, plus a failure per expired and a warning per unused entry.

    `resources` are the addresses the run judged and `environment` the environment it judged: an
    entry whose pattern matches none of them, or bound to other environments, is about another
    input (a plan's exception in a manifests run, a local-only deviation in a prod run) and is not
    reported as unused.  Nor is any entry in an incomplete run (`complete` False: some engine that
    judges this input did not run), which cannot tell an unused entry from one whose engine was left out.
    """
    if path is None:
        return list(findings)
    entries = [e for e in load_register(path) if e.holds_in(environment)]
    live = [e for e in entries if not e.expired(today)]
    result, used = except_findings(findings, live)
    judged = None if resources is None else list(resources)
    for entry in entries:
        if entry.expired(today):
            outcome = f"expired on {entry.expires.isoformat()}; the findings it covered fail again"
            result.append(EXPIRED.finding(entry.address, about(entry, outcome), str(path)))
        elif (
            complete
            and entry.id not in used
            and (judged is None or any(fnmatchcase(a, entry.resource) for a in judged))
        ):
            result.append(UNUSED.finding(entry.address, about(entry, "matched no finding"), str(path)))
    return result
