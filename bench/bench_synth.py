"""Synth time of the stacks: lean provider loader vs the normal full-package import, same run.

    .venv/bin/python bench/bench_synth.py [--env local] [--repeat 3]

Every measurement is a fresh interpreter (what `python main.py synth` costs a user), wall clock:

- warm:      jsii package cache populated (every run after the first on a machine)
- cold:      empty jsii package cache (first run: the provider assembly is unpacked, ~450 MB)
- baseline:  `import cdktf_cdktf_provider_aws` first, the import a CDKTF project normally does,
             which executes the package `__init__` and its ~2,200 submodule imports
- all envs:  warm, local + dev + staging + prod in one process

The goal is a warm synth of one environment in <= 8 s (wall) on the 2-core machine; CPU seconds are
printed too, since wall time on a shared box grows with everyone else's load.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 8.0
ALL_ENVS = ("local", "dev", "staging", "prod")


def _synth_code(envs: tuple[str, ...], outdir: str, full_import: bool) -> str:
    prelude = "import cdktf_cdktf_provider_aws; " if full_import else ""
    return f"{prelude}from pathlib import Path; import stacks; stacks.synthesize({list(envs)!r}, Path({outdir!r}))"


@dataclass(frozen=True)
class Timing:
    """Wall clock, and CPU seconds of the interpreter and its jsii node process (steadier under load)."""

    wall: float
    cpu: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_once(envs: tuple[str, ...], *, full_import: bool = False, cache_root: str | None = None) -> Timing:
    """One fresh interpreter synthesizing `envs`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if cache_root is not None:
        env["JSII_RUNTIME_PACKAGE_CACHE_ROOT"] = cache_root
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as outdir:
        cpu_before, started = _children_cpu(), time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", _synth_code(envs, outdir, full_import)],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return Timing(time.perf_counter() - started, _children_cpu() - cpu_before)


def _median(repeat: int, run: Callable[[], Timing]) -> Timing:
    runs = [run() for _ in range(repeat)]
    return Timing(statistics.median(t.wall for t in runs), statistics.median(t.cpu for t in runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="local", choices=ALL_ENVS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    one = (args.env,)

    _run_once(one)  # make sure the jsii cache is populated before the warm runs
    warm = _median(args.repeat, lambda: _run_once(one))
    baseline = _median(args.repeat, lambda: _run_once(one, full_import=True))
    all_envs = _median(args.repeat, lambda: _run_once(ALL_ENVS))
    with tempfile.TemporaryDirectory(prefix="bench-jsii-cache-") as empty_cache:
        cold = _run_once(one, cache_root=empty_cache)

    rows = [
        (f"warm, lean loader ({args.env})", warm),
        (f"cold, lean loader ({args.env}, empty jsii cache)", cold),
        (f"warm, full package import ({args.env})", baseline),
        ("warm, lean loader, all 4 envs", all_envs),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"median of {args.repeat} fresh interpreters, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'':<{width}}  {'wall':>7}  {'cpu':>7}")
    for label, timing in rows:
        print(f"{label:<{width}}  {timing.wall:6.2f}s  {timing.cpu:6.2f}s")
    print(f"full import / lean loader: {baseline.wall / warm.wall:.1f}x wall, {baseline.cpu / warm.cpu:.1f}x cpu")
    verdict = "met" if warm.wall <= GOAL_SECONDS else "MISSED (check the load average: the box is shared)"
    print(f"goal warm synth of one env <= {GOAL_SECONDS:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
