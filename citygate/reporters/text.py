"""The text report: a headline verdict, the engines that ran, and one table per control with its fixes."""

from __future__ import annotations

import io
from collections.abc import Callable

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from citygate.findings import GateReport, Severity
from citygate.reporters.grouping import ControlGroup, by_control, counts, resolved_line, shown, status_label, verdict

WIDTH = 160
SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def headline(report: GateReport) -> str:
    tally = counts(report)
    return (
        f"citygate gate {verdict(report)}: {report.target} ({report.kind}, {report.resources} resources) - "
        f"{tally['failing']} failing at or above {report.fail_on.name.lower()}, "
        f"{tally['below_threshold']} below threshold, {tally['warn']} warnings; {resolved_line(tally)}"
    )


def engines_line(report: GateReport) -> str:
    runs = [f"{e.engine} {e.status} {e.seconds:.2f}s ({e.findings})" for e in report.engines]
    return "engines: " + (", ".join(runs) or "none") + f"; total {report.seconds:.2f}s"


def group_table(group: ControlGroup) -> Table:
    """Every string goes in as `Text`: addresses (`b["k"]`) and messages must never be read as markup."""
    fixes = "\n".join(f"fix {fix}" for fix in group.fixes)
    table = Table(
        title=Text(f"{group.control_id}  {group.title}"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        caption=Text(fixes) if fixes else None,
        caption_justify="left",
    )
    for column in ("status", "severity", "rule", "resource", "message", "engine"):
        table.add_column(column, overflow="fold")
    for f in group.findings:
        style = "dim" if f.resolved or f.status != "fail" else SEVERITY_STYLE[f.severity]
        cells = (status_label(f), f.severity.name.lower(), f.id, f.resource, f.message, f.engine)
        table.add_row(*map(Text, cells), style=style)
    return table


def console_text(write: Callable[[Console], None], color: bool = False, width: int = WIDTH) -> str:
    """What `write` prints on a console, as text: plain unless `color` (a tty), so no escape codes end
    up in files or CI logs, and without the trailing blanks rich pads table rows with."""
    buffer = io.StringIO()
    write(Console(file=buffer, width=width, force_terminal=color, no_color=not color, highlight=False))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def render_text(report: GateReport, color: bool = False) -> str:
    def write(console: Console) -> None:
        console.print(headline(report), markup=False, soft_wrap=True)
        console.print(engines_line(report), markup=False, soft_wrap=True)
        for group in by_control(shown(report.findings)):
            console.print()
            console.print(group_table(group))

    return console_text(write, color)
