"""action.yml, .pre-commit-hooks.yaml and the console script agree with the command line they run."""

from __future__ import annotations

import importlib
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from citygate.cli import COMMANDS, cli
from citygate.gate import DEFAULT_ENGINES, DEFAULT_FAIL_ON

REPO = Path(__file__).resolve().parents[2]
PINNED = re.compile(r"^(?P<action>[\w.-]+/[\w.-]+(?:/[\w./-]+)?)@(?P<sha>[0-9a-f]{40})$")


def load(name: str) -> Any:
    return yaml.safe_load((REPO / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    document: dict[str, Any] = load("action.yml")
    assert document["runs"]["using"] == "composite"
    return document


def steps(action: dict[str, Any]) -> list[dict[str, Any]]:
    return list(action["runs"]["steps"])


def pins_in_workflows() -> dict[str, set[str]]:
    """action -> the SHAs the project's own workflows and local actions pin it to."""
    found: dict[str, set[str]] = {}
    for path in [*(REPO / ".github").rglob("*.yml"), *(REPO / ".github").rglob("*.yaml")]:
        for match in re.finditer(r"uses:\s*([\w.-]+/[\w./-]+)@([0-9a-f]{40})", path.read_text(encoding="utf-8")):
            found.setdefault(match[1], set()).add(match[2])
    return found


def test_every_action_step_is_pinned_by_sha_the_project_already_uses(action: dict[str, Any]) -> None:
    known = pins_in_workflows()
    used = [step["uses"] for step in steps(action) if "uses" in step]
    assert used, "the action uses setup-python and upload-sarif"
    for uses in used:
        pinned = PINNED.match(uses)
        assert pinned, f"{uses} is not pinned by a full commit SHA"
        assert pinned["sha"] in known.get(pinned["action"], set()), f"{uses}: not the SHA .github/ pins"


def test_inputs_are_declared_used_and_never_spliced_into_scripts(action: dict[str, Any]) -> None:
    text = (REPO / "action.yml").read_text(encoding="utf-8")
    referenced = set(re.findall(r"inputs\.([\w-]+)", text))
    declared = set(action["inputs"])
    assert {"plan", "workflows", "manifests", "format", "fail-on"} <= declared
    assert referenced == declared
    for step in steps(action):
        assert "${{" not in step.get("run", ""), f"{step.get('name')}: inputs reach scripts through env only"


def test_the_action_defaults_are_the_gate_defaults(action: dict[str, Any]) -> None:
    assert action["inputs"]["engines"]["default"] == ",".join(DEFAULT_ENGINES)
    assert action["inputs"]["fail-on"]["default"] == DEFAULT_FAIL_ON.name.lower()


def test_the_action_runs_real_check_options(action: dict[str, Any]) -> None:
    check = cli.get_command(click.Context(cli), "check")
    assert check is not None
    options = {opt for param in check.params for opt in param.opts}
    script = "\n".join(step.get("run", "") for step in steps(action))
    used = set(re.findall(r'"\$citygate" check "--\$kind" "\$path" ((?:--[\w-]+ [^\s\\]+\s*\\?\s*)+)', script))
    flags = {flag for chunk in used for flag in re.findall(r"--[\w-]+", chunk)}
    assert flags and flags <= options
    kinds = re.findall(r'"(\w+)=\$\w+"', script)
    assert {f"--{kind}" for kind in kinds} <= options and len(kinds) == 3


def test_the_pre_commit_hook_runs_a_real_subcommand_that_parses() -> None:
    (hook,) = load(".pre-commit-hooks.yaml")
    assert hook["id"] == "citygate-check" and hook["language"] == "python"
    script, subcommand, *entry_args = shlex.split(hook["entry"])
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert script in scripts and subcommand in COMMANDS
    command = cli.get_command(click.Context(cli), subcommand)
    assert command is not None
    command.make_context(subcommand, [*entry_args, *hook["args"]])  # raises on an unknown option
    assert hook["pass_filenames"] is False  # check judges one input, not a list of files
    files = re.compile(hook["files"])
    for changed in (".github/workflows/pr.yml", "workloads/base/api/deployment.yaml", "stacks/network.py"):
        assert files.search(changed), changed
    assert not files.search("README.md")


def test_the_console_script_is_the_cli_entry_point() -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    module, _, attribute = scripts["citygate"].partition(":")
    entry = getattr(importlib.import_module(module), attribute)
    assert entry(["--help"]) == 0
