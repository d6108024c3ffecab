"""The final SLO table a release manager reads at the end of a run."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from citygate.loadtest.slo import Measurement, SloResult


def slo_table(profile: str, results: list[SloResult], measured: Measurement) -> Table:
    table = Table(
        title=f"SLO gate: profile {profile}",
        caption=(
            f"{measured.requests} requests, {measured.failures} failed, in {measured.duration_s:.1f}s;"
            f" verdict: {'PASS' if all(r.passed for r in results) else 'FAIL'}"
        ),
    )
    for column in ("objective", "target", "measured", "result"):
        table.add_column(column)
    for result in results:
        verdict = "[green]PASS[/green]" if result.passed else "[bold red]FAIL[/bold red]"
        table.add_row(result.name, result.objective, result.measured, verdict)
    return table


def print_slo_table(profile: str, results: list[SloResult], measured: Measurement) -> None:
    Console(width=100).print(slo_table(profile, results, measured))
