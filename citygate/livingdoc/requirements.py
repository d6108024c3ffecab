"""The design's requirements traced to controls (`policies/requirements.yaml`): what coverage is measured against.

Each requirement names the controls enforcing it, or records why none does (`not_covered`) or why the
platform need not meet it (`out_of_scope`); the schema makes it exactly one of the three.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from citygate.errors import CitygateError
from citygate.paths import POLICIES
from citygate.validated import load_validated

REQUIREMENTS_FILE = POLICIES / "requirements.yaml"
SCHEMA_FILE = POLICIES / "requirements.schema.json"


@dataclass(frozen=True)
class Requirement:
    id: str
    text: str
    source: str  # the design section it comes from
    controls: tuple[str, ...] = ()
    not_covered: str = ""
    out_of_scope: str = ""

    @property
    def disposition(self) -> str:
        """`controlled`, `not covered` or `out of scope`."""
        if self.controls:
            return "controlled"
        return "out of scope" if self.out_of_scope else "not covered"

    @property
    def reason(self) -> str:
        return self.not_covered or self.out_of_scope


def load_requirements(path: Path = REQUIREMENTS_FILE, known_controls: Iterable[str] | None = None) -> list[Requirement]:
    """The requirements in file order; with `known_controls`, a control id the catalogue lacks fails closed."""
    document = load_validated(path, SCHEMA_FILE, "requirements")
    requirements = [
        Requirement(
            id=entry["id"],
            text=" ".join(entry["text"].split()),
            source=entry["source"],
            controls=tuple(entry.get("controls", ())),
            not_covered=" ".join(entry.get("not_covered", "").split()),
            out_of_scope=" ".join(entry.get("out_of_scope", "").split()),
        )
        for entry in document["requirements"]
    ]
    ids = [r.id for r in requirements]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise CitygateError(f"requirement ids defined twice: {', '.join(twice)}", str(path))
    if known_controls is not None:
        unknown = sorted({c for r in requirements for c in r.controls} - set(known_controls))
        if unknown:
            raise CitygateError(f"requirements name controls the catalogue lacks: {', '.join(unknown)}", str(path))
    return requirements


def unreferenced(requirements: Iterable[Requirement], controls: Iterable[str]) -> list[str]:
    """Catalogue controls no requirement names: enforcement nobody asked for, or a requirement missing."""
    named = {c for r in requirements for c in r.controls}
    return sorted(set(controls) - named)
