"""The requirement matrix (policies/requirements.yaml) against the catalogue, in both directions, and its
schema: a requirement without controls or a written reason is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from citygate.controls import load_catalogue
from citygate.errors import CitygateError
from citygate.livingdoc.requirements import load_requirements, unreferenced

CONTROL_IDS = [c.id for c in load_catalogue()]


def test_every_requirement_has_controls_or_a_written_reason() -> None:
    requirements = load_requirements()
    assert requirements
    for r in requirements:
        assert r.controls or len(r.reason) > 20, r.id
        assert r.source and r.text
    dispositions = {r.disposition for r in requirements}
    assert {"controlled", "not covered", "out of scope"} <= dispositions  # the matrix shows every kind of row


def test_every_named_control_exists_in_the_catalogue() -> None:
    named = {c for r in load_requirements() for c in r.controls}
    assert named <= set(CONTROL_IDS), sorted(named - set(CONTROL_IDS))


def test_every_catalogue_control_is_referenced_by_a_requirement() -> None:
    assert unreferenced(load_requirements(), CONTROL_IDS) == []


def test_an_unreferenced_control_is_reported() -> None:
    assert unreferenced(load_requirements(), [*CONTROL_IDS, "CG-NEW-1"]) == ["CG-NEW-1"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  - {id: REQ-X-1, text: Something must hold everywhere, source: Design}\n", "is not valid under any"),
        (
            "  - {id: REQ-X-1, text: Something must hold everywhere, source: Design, controls: [CG-ENC-1],"
            " not_covered: because it is not covered yet}\n",
            "is not valid under any",
        ),
        ("  - {id: REQ-X-1, text: Something must hold, source: Design, controls: []}\n", "requirements/0"),
        ("  - {id: req-1, text: Something must hold, source: Design, controls: [CG-ENC-1]}\n", "does not match"),
    ],
)
def test_the_schema_refuses_a_row_without_controls_or_reason(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "requirements.yaml"
    path.write_text("requirements:\n" + entry)
    with pytest.raises(CitygateError, match=message):
        load_requirements(path)


def test_a_control_the_catalogue_lacks_fails_closed(tmp_path: Path) -> None:
    path = tmp_path / "requirements.yaml"
    path.write_text(
        "requirements:\n  - {id: REQ-X-1, text: Something must hold, source: Design, controls: [CG-NOPE-1]}\n"
    )
    with pytest.raises(CitygateError, match="CG-NOPE-1"):
        load_requirements(path, CONTROL_IDS)
    assert load_requirements(path)[0].controls == ("CG-NOPE-1",)  # without a catalogue: read as written


def test_a_duplicate_id_fails_closed(tmp_path: Path) -> None:
    path = tmp_path / "requirements.yaml"
    row = "  - {id: REQ-X-1, text: Something must hold, source: Design, out_of_scope: nothing of the kind exists}\n"
    path.write_text("requirements:\n" + row + row)
    with pytest.raises(CitygateError, match="defined twice"):
        load_requirements(path)
