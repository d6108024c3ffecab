"""The gate's own overhead on the prod plan: `run_gate` wall time against its slowest engine, same run.

    python bench/bench_gate_overhead.py [--plan PROD_PLAN.json] [--runs 3]

Without --plan, `.work/prod/plan.json` is reused when present, else `python main.py plan --env prod`
writes it.  Each round times every default engine that judges a plan alone (`engine.run` on the
same input), then the full gate (`run_gate`: engines concurrently, merge, exception register);
medians are printed with the ratio gate / slowest engine.  Goal: <= 1.10 (engines run
concurrently, so the gate costs little beyond its slowest one).  CPU seconds (this process and
the scanners' subprocesses) are printed too: on a shared 2-core box the wall clock grows with
everyone else's load and with the engines competing for the cores, while CPU says whether the gate
does any work its engines do not.  The Rego engine's once-per-process policy load (parse, AST,
classification) is timed separately: a `check` process pays it once, in the Rego engine's thread,
alongside the scanners.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from citygate.engines.base import GateInput  # noqa: E402
from citygate.engines.policyset import load_policy_set  # noqa: E402
from citygate.gate import DEFAULT_ENGINES, make_engine, run_gate  # noqa: E402
from citygate.inputs import load_plan  # noqa: E402
from citygate.paths import WORK  # noqa: E402

GOAL_RATIO = 1.10


def prod_plan(given: Path | None) -> Path:
    """The prod plan JSON: the one given, the one `plan --env prod` left, or a fresh one."""
    plan = given or WORK / "prod" / "plan.json"
    if not plan.is_file():
        subprocess.run([sys.executable, "main.py", "plan", "--env", "prod"], cwd=ROOT, check=True)
    return plan


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(action: Callable[[], Any]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its finished children) of one call."""
    wall, cpu = time.perf_counter(), _cpu()
    action()
    return time.perf_counter() - wall, _cpu() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--plan", type=Path, help="the prod plan JSON (default: .work/prod/plan.json, planned if missing)"
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    plan = prod_plan(args.plan)
    inventory = load_plan(plan, environment="prod")
    gate_input = GateInput(inventory=inventory, path=plan)
    engines = [engine for engine in map(make_engine, DEFAULT_ENGINES) if engine.supports(inventory)]

    load_policy_set.cache_clear()
    policy_load, _ = timed(load_policy_set)

    names = [engine.name for engine in engines]
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in [*names, "gate"]}
    for _ in range(args.runs):  # interleaved, so a change in the box's load touches every column alike
        for engine in engines:
            runs[engine.name].append(timed(partial(engine.run, gate_input, timeout=1800)))
        runs["gate"].append(timed(lambda: run_gate(inventory, plan, names, timeout=1800)))

    wall = {name: statistics.median(w for w, _ in times) for name, times in runs.items()}
    cpu = {name: statistics.median(c for _, c in times) for name, times in runs.items()}
    slowest = max(names, key=lambda name: wall[name])
    ratio = wall["gate"] / wall[slowest]
    print(f"prod plan: {len(inventory.resources)} resources, {args.runs} runs, medians; {os.cpu_count()} cores")
    print(f"  {'':<10}{'wall s':>8}{'cpu s':>8}")
    for name in names:
        print(f"  {name:<10}{wall[name]:>8.2f}{cpu[name]:>8.2f}  alone")
    print(f"  {'gate':<10}{wall['gate']:>8.2f}{cpu['gate']:>8.2f}  run_gate: {', '.join(names)} concurrently")
    print(f"gate cpu / engines' cpu: {cpu['gate'] / sum(cpu[name] for name in names):.3f}")
    print(f"rego policy load (once per process): {policy_load:.2f} s")
    print(f"gate / slowest engine ({slowest}): {ratio:.3f} (goal <= {GOAL_RATIO:.2f}) {ratio <= GOAL_RATIO}")
    return 0 if ratio <= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
