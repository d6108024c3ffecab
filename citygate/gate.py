"""One gate run: every requested engine on the same input, concurrently, into one verdict.

Engines run in threads with a per-engine timeout.  An engine that crashes, times out or cannot
judge the input makes the whole run fail closed (CitygateError, exit 2).  An engine that does not
judge this kind of input, or finds nothing it has checks for in a valid input (NothingToJudge), is
recorded as a `skipped` run; a run in which every engine skipped judged nothing, and fails closed.

The verdict blocks by default: every engine's failing finding at or above `--fail-on` fails the
gate unless the report can say why it does not (`merge`, then the exception register):
- a scanner finding that repeats one of ours (same control, same resource) is dropped: ours fails;
- *dismissed*: for each of the finding's controls, our rule that checks what the scanner rule
  checks (the control's only rule of ours, or the one its `twins` name) proved that resource
  compliant (a `pass` finding, whose message is the evidence: which reference, which value);
  scanners read a plan's values but not its references, so a key set by reference looks missing;
- *not_applicable*: the catalogue declares the scanner rule not applicable, with its reason;
- *excepted*: an entry of the exception register names it (see `citygate.exceptions`).
A scanner finding that maps to no catalogue control blocks at its own severity until the
catalogue decides.  Proofs themselves are evidence, not findings: they leave the report.
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

from citygate.controls import Catalogue, load_catalogue
from citygate.engines.base import Engine, EngineOptions, GateInput, NothingToJudge
from citygate.errors import CitygateError
from citygate.findings import EngineRun, Finding, GateReport, Severity
from citygate.model import Inventory

# engine name -> "module:class"; imported only when requested
ENGINES: dict[str, str] = {
    "rego": "citygate.engines.rego:RegoEngine",
    "opa": "citygate.engines.opa:OpaEngine",
    "schema": "citygate.k8s.engines:SchemaEngine",
    "reachability": "citygate.k8s.engines:ReachabilityEngine",
    "irsa": "citygate.k8s.engines:IrsaEngine",
    "alb": "citygate.k8s.engines:AlbEngine",
    "checkov": "citygate.engines.checkov:CheckovEngine",
    "trivy": "citygate.engines.trivy:TrivyEngine",
    "leastpriv": "citygate.leastpriv.engine:LeastPrivilegeEngine",  # with `check --calls`
}
DEFAULT_ENGINES = ("rego", "schema", "reachability", "irsa", "alb", "checkov", "trivy")
DEFAULT_TIMEOUT = 300.0
DEFAULT_FAIL_ON = Severity.LOW


def make_engine(name: str) -> Engine:
    """The engine called `name`; an unknown or unimportable engine fails closed."""
    spec = ENGINES.get(name)
    if spec is None:
        raise CitygateError(f"unknown engine {name!r} (use {', '.join(ENGINES)})", "gate")
    module_name, class_name = spec.split(":")
    try:
        factory: Callable[[], Engine] = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise CitygateError(f"engine unavailable ({exc})", name) from None
    return factory()


def _run_all(engines: Sequence[Engine], gate_input: GateInput, timeout: float) -> list[tuple[EngineRun, list[Finding]]]:
    """Run engines concurrently; the first failure (error or timeout) aborts the gate."""
    kind = gate_input.inventory.kind
    runnable = [e for e in engines if e.supports(gate_input.inventory)]
    outcomes: list[tuple[EngineRun, list[Finding]]] = [
        (EngineRun(e.name, 0.0, 0, status="skipped", detail=f"does not judge {kind}"), [])
        for e in engines
        if e not in runnable
    ]
    if not runnable:
        raise CitygateError(f"no requested engine can judge {kind} input", "gate")
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
            judged = [f for f in findings if f.status != "pass"]
            outcomes.append(
                (EngineRun(engine.name, seconds, len(judged), proofs=len(findings) - len(judged)), findings)
            )
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    if not any(run.status == "ok" for run, _ in outcomes):
        raise CitygateError(f"no requested engine had anything to judge in this {kind} input", "gate")
    return outcomes


def _timed(engine: Engine, gate_input: GateInput, timeout: float) -> tuple[list[Finding], float]:
    started = time.perf_counter()
    findings = engine.run(gate_input, timeout)
    return findings, time.perf_counter() - started


def _evidence(proofs: dict[tuple[str, str], list[str]], finding: Finding, catalogue: Catalogue) -> str:
    """Why our twin rule of each of the finding's controls holds on its resource; "" if one is unproved."""
    reasons: list[str] = []
    for control_id in finding.controls:
        control = catalogue.get(control_id)
        twin = control.twin(finding.id) if control else None
        evidence = proofs.get((twin, finding.resource)) if twin else None
        if not evidence:
            return ""
        reasons.extend(f"{twin}: {text}" for text in evidence)
    return "; ".join(dict.fromkeys(reasons))


