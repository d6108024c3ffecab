"""Waivers: accepted, time-boxed exceptions to gate findings (`policies/waivers.yaml`).

A waiver names one rule or one control, a glob of resource addresses, an owner, a reason and the
last day it holds.  Matching findings stay in the report, marked `waived`, and no longer fail the
gate.  Two things keep the file honest: an expired waiver waives nothing and is itself a failing
finding, and a waiver that matched nothing is a warning (the risk it covered is gone, or the
pattern is wrong).  A file that does not match `waivers.schema.json` fails closed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from citygate.errors import CitygateError
from citygate.findings import Finding, Severity
from citygate.paths import WAIVERS_FILE

SCHEMA_FILE = WAIVERS_FILE.with_name("waivers.schema.json")
ENGINE = "waivers"
EXPIRED_RULE = "CG-WAIVER-001"
UNUSED_RULE = "CG-WAIVER-002"


@dataclass(frozen=True)
class Waiver:
    id: str
    resource: str  # glob over resource addresses
    owner: str
    reason: str
    expires: dt.date  # last day the waiver holds
    rule: str = ""
    control: str = ""

    @property
    def target(self) -> str:
        return f"rule {self.rule}" if self.rule else f"control {self.control}"

    @property
    def address(self) -> str:
        return f"Waiver/{self.id}"

    def expired(self, today: dt.date) -> bool:
        return today > self.expires

    def covers(self, finding: Finding) -> bool:
        named = finding.id == self.rule if self.rule else self.control in finding.controls
        return named and fnmatchcase(finding.resource, self.resource)


def _plain(document: Any) -> Any:
    """YAML turns unquoted dates into date objects; the schema (like JSON) sees ISO strings."""
    return json.loads(json.dumps(document, default=lambda value: value.isoformat()))


def load_waivers(path: Path) -> list[Waiver]:
    """The waivers of a file, validated; unreadable, invalid or duplicate-id files fail closed."""
    where = str(path)
    try:
        document = _plain(yaml.safe_load(path.read_text(encoding="utf-8")))
        schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
        raise CitygateError(f"cannot read waivers ({exc})".replace("\n", " "), where) from None
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        location = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise CitygateError(f"invalid waivers at {location}: {error.message}", where)
    waivers = [Waiver(**{**entry, "expires": dt.date.fromisoformat(entry["expires"])}) for entry in document["waivers"]]
    ids = [w.id for w in waivers]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CitygateError(f"duplicate waiver ids: {', '.join(duplicates)}", where)
    return waivers


@dataclass(frozen=True)
class WaiverRule:
    """What the gate says about a waiver itself: expired (a failure) or unused (a warning)."""

    id: str
    title: str
    severity: Severity
    status: str
    fix: str

    def finding(self, waiver: Waiver, file: str, outcome: str) -> Finding:
        return Finding(
            id=self.id,
            title=self.title,
            severity=self.severity,
            status=self.status,
            resource=waiver.address,
            message=f"waiver {waiver.id} for {waiver.target} on {waiver.resource} (owner {waiver.owner}) {outcome}",
            engine=ENGINE,
            file=file,
            fix=self.fix,
        )


EXPIRED = WaiverRule(
    EXPIRED_RULE,
    "A waiver has expired",
    Severity.HIGH,
    "fail",
    "Fix the finding, or renew the waiver with a new expiry date and a current reason.",
)
UNUSED = WaiverRule(
    UNUSED_RULE,
    "A waiver matches no finding",
    Severity.LOW,
    "warn",
    "Remove the waiver, or correct its rule/control and resource pattern.",
)


def waive(findings: Iterable[Finding], waivers: list[Waiver]) -> tuple[list[Finding], set[str]]:
    """Findings with those a waiver covers marked waived, and the ids of the waivers used."""
    used: set[str] = set()
    result = []
    for finding in findings:
        waiver = next((w for w in waivers if finding.status in ("fail", "warn") and w.covers(finding)), None)
        if waiver is not None:
            used.add(waiver.id)
            finding = replace(finding, waived=True, waiver=waiver.id)
        result.append(finding)
    return result, used


def apply_waivers(
    findings: Iterable[Finding], path: Path | None, today: dt.date, resources: Iterable[str] | None = None
) -> list[Finding]:
    """Findings with live waivers applied, plus a failure per expired and a warning per unused waiver.

    `resources` are the addresses the run judged: a waiver whose pattern matches none of them is
    about another input (a plan's waiver in a manifests run) and is not reported as unused.
    """
    if path is None:
        return list(findings)
    waivers = load_waivers(path)
    live = [w for w in waivers if not w.expired(today)]
    result, used = waive(findings, live)
    judged = None if resources is None else list(resources)
    for waiver in waivers:
        if waiver.expired(today):
            outcome = f"expired on {waiver.expires.isoformat()}; the findings it covered fail again"
            result.append(EXPIRED.finding(waiver, str(path), outcome))
        elif waiver.id not in used and (judged is None or any(fnmatchcase(a, waiver.resource) for a in judged)):
            result.append(UNUSED.finding(waiver, str(path), "matched no finding"))
    return result
