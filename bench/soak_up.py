"""Soak `make up`: run `main.py up --env local` N times in a row, each in a fresh working folder, optionally
beside CPU load, and report what a user would see on a slower or busier machine.

Run: `.venv/bin/python bench/soak_up.py [--runs 5] [--busy 2] [--timeout 1800]`.
Prints, per run: exit code, wall time, each stage's time, and the processes it left behind; then the
pass count and each stage's min / median / max.  `--busy K` starts K busy loops (one core each) before
the first run and stops them after the last.  Exit 0 when every run passed and left nothing running.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
WORK_ENV = "CITYGATE_WORK_DIR"
SERVER_PREFIX = "citygate-embedded-aws"  # its fault lines and its notes both start so
STAGE_LINE = re.compile(r"^\[up\] (?P<stage>[a-z]+): ")


@dataclass
class Run:
    code: int
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)
    leftovers: list[str] = field(default_factory=list)
    last_lines: list[str] = field(default_factory=list)
    server_notes: list[str] = field(default_factory=list)  # the embedded AWS's fault and note lines


def busy_loops(count: int) -> list[subprocess.Popen[bytes]]:
    """`count` processes that each keep one core busy until stopped."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def processes_of(work_dir: str) -> list[str]:
    """Live processes started by the run whose working folder is `work_dir`: every process a run starts
    (the moto server, Terraform, its provider, jsii, Locust, uvicorn) inherits CITYGATE_WORK_DIR."""
    found: list[str] = []
    for process in psutil.process_iter(["pid", "cmdline", "status"]):
        try:
            if process.info["status"] == psutil.STATUS_ZOMBIE or process.environ().get(WORK_ENV) != work_dir:
                continue
        except (psutil.AccessDenied, psutil.NoSuchProcess):
            continue
        found.append(f"{process.info['pid']} {' '.join(process.info['cmdline'] or [])[:160]}")
    return found


def one_run(timeout: float, keep_output: Path) -> Run:
    with tempfile.TemporaryDirectory(prefix="citygate-soak-") as scratch:
        work_dir = f"{scratch}/work"
        env = {**os.environ, WORK_ENV: work_dir, "CITYGATE_SYNTH_DIR": f"{scratch}/cdktf.out"}
        command = [sys.executable, str(ROOT / "main.py"), "up", "--env", "local", "--reports", f"{scratch}/reports"]
        command += ["--timeout", str(timeout)]
        started = time.monotonic()
        mark = started
        stages: dict[str, float] = {}
        lines: list[str] = []
        with keep_output.open("a") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            assert process.stdout is not None
            for line in process.stdout:
                log.write(line)
                lines = [*lines[-19:], line.rstrip()]
                matched = STAGE_LINE.match(line)
                if matched:
                    now = time.monotonic()
                    stages[matched["stage"]] = now - mark
                    mark = now
            code = process.wait()
        seconds = time.monotonic() - started
        time.sleep(2)  # a process that is stopping gets its moment before it counts as left over
        leftovers = processes_of(work_dir)
        notes = server_notes(Path(work_dir) / "local" / "moto.log")
    return Run(code, seconds, stages, leftovers, lines, notes)


def server_notes(log: Path) -> list[str]:
    """The embedded AWS's own lines about the run: faults, re-sent requests, re-sends it answered."""
    if not log.is_file():
        return []
    return [line.rstrip() for line in log.read_text(errors="replace").splitlines() if line.startswith(SERVER_PREFIX)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--busy", type=int, default=0, help="busy loops to run beside (one core each)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="each run's `up --timeout`")
    parser.add_argument("--log", type=Path, default=ROOT / ".work" / "soak_up.log", help="every run's full output")
    args = parser.parse_args()
    args.log.parent.mkdir(parents=True, exist_ok=True)
    args.log.write_text("")
    loops = busy_loops(args.busy)
    runs: list[Run] = []
    try:
        for number in range(1, args.runs + 1):
            run = one_run(args.timeout, args.log)
            runs.append(run)
            stages = ", ".join(f"{name} {seconds:.0f}s" for name, seconds in run.stages.items())
            verdict = "pass" if run.code == 0 else f"FAIL (exit {run.code})"
            print(f"run {number}/{args.runs}: {verdict} in {run.seconds:.0f}s: {stages}", flush=True)
            for leftover in run.leftovers:
                print(f"  left running: {leftover}", flush=True)
            for line in run.server_notes:
                print(f"  embedded AWS: {line}", flush=True)
            if run.code != 0:
                print("  last lines:\n    " + "\n    ".join(run.last_lines[-8:]), flush=True)
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    passed = sum(run.code == 0 for run in runs)
    clean = all(not run.leftovers for run in runs)
    print(
        f"\n{passed}/{len(runs)} passed beside {args.busy} busy loop(s); leftover processes: {'none' if clean else 'SOME'}"
    )
    names = list(dict.fromkeys(name for run in runs for name in run.stages))
    for name in names:
        times = [run.stages[name] for run in runs if name in run.stages]
        print(f"  {name:<10} min {min(times):6.1f}s  median {statistics.median(times):6.1f}s  max {max(times):6.1f}s")
    walls = [run.seconds for run in runs]
    print(f"  {'total':<10} min {min(walls):6.1f}s  median {statistics.median(walls):6.1f}s  max {max(walls):6.1f}s")
    print(f"full output: {args.log}")
    return 0 if passed == len(runs) and clean else 1


if __name__ == "__main__":
    sys.exit(main())
