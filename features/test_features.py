"""Every scenario of every feature in this folder, run by pytest-bdd (targets: see conftest.py)."""

from pytest_bdd import scenarios

scenarios(".")
