"""Recorded inventories under tests/fixtures/bdd, loaded once per session."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from citygate.bdd.recorded import load_recorded
from citygate.model import Inventory
from citygate.paths import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "bdd"


@cache
def _recorded(path: Path) -> Inventory:
    return load_recorded(path)


@pytest.fixture(scope="session")
def recorded() -> Callable[[str], Inventory]:
    """`recorded("terraform-noncompliant")` -> the inventory in tests/fixtures/bdd/<name>.yaml."""
    return lambda name: _recorded(FIXTURES / f"{name}.yaml")
