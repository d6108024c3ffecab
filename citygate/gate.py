"""One gate run: every requested engine on the same input, concurrently, into one report.

Engines run in threads with a per-engine timeout.  An engine that crashes, times out or cannot
judge the input makes the whole run fail closed (CitygateError, exit 2).  An engine that finds
nothing it has checks for in a valid input (NothingToJudge) is recorded as a `skipped` run; a run
in which every engine skipped judged nothing, and fails closed too.

Merging Checkov and Trivy into our findings (by control and resource):
- a finding that repeats one of ours (same control, same resource) is dropped;
- on a control our own policies enforce, a scanner finding ours does not confirm is a second
  opinion (`warn`): our policies join split resources through references and treat values known
  only after apply as unknown, where the scanners read them as missing (false positives on plans);
- a finding that maps to no catalogue control is advisory (`warn`): the catalogue decides what blocks;
- a finding on a control only the scanners enforce keeps failing.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import replace
from pathlib import Path

from citygate.controls import load_catalogue
from citygate.engines.base import Engine, GateInput, NothingToJudge
from citygate.errors import CitygateError
from citygate.findings import EngineRun, Finding, GateReport, Severity
from citygate.model import Inventory
from citygate.paths import WAIVERS_FILE

# engine name -> "module:class"; imported only when requested
ENGINES: dict[str, str] = {
    "rego": "citygate.engines.rego:RegoEngine",
    "opa": "citygate.engines.opa:OpaEngine",
    "checkov": "citygate.engines.checkov:CheckovEngine",
    "trivy": "citygate.engines.trivy:TrivyEngine",
}
OWN_ENGINES = frozenset({"rego", "opa"})
DEFAULT_ENGINES = ("rego", "checkov", "trivy")
DEFAULT_TIMEOUT = 300.0
DEFAULT_FAIL_ON = Severity.LOW


def make_engine(name: str, opa_url: str | None = None) -> Engine:
    """The engine called `name`; an unknown or unimportable engine fails closed."""
    spec = ENGINES.get(name)
    if spec is None:
        raise CitygateError(f"unknown engine {name!r} (use {', '.join(ENGINES)})", "gate")
    module_name, class_name = spec.split(":")
    try:
        factory: Callable[..., Engine] = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise CitygateError(f"engine unavailable ({exc})", name) from None
    if name == "opa":
        if not opa_url:
            raise CitygateError("the opa engine needs --opa-url", name)
        return factory(opa_url)
    return factory()


def _supports(engine: Engine, inventory: Inventory) -> bool:
    supports = getattr(engine, "supports", None)
    return True if supports is None else bool(supports(inventory))


def _run_all(engines: Sequence[Engine], gate_input: GateInput, timeout: float) -> list[tuple[EngineRun, list[Finding]]]:
    """Run engines concurrently; the first failure (error or timeout) aborts the gate."""
    runnable = [e for e in engines if _supports(e, gate_input.inventory)]
    outcomes: list[tuple[EngineRun, list[Finding]]] = [
        (EngineRun(e.name, 0.0, 0, status="skipped", detail=f"does not judge {gate_input.inventory.kind}"), [])
        for e in engines
        if e not in runnable
    ]
    if not runnable:
        raise CitygateError(f"no requested engine can judge {gate_input.inventory.kind} input", "gate")
    pool = ThreadPoolExecutor(max_workers=len(runnable), thread_name_prefix="engine")
    started = time.perf_counter()
    futures: list[tuple[Engine, Future[tuple[list[Finding], float]]]] = [
        (engine, pool.submit(_timed, engine, gate_input, timeout)) for engine in runnable
    ]
    try:
        for engine, future in futures:
            remaining = max(0.0, timeout - (time.perf_counter() - started))
            try:
                findings, seconds = future.result(timeout=remaining)
            except FutureTimeout:
                raise CitygateError(f"timed out after {timeout:g}s", engine.name) from None
            except NothingToJudge as nothing:
                skipped = EngineRun(
                    engine.name, time.perf_counter() - started, 0, status="skipped", detail=str(nothing)
                )
                outcomes.append((skipped, []))
                continue
            except CitygateError:
                raise
            except Exception as exc:  # an engine bug is an engine failure, never a pass
                raise CitygateError(f"crashed ({type(exc).__name__}: {exc})", engine.name) from None
            outcomes.append((EngineRun(engine.name, seconds, len(findings)), findings))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    if not any(run.status == "ok" for run, _ in outcomes):
        raise CitygateError(
            f"no requested engine had anything to judge in this {gate_input.inventory.kind} input", "gate"
        )
    return outcomes


def _timed(engine: Engine, gate_input: GateInput, timeout: float) -> tuple[list[Finding], float]:
    started = time.perf_counter()
    findings = engine.run(gate_input, timeout)
    return findings, time.perf_counter() - started


def _is_own(finding: Finding) -> bool:
    """Our policies, and checks that are not scanners (schema, reachability, waivers)."""
    return finding.engine in OWN_ENGINES or finding.engine not in ENGINES


def _own_rule(rule_id: str) -> bool:
    return rule_id.startswith("CG-")


def merge(findings: Iterable[Finding], own_controls: set[str]) -> list[Finding]:
    """Ours first, then the scanners' findings deduplicated and weighed (see the module docstring)."""
    all_findings = list(findings)
    own = [f for f in all_findings if _is_own(f)]
    covered = {(c, f.resource) for f in own if f.status == "fail" for c in f.controls}
    merged = list(own)
    for finding in (f for f in all_findings if not _is_own(f)):
        if finding.controls and all((c, finding.resource) in covered for c in finding.controls):
            continue
        if finding.status == "fail" and not finding.controls:
            finding = replace(
                finding, status="warn", message=f"{finding.message} (advisory: maps to no catalogue control)"
            )
        elif finding.status == "fail" and set(finding.controls) <= own_controls:
            finding = replace(
                finding,
                status="warn",
                message=f"{finding.message} (not confirmed by the citygate policy for this control)",
            )
        merged.append(finding)
    return merged


