"""The final SLO table and verdict a release manager reads at the end of a run."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from citygate.loadtest.slo import Measurement, Slo, SloResult
from citygate.outputs import write_report


def slo_table(profile: str, results: list[SloResult]) -> Table:
    table = Table(title=f"SLO gate: profile {profile}")
    for column in ("objective", "target", "measured", "result"):
        table.add_column(column)
    for result in results:
        verdict = "[green]PASS[/green]" if result.passed else "[bold red]FAIL[/bold red]"
        table.add_row(result.name, result.objective, result.measured, verdict)
    return table


def verdict_line(results: list[SloResult], measured: Measurement) -> str:
    breached = [result.name for result in results if not result.passed]
    run = f"{measured.requests} requests, {measured.failures} failed, {measured.duration_s:.1f}s"
    if breached:
        return f"FAIL: SLO breached ({', '.join(breached)}); {run}"
    return f"PASS: every SLO holds; {run}"


def print_slo_report(profile: str, results: list[SloResult], measured: Measurement) -> None:
    console = Console(width=100)
    console.print(slo_table(profile, results))
    console.print(verdict_line(results, measured), highlight=False)


def verdict_document(profile: str, slo: Slo, results: list[SloResult], measured: Measurement) -> dict[str, Any]:
    """The run for machines (the living-documentation report, CI annotations, the in-cluster verdict line)."""
    return {
        "profile": profile,
        "passed": all(result.passed for result in results),
        "slo": slo.model_dump(),
        "measured": {**dataclasses.asdict(measured), "error_rate": measured.error_rate},
        "results": [dataclasses.asdict(result) for result in results],
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    """The verdict document to `path`; `-` prints it as the last line of stdout, one line (a pod's log)."""
    if str(path) == "-":
        print(json.dumps(document), flush=True)
    else:
        write_report(path, json.dumps(document, indent=2) + "\n")
