"""Recorded inventories under tests/fixtures/bdd, loaded once per session: a YAML inventory, or a folder
holding a plan and the AWS calls recorded under its roles (`plan.json`, `calls.jsonl`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from citygate.bdd.recorded import load_recorded
from citygate.leastpriv.inventory import recorded_inventory
from citygate.model import Inventory
from citygate.paths import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "bdd"


@cache
def _recorded(path: Path) -> Inventory:
    if path.is_dir():
        return recorded_inventory(path / "plan.json", path / "calls.jsonl")
    return load_recorded(path.with_suffix(".yaml"))


@pytest.fixture(scope="session")
def recorded() -> Callable[[str], Inventory]:
    """`recorded("terraform-noncompliant")` -> the inventory in tests/fixtures/bdd/<name>.yaml (or <name>/)."""
    return lambda name: _recorded(FIXTURES / name)
