"""`pip install .` gives a `citygate` command that gates a plan from any folder, with the policies inside.

The project is built into a wheel and installed (without dependencies) into a fresh virtual environment
in a temporary folder; the locked dependencies of the development venv are linked in by a `.pth` file,
so nothing is downloaded but the build backend (cached by uv after its first run).  The command then
runs from a folder that is not the checkout, where only the installed package can be imported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.cases.objects import ObjectRun
from tests.fixtures.plans.generate import COMPLIANT

REPO = Path(__file__).resolve().parents[2]
REGISTER = REPO / "policies" / "exceptions.yaml"  # given by hand: the wheel does not carry it
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(UV is None, reason="uv is part of the development venv (make deps)")]


def run(*argv: str | Path, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh venv holding the installed project."""
    assert UV is not None
    root = tmp_path_factory.mktemp("installed")
    venv = root / "venv"
    run(UV, "venv", "--quiet", "--python", sys.executable, venv, cwd=root)
    python = venv / "bin" / "python"
    run(UV, "pip", "install", "--quiet", "--python", python, "--no-deps", REPO, cwd=root)
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=root).stdout.strip())
    (site / "zz_citygate_dev_deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return venv / "bin"


def test_the_installed_package_is_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    probe = "import citygate.paths as p; print(p.PACKAGE); print(p.POLICIES)"
    package, policies = run(installed / "python", "-c", probe, cwd=tmp_path).stdout.split()
    assert Path(package).is_relative_to(installed.parent) and not Path(package).is_relative_to(REPO)
    assert Path(policies) == Path(package) / "policies"
    assert (Path(policies) / "controls" / "aws.yaml").is_file()


def test_the_command_has_every_subcommand(installed: Path, tmp_path: Path) -> None:
    from citygate.cli import COMMANDS

    listed = run(installed / "citygate", "--help", cwd=tmp_path).stdout
    assert all(name in listed for name in COMMANDS)


def test_the_exception_register_is_not_shipped(installed: Path, tmp_path: Path) -> None:
    """The project's register excepts its own resources by address: never a same-named one elsewhere."""
    probe = "import citygate.paths as p; print(p.EXCEPTIONS_FILE.exists())"
    assert run(installed / "python", "-c", probe, cwd=tmp_path).stdout.strip() == "False"


def verdict(command: list[str | Path], argv: list[str | Path], cwd: Path) -> tuple[int, list[tuple[str, ...]]]:
    """(exit code, findings) of `check ... --format json`, findings reduced to what must not differ."""
    result = run(*command, "check", *argv, "--format", "json", cwd=cwd, check=False)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    return result.returncode, sorted(
        (f["id"], f["resource"], f["status"], f["resolution"], f["severity"]) for f in report["findings"]
    )


CASES = [
    ("plan", COMPLIANT, "rego", 0),
    ("plan", "noncompliant-CG-ENC-1.json", "rego", 1),
    ("k8s", "CG-K8S-18/synced-from-secrets-manager", "rego,schema,reachability,irsa", 0),
    ("k8s", "CG-K8S-12/api-cannot-reach-inference", "rego,schema,reachability,irsa", 1),
    ("workflows", "CG-CICD-6/apply-before-gate", "rego", 1),
]


@pytest.mark.parametrize(("kind", "target", "engines", "code"), CASES, ids=[f"{c[0]}-{Path(c[1]).stem}" for c in CASES])
def test_the_installed_command_gates_like_the_checkout(
    installed: Path,
    fixture_plans: Path,
    object_run: ObjectRun,
    tmp_path: Path,
    kind: str,
    target: str,
    engines: str,
    code: int,
) -> None:
    path = fixture_plans / target if kind == "plan" else object_run.case(target).path  # a catalogue case
    argv: list[str | Path] = [f"--{kind}", path, "--engines", engines, "--exceptions", REGISTER]
    installed_code, installed_findings = verdict([installed / "citygate"], argv, tmp_path)
    assert installed_code == code, installed_findings
    assert (installed_code, installed_findings) == verdict([sys.executable, REPO / "main.py"], argv, REPO)