def controls_with_own_rules() -> set[str]:
    """Controls one of our policies (CG-... rule ids) enforces."""
    return {control.id for control in load_catalogue() if any(_own_rule(rule) for rule in control.rules)}


def run_gate(
    inventory: Inventory,
    path: Path,
    engines: Sequence[str] = DEFAULT_ENGINES,
    waivers: Path | None = None,
    fail_on: Severity = DEFAULT_FAIL_ON,
    timeout: float = DEFAULT_TIMEOUT,
    extra_findings: Sequence[Finding] = (),
    opa_url: str | None = None,
    today: dt.date | None = None,
) -> GateReport:
    """Judge `inventory` (read from `path`) with `engines`, apply waivers, and report."""
    from citygate.waivers import apply_waivers

    started = time.perf_counter()
    instances = [make_engine(name, opa_url) for name in dict.fromkeys(engines)]
    outcomes = _run_all(instances, GateInput(inventory=inventory, path=path), timeout)
    ran_own = any(run.engine in OWN_ENGINES and run.status == "ok" for run, _ in outcomes)
    findings = merge(
        [*extra_findings, *(f for _, found in outcomes for f in found)],
        controls_with_own_rules() if ran_own else set(),
    )
    findings = apply_waivers(
        findings, waivers, today or dt.date.today(), resources=[r.address for r in inventory.resources]
    )
    findings.sort(key=lambda f: (f.status != "fail", -f.severity, f.id, f.resource))
    return GateReport(
        target=str(path),
        kind=inventory.kind,
        findings=findings,
        engines=[run for run, _ in outcomes],
        resources=len(inventory.resources),
        fail_on=fail_on,
        seconds=time.perf_counter() - started,
    )


def gate_plan_file(plan: Path, env: str) -> GateReport:
    """The gate `apply` runs on the plan it is about to apply: default engines, project waivers."""
    from citygate.inputs import load_plan

    inventory = load_plan(plan, environment=env)
    return run_gate(inventory, plan, waivers=WAIVERS_FILE if WAIVERS_FILE.is_file() else None)
