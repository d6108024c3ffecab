"""Session fixtures for the workload tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def synth_dir(synth_out: dict[str, Path]) -> Path:
    """The folder holding every environment's synthesized stack (stacks/citygate-<env>/cdk.tf.json)."""
    return next(iter(synth_out.values())).parents[2]
