"""Plan, apply and destroy one environment's synthesized stack with the real Terraform CLI.

A `Deployment` is one Terraform working directory: the stack copied in, the embedded-AWS override
when there is an endpoint (see `citygate.embedded_aws`), the plan the gate judged, and the state.
A failed or stopped step says where the state is kept and what the embedded AWS had to say.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citygate.embedded_aws import EMBEDDED_OVERRIDE, embedded_env, embedded_override
from citygate.errors import CitygateError, Stopped
from citygate.moto_server import is_serving, last_fault
from citygate.stack_json import read_stack, stack_region
from citygate.terraform import Terraform
from citygate.toolchain import Toolchain, discover

STACK_FILE = "cdk.tf.json"
PLAN_BINARY = "plan.tfplan"
PLAN_JSON = "plan.json"
STATE_FILE = "terraform.tfstate"


@dataclass
class Deployment:
    """One environment's Terraform working directory, on the embedded AWS (`endpoint`) or real AWS (None)."""

    env: str
    synth_file: Path
    workdir: Path
    endpoint: str | None
    toolchain: Toolchain = field(default_factory=discover)
    server_log: Path | None = None  # the embedded server's log, read for its fault line when a step fails
    terraform: Terraform = field(init=False)

    def __post_init__(self) -> None:
        self.workdir = self.workdir.resolve()
        env = embedded_env(self.endpoint) if self.endpoint else {}
        self.terraform = Terraform(self.workdir, self.toolchain, extra_env=env)

    @property
    def state_path(self) -> Path:
        return self.workdir / STATE_FILE

    @property
    def stack_copy(self) -> Path:
        """The stack as last planned here: `destroy` and `verify` work from it without a new synth."""
        return self.workdir / STACK_FILE

    @property
    def region(self) -> str:
        return stack_region(read_stack(self.stack_copy if self.stack_copy.is_file() else self.synth_file))

    @property
    def plan_binary(self) -> Path:
        return self.workdir / PLAN_BINARY

    def prepare(self) -> None:
        """Copy the stack (and its assets) into the working directory, write the override, init."""
        stack = read_stack(self.synth_file)
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.synth_file.resolve() != self.stack_copy:
            shutil.copyfile(self.synth_file, self.stack_copy)
            assets = self.synth_file.parent / "assets"
            if assets.is_dir():
                shutil.copytree(assets, self.workdir / "assets", dirs_exist_ok=True)
        override = self.workdir / EMBEDDED_OVERRIDE
        if self.endpoint:
            override.write_text(json.dumps(embedded_override(stack, self.endpoint, self.state_path), indent=2) + "\n")
        else:
            override.unlink(missing_ok=True)
        self.terraform.init()

    def forget_state(self) -> None:
        """A new embedded server is an empty account: state describing an older one is meaningless."""
        for stale in (self.state_path, self.state_path.with_name(STATE_FILE + ".backup")):
            stale.unlink(missing_ok=True)

    def plan(self) -> Path:
        """Plan into the binary plan file and return the plan as JSON (`terraform show -json`)."""
        with self._explained(changes_state=False):
            self.prepare()
            self.terraform.plan(self.plan_binary)
            plan = self.terraform.show_json(self.plan_binary)
        plan_json = self.workdir / PLAN_JSON
        plan_json.write_text(json.dumps(plan, indent=1) + "\n")
        return plan_json

    def apply(self) -> None:
        """Apply exactly the plan last written by `plan()` (the one the gate judged)."""
        if not self.plan_binary.is_file():
            raise CitygateError("no plan to apply: run plan first", where=str(self.workdir))
        with self._explained():
            self.terraform.apply(self.plan_binary)

    def destroy(self) -> int:
        """Destroy what the state holds; return how many resources went."""
        with self._explained():
            self.prepare()
            return self.terraform.destroy()

    @contextmanager
    def _explained(self, changes_state: bool = True) -> Iterator[None]:
        """Add to a failed or stopped Terraform step what the user needs next: where the state is kept
        (for the steps that change it), and what the embedded AWS says about it (dead, or its own fault)."""
        try:
            yield
        except CitygateError as error:
            details = [self._embedded_cause()]
            if changes_state:
                details.append(f"state kept in {self.state_path if self.endpoint else 'the stack backend'}")
            detail = "; ".join(d for d in details if d)
            if not detail:
                raise
            if isinstance(error, Stopped):
                raise error.with_detail(detail) from None
            raise CitygateError(f"{error}; {detail}", error.where) from None

    def _embedded_cause(self) -> str | None:
        """What the embedded AWS has to say about a failed step: it died, or it logged a fault of its own."""
        if not self.endpoint:
            return None
        if not is_serving(self.endpoint):
            return f"the embedded AWS at {self.endpoint} stopped answering (log: {self.server_log})"
        fault = last_fault(self.server_log) if self.server_log else None
        return f"embedded AWS fault: {fault} (log: {self.server_log})" if fault else None

    def state(self) -> dict[str, Any]:
        """The deployed state: the embedded AWS's local state file, else pulled from the real backend."""
        if self.endpoint and self.state_path.is_file():
            try:
                data: dict[str, Any] = json.loads(self.state_path.read_text())
                return data
            except ValueError as exc:
                raise CitygateError(f"state is not JSON: {exc}", where=str(self.state_path)) from exc
        return self.terraform.state_pull()


def plan_env(env: str, synth_file: Path, workdir: Path, endpoint: str | None) -> Path:
    """Plan `env` from its synthesized stack in `workdir`; return the plan JSON path (None = real AWS)."""
    return Deployment(env, synth_file, workdir, endpoint).plan()
