"""The synthesized stacks, parsed once per session.

Importing `stacks` here, before any test module is collected, installs its lean provider loader,
so a test module importing a provider binding directly loads that one binding, not all 2,200.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from stack_json import Stack

import stacks  # noqa: F401


@pytest.fixture(scope="session")
def synthesized(synth_out: dict[str, Path]) -> dict[str, Stack]:
    """env -> the parsed cdk.tf.json of that environment."""
    return {env: json.loads(path.read_text()) for env, path in synth_out.items()}
