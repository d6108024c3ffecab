"""A reviewer's sign-off (`signoff.yaml`): a decision on one report, named by the report's hash.

The next report checks it: when its own hash differs, what was signed is not what the page now
shows, and the page flags the sign-off as stale (the command prints a warning line).  Format:
`policies/signoff.schema.json`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from citygate.paths import POLICIES, ROOT
from citygate.validated import load_validated

SIGNOFF_FILE = ROOT / "signoff.yaml"
SCHEMA_FILE = POLICIES / "signoff.schema.json"


@dataclass(frozen=True)
class SignOff:
    file: str
    reviewer: str
    decision: str  # approved | rejected | conditional
    conditions: tuple[str, ...]
    report_hash: str
    date: str


@dataclass(frozen=True)
class SignOffCheck:
    signoff: SignOff
    report_hash: str  # this report's

    @property
    def matches(self) -> bool:
        return self.signoff.report_hash == self.report_hash

    def warning(self) -> str:
        return (
            f"warning: the sign-off in {self.signoff.file} ({self.signoff.decision} by {self.signoff.reviewer} on "
            f"{self.signoff.date}) is for report {self.signoff.report_hash[:12]}…, this report is "
            f"{self.report_hash[:12]}…: it does not cover this report"
        )


def load_signoff(path: Path) -> SignOff:
    data = load_validated(path, SCHEMA_FILE, "sign-off")
    return SignOff(
        file=str(path),
        reviewer=data["reviewer"],
        decision=data["decision"],
        conditions=tuple(data.get("conditions", ())),
        report_hash=data["report_hash"],
        date=data["date"],
    )
