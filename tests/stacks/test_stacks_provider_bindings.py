"""The lean provider loader imports only what the stacks use, and changes nothing in the output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, timeout: int) -> str:
    """Run `code` in a fresh interpreter at the repository root; return its stdout."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_synth_loads_only_the_bindings_it_uses(tmp_path: Path) -> None:
    out = _run(
        "import sys; from pathlib import Path; import stacks;"
        f"stacks.synthesize(['local'], Path({str(tmp_path)!r}));"
        "mods = [m for m in sys.modules if m.startswith('cdktf_cdktf_provider_aws.') and m.count('.') == 1];"
        "print(len(mods), hasattr(sys.modules['cdktf_cdktf_provider_aws'], 'xray_group'))",
        timeout=300,
    )
    loaded, has_unused = out.split()
    assert 0 < int(loaded) < 100
    assert has_unused == "False"


@pytest.mark.slow
def test_lean_loader_output_equals_the_full_package_import(tmp_path: Path, synth_out: dict[str, Path]) -> None:
    """Import the whole provider package first (the loader then steps aside) and compare every env."""
    _run(
        "from pathlib import Path; import cdktf_cdktf_provider_aws; import stacks;"
        f"stacks.synthesize({list(synth_out)!r}, Path({str(tmp_path)!r}))",
        timeout=900,
    )
    for env, lean in synth_out.items():
        full = tmp_path / "stacks" / f"citygate-{env}" / "cdk.tf.json"
        assert json.loads(full.read_text()) == json.loads(lean.read_text()), env
