"""Gate timings in one run, on the same plans: our Rego evaluation vs Checkov vs Trivy.

    python bench/bench_gate.py [--plan PROD_PLAN.json] [--sizes 1000,2500,5000,10000] [--no-external-at-scale]

Without --plan the prod environment is synthesized and planned on the embedded AWS first.
Synthetic plans repeat the compliant platform fixture (every control's resources, joined by
references) until they hold N resources.  Goals: Rego <= 100 ms on prod, <= 1 s at 10,000
resources, linear growth.  The gate's own overhead over its slowest engine is
`bench/bench_gate_overhead.py`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from citygate.engines.base import GateInput  # noqa: E402
from citygate.engines.policyset import load_policy_set  # noqa: E402
from citygate.engines.rego import compile_policies, evaluate  # noqa: E402
from citygate.gate import make_engine  # noqa: E402
from citygate.inputs import load_plan  # noqa: E402
from tests.fixtures.plans.generate import plan as fixture_plan  # noqa: E402
from tests.fixtures.plans.generate import platform  # noqa: E402


def synthetic_plan(size: int, out: Path) -> Path:
    """The compliant platform fixture repeated (renamed copy by copy) until it holds `size` resources."""
    template = fixture_plan(platform())
    changes: list[dict[str, Any]] = []
    configs: list[dict[str, Any]] = []
    copy = 0
    while len(changes) < size:
        suffix = f"_{copy}"
        text = json.dumps(
            {"c": template["resource_changes"], "r": template["configuration"]["root_module"]["resources"]}
        )
        for change in template["resource_changes"]:
            old = change["address"]
            text = text.replace(f'"{old}', f'"{old}{suffix}').replace(
                f'"name": "{change["name"]}"', f'"name": "{change["name"]}{suffix}"'
            )
        renamed = json.loads(text)
        changes.extend(renamed["c"][: size - len(changes)])
        configs.extend(renamed["r"])
        copy += 1
    planned = [
        {**{k: c[k] for k in ("address", "mode", "type", "name")}, "values": c["change"]["after"]} for c in changes
    ]
    plan = {
        **template,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {"root_module": {"resources": configs}},
    }
    out.write_text(json.dumps(plan))
    return out


def best_of(runs: int, action: Callable[[], Any]) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def rego_seconds(plan: Path) -> tuple[float, float]:
    """(load + normalize seconds, Rego evaluation seconds) for one plan."""
    started = time.perf_counter()
    inventory = load_plan(plan)
    loaded = time.perf_counter() - started
    policy_set = load_policy_set()
    engine = compile_policies(policy_set)
    document = inventory.to_input()
    return loaded, best_of(3, lambda: evaluate(policy_set, engine.clone(), document))


def external_seconds(name: str, plan: Path) -> float:
    gate_input = GateInput(inventory=load_plan(plan), path=plan)
    engine = make_engine(name)
    started = time.perf_counter()
    engine.run(gate_input, timeout=1800)
    return time.perf_counter() - started


def prod_plan() -> Path:
    from citygate.commands.check import planned_env

    return planned_env("prod")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, help="the prod plan JSON (default: synthesize and plan prod)")
    parser.add_argument("--sizes", default="1000,2500,5000,10000")
    parser.add_argument("--no-external-at-scale", action="store_true", help="time Checkov/Trivy on the prod plan only")
    args = parser.parse_args()
    plans = {"prod": args.plan or prod_plan()}
    scratch = Path(tempfile.mkdtemp(prefix="citygate-bench-"))
    sizes = [int(s) for s in args.sizes.split(",")]
    for size in sizes:
        plans[f"synthetic-{size}"] = synthetic_plan(size, scratch / f"plan-{size}.json")

    rows = []
    for label, plan in plans.items():
        resources = len(load_plan(plan).resources)
        loaded, rego = rego_seconds(plan)
        external = label == "prod" or (not args.no_external_at_scale and label == f"synthetic-{max(sizes)}")
        checkov = external_seconds("checkov", plan) if external else float("nan")
        trivy = external_seconds("trivy", plan) if external else float("nan")
        rows.append((label, resources, loaded, rego, checkov, trivy))

    print(
        f"{'plan':<18}{'resources':>10}{'load s':>9}{'rego s':>9}{'checkov s':>11}{'trivy s':>9}{'checkov/rego':>14}{'trivy/rego':>12}"
    )
    for label, resources, loaded, rego, checkov, trivy in rows:
        print(
            f"{label:<18}{resources:>10}{loaded:>9.3f}{rego:>9.3f}{checkov:>11.2f}{trivy:>9.2f}{checkov / rego:>14.0f}{trivy / rego:>12.0f}"
        )
    scale = [(r[1], r[3]) for r in rows if r[0].startswith("synthetic")]
    per_resource = [seconds / count * 1e6 for count, seconds in scale]
    spread = max(per_resource) / min(per_resource)
    print(
        f"rego per resource: {', '.join(f'{p:.1f} us' for p in per_resource)} (max/min {spread:.2f}; linear if close to 1)"
    )

    prod_rego = rows[0][3]
    big_rego = next((r[3] for r in rows if r[0] == f"synthetic-{max(sizes)}"), float("nan"))
    goals = [prod_rego <= 0.1, big_rego <= 1.0]
    print(f"goals: prod rego <= 100 ms {goals[0]}; {max(sizes)} rego <= 1 s {goals[1]}")
    print(f"median rego/resource {statistics.median(per_resource):.1f} us")
    return 0 if all(goals) else 1


if __name__ == "__main__":
    sys.exit(main())
