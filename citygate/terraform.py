"""Run the Terraform CLI in one working directory: init, plan, show -json, apply, destroy.

Every step has a timeout and fails closed: a non-zero exit or a timeout becomes a CitygateError
naming the step and Terraform's own error line, so the CLI prints one actionable line.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citygate.errors import CitygateError
from citygate.toolchain import Toolchain

# Seconds per step; apply waits on the provider's own polling (load balancers, databases, streams).
TIMEOUTS: dict[str, float] = {
    "init": 300.0,
    "plan": 900.0,
    "show": 300.0,
    "apply": 3600.0,
    "destroy": 3600.0,
    "state": 120.0,
}

DESTROYED = re.compile(r"Destroy complete! Resources: (\d+) destroyed")


def error_line(stderr: str) -> str:
    """Terraform's summary line ("Error: ...") if it printed one, else its last non-empty line."""
    lines = [line.strip().lstrip("│").strip() for line in stderr.splitlines()]
    lines = [line for line in lines if line and set(line) - set("─╷╵")]
    errors = [line for line in lines if line.startswith("Error:")]
    if errors:
        return errors[0]
    return lines[-1] if lines else "no error output"


@dataclass
class Terraform:
    """The Terraform CLI bound to a working directory, its environment and a timing log."""

    workdir: Path
    toolchain: Toolchain
    extra_env: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def run(self, step: str, *args: str) -> str:
        """Run `terraform <args>`; return stdout; raise CitygateError on failure or timeout."""
        env = self.toolchain.child_env(self.workdir / ".terraform-cli")
        env.update(self.extra_env)
        command = [str(self.toolchain.terraform), *args]
        started = time.monotonic()
        try:
            result = subprocess.run(
                command,
                cwd=self.workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=TIMEOUTS[step],
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise CitygateError(f"timed out after {TIMEOUTS[step]:.0f}s", where=f"terraform {step}") from None
        except OSError as exc:
            raise CitygateError(f"cannot run {command[0]}: {exc}", where=f"terraform {step}") from exc
        finally:
            self.timings[step] = self.timings.get(step, 0.0) + time.monotonic() - started
        if result.returncode != 0:
            raise CitygateError(error_line(result.stderr or result.stdout), where=f"terraform {step}")
        return result.stdout

    def init(self) -> None:
        self.run("init", "init", "-input=false", "-no-color")

    def plan(self, out: Path) -> None:
        self.run("plan", "plan", "-input=false", "-no-color", f"-out={out}")

    def show_json(self, plan_file: Path) -> dict[str, Any]:
        text = self.run("show", "show", "-json", "-no-color", str(plan_file))
        try:
            data: dict[str, Any] = json.loads(text)
        except ValueError as exc:
            raise CitygateError(f"not JSON: {exc}", where="terraform show") from exc
        return data

    def apply(self, plan_file: Path) -> None:
        self.run("apply", "apply", "-input=false", "-no-color", "-auto-approve", str(plan_file))

    def destroy(self) -> int:
        """Destroy everything in the state; return how many resources Terraform destroyed."""
        output = self.run("destroy", "destroy", "-input=false", "-no-color", "-auto-approve")
        counted = DESTROYED.search(output)
        if counted is None:
            raise CitygateError("no destroy summary in Terraform's output", where="terraform destroy")
        return int(counted.group(1))

    def state_pull(self) -> dict[str, Any]:
        """The current state document, from whatever backend the working directory uses."""
        text = self.run("state", "state", "pull")
        try:
            data: dict[str, Any] = json.loads(text) if text.strip() else {}
        except ValueError as exc:
            raise CitygateError(f"not JSON: {exc}", where="terraform state pull") from exc
        return data
