"""Run the Terraform CLI in one working directory: init, plan, show -json, apply, destroy.

Every step is bounded (its own cap in TIMEOUTS and any active `deadlines.deadline`), runs in a
process group of its own that is stopped gracefully on a timeout or a signal, and fails closed: a
non-zero exit becomes a CitygateError naming the step, the failing resource, the provider's whole
error summary and the step's full log (`<workdir>/logs/<step>.log`), so the CLI prints one actionable
line.  plan, apply and destroy use Terraform's machine-readable UI (`-json`) for exactly that.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from citygate.child_process import run_bounded
from citygate.errors import CitygateError
from citygate.terraform_ui import failure_line, read_ui_log
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
LOG_DIR = "logs"
# Steps whose output is data (a plan, a state) go to a temporary file, never to a log on disk.
DATA_STEPS = ("show", "state")


@dataclass
class Terraform:
    """The Terraform CLI bound to a working directory, its environment and a timing log."""

    workdir: Path
    toolchain: Toolchain
    extra_env: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def log_path(self, step: str) -> Path:
        return self.workdir / LOG_DIR / f"{step}.log"

    def run(self, step: str, *args: str) -> str:
        """Run `terraform <args>`; return stdout; raise CitygateError on failure, Stopped on a stop."""
        env = self.toolchain.child_env(self.workdir / ".terraform-cli")
        env.update(self.extra_env)
        log = self.log_path(step)
        log.parent.mkdir(parents=True, exist_ok=True)
        stderr_log = log.with_suffix(".stderr.log")
        full_log = stderr_log if step in DATA_STEPS else log  # what a user opens when the step fails
        started = time.monotonic()
        with _stdout_sink(step, log) as stdout, stderr_log.open("w+") as stderr:
            try:
                code = run_bounded(
                    [str(self.toolchain.terraform), *args],
                    name=f"terraform {step}",
                    cwd=self.workdir,
                    env=env,
                    stdout=stdout,
                    stderr=stderr,
                    timeout=TIMEOUTS[step],
                    progress=lambda: _progress(stdout, full_log),
                )
            finally:
                self.timings[step] = self.timings.get(step, 0.0) + time.monotonic() - started
            output = _read(stdout)
            if code != 0:
                line = failure_line(output, _read(stderr))
                raise CitygateError(f"{line}; full log: {full_log}", where=f"terraform {step}")
        return output

    def init(self) -> None:
        self.run("init", "init", "-input=false", "-no-color")

    def plan(self, out: Path) -> None:
        self.run("plan", "plan", "-input=false", "-no-color", "-json", f"-out={out}")

    def show_json(self, plan_file: Path) -> dict[str, Any]:
        text = self.run("show", "show", "-json", "-no-color", str(plan_file))
        try:
            data: dict[str, Any] = json.loads(text)
        except ValueError as exc:
            raise CitygateError(f"not JSON: {exc}", where="terraform show") from exc
        return data

    def apply(self, plan_file: Path) -> None:
        self.run("apply", "apply", "-input=false", "-no-color", "-json", "-auto-approve", str(plan_file))

    def destroy(self) -> int:
        """Destroy everything in the state; return how many resources Terraform destroyed."""
        output = self.run("destroy", "destroy", "-input=false", "-no-color", "-json", "-auto-approve")
        removed = read_ui_log(output).changes.get("remove")
        if not isinstance(removed, int):
            raise CitygateError(f"no destroy summary in {self.log_path('destroy')}", where="terraform destroy")
        return removed

    def state_pull(self) -> dict[str, Any]:
        """The current state document, from whatever backend the working directory uses."""
        text = self.run("state", "state", "pull")
        try:
            data: dict[str, Any] = json.loads(text) if text.strip() else {}
        except ValueError as exc:
            raise CitygateError(f"not JSON: {exc}", where="terraform state pull") from exc
        return data


def _progress(stdout: IO[str], log: Path) -> str:
    """What a stopped step was doing: the resources whose operations had started and not ended."""
    in_flight = read_ui_log(_read(stdout)).in_flight
    doing = f"in flight: {', '.join(in_flight)}" if in_flight else "no resource operation in flight"
    return f"{doing}; full log: {log}"


def _stdout_sink(step: str, log: Path) -> IO[str]:
    """Where a step's stdout goes: its log file, or an unnamed temporary file for data steps."""
    if step in DATA_STEPS:
        return tempfile.TemporaryFile("w+")
    return log.open("w+")


def _read(stream: IO[str]) -> str:
    stream.flush()
    stream.seek(0)
    return stream.read()
