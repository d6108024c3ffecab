"""The Markdown report, for a pull-request comment or a GitHub job summary."""

from __future__ import annotations

from citygate.findings import Finding, GateReport
from citygate.reporters.grouping import by_control, counts, resolved_line, shown, status_label, verdict

ICON = {"PASS": ":white_check_mark:", "FAIL": ":x:"}


def cell(text: object) -> str:
    """Table-safe text: pipes escaped, line breaks flattened."""
    return " ".join(str(text).split()).replace("|", "\\|")


def row(values: list[object]) -> str:
    return "| " + " | ".join(cell(v) for v in values) + " |"


def table(header: list[str], rows: list[list[object]]) -> list[str]:
    return [row(list(header)), "|" + "---|" * len(header), *(row(r) for r in rows)]


def finding_row(f: Finding) -> list[object]:
    return [status_label(f), f.severity.name.lower(), f"`{f.id}`", f"`{f.resource}`", f.message, f.engine]


def render_markdown(report: GateReport) -> str:
    tally = counts(report)
    outcome = verdict(report)
    lines = [
        f"## {ICON[outcome]} citygate gate {outcome}: `{cell(report.target)}`",
        "",
        f"{report.kind}, {report.resources} resources, fail on **{report.fail_on.name.lower()}**: "
        f"**{tally['failing']} failing**, {tally['below_threshold']} below threshold, "
        f"{tally['warn']} warnings; {resolved_line(tally)} (listed in the JSON and SARIF reports).",
        "",
        *table(
            ["engine", "status", "seconds", "findings"],
            [[e.engine, e.status, f"{e.seconds:.2f}", e.findings] for e in report.engines],
        ),
    ]
    for group in by_control(shown(report.findings)):
        lines += ["", f"### {group.control_id}: {cell(group.title)} ({group.severity.name.lower()})", ""]
        lines += table(
            ["status", "severity", "rule", "resource", "message", "engine"], [finding_row(f) for f in group.findings]
        )
        if group.fixes:
            lines += ["", "**Fix**", "", *(f"- {cell(fix)}" for fix in group.fixes)]
    return "\n".join(lines) + "\n"