def merge(findings: Iterable[Finding], ours: set[str], catalogue: Catalogue) -> list[Finding]:
    """Our findings, then the scanners' deduplicated and resolved only with proof (module docstring).

    `ours` are the names of the engines whose findings state our policy.  Proofs (`pass`) are
    consumed here: a dismissed finding carries the evidence, the proofs leave the report.
    """
    all_findings = list(findings)
    own = [f for f in all_findings if f.engine in ours]
    proofs: dict[tuple[str, str], list[str]] = {}
    for proof in (f for f in own if f.status == "pass"):
        proofs.setdefault((proof.id, proof.resource), []).append(proof.message)
    covered = {(c, f.resource) for f in own if f.status == "fail" for c in f.controls}
    merged = [f for f in own if f.status != "pass"]
    for finding in (f for f in all_findings if f.engine not in ours):
        if finding.controls and all((c, finding.resource) in covered for c in finding.controls):
            continue
        evidence = _evidence(proofs, finding, catalogue) if finding.controls else ""
        not_applicable = catalogue.not_applicable(finding.id)
        if finding.status == "fail" and evidence:
            finding = replace(finding, resolution="dismissed", reason=evidence)
        elif finding.status == "fail" and not_applicable:
            finding = replace(finding, resolution="not_applicable", reason=not_applicable)
        merged.append(finding)
    return merged


def _complete(outcomes: list[tuple[EngineRun, list[Finding]]], inventory: Inventory) -> bool:
    """Whether every default engine that judges this input ran: only then is an unmatched exception unused."""
    ran = {run.engine for run, _ in outcomes if run.status == "ok"}
    judging = {name for name in DEFAULT_ENGINES if make_engine(name).supports(inventory)}
    return judging <= ran


def run_gate(
    inventory: Inventory,
    path: Path,
    engines: Sequence[str | Engine] = DEFAULT_ENGINES,
    exceptions: Path | None = None,
    fail_on: Severity = DEFAULT_FAIL_ON,
    timeout: float = DEFAULT_TIMEOUT,
    options: EngineOptions | None = None,
    today: dt.date | None = None,
) -> GateReport:
    """Judge `inventory` (read from `path`) with `engines` (registry names, or engine objects of the
    same protocol), apply the exception register, and report."""
    from citygate.exceptions import apply_exceptions

    started = time.perf_counter()
    instances = [make_engine(engine) if isinstance(engine, str) else engine for engine in dict.fromkeys(engines)]
    gate_input = GateInput(inventory=inventory, path=path, options=options or EngineOptions())
    outcomes = _run_all(instances, gate_input, timeout)
    ours = {engine.name for engine in instances if engine.ours}
    findings = merge([f for _, found in outcomes for f in found], ours, load_catalogue())
    addresses = [r.address for r in inventory.resources]
    day = today or dt.date.today()
    complete = _complete(outcomes, inventory)
    findings = apply_exceptions(findings, exceptions, day, addresses, inventory.environment, complete)
    findings.sort(key=lambda f: (f.status != "fail", f.resolved, -f.severity, f.id, f.resource))
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
    """The gate `apply` runs on the plan it is about to apply: default engines, the project's register."""
    from citygate.exceptions import project_exceptions
    from citygate.inputs import load_plan

    inventory = load_plan(plan, environment=env)
    return run_gate(inventory, plan, exceptions=project_exceptions())
