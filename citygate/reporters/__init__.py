"""Render a `GateReport` for people and tools: text, json, sarif, junit, markdown."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from citygate.errors import CitygateError
from citygate.findings import GateReport
from citygate.reporters.json_report import render_json
from citygate.reporters.junit import render_junit
from citygate.reporters.markdown import render_markdown
from citygate.reporters.sarif import render_sarif
from citygate.reporters.text import render_text

FORMATS = ("text", "json", "sarif", "junit", "markdown")


def render(report: GateReport, fmt: str, *, color: bool = False) -> str:
    """The report in format `fmt`; `color` only affects text (pass True when writing to a tty)."""
    renderers: dict[str, Callable[[GateReport], str]] = {
        "text": partial(render_text, color=color),
        "json": render_json,
        "sarif": render_sarif,
        "junit": render_junit,
        "markdown": render_markdown,
    }
    if fmt not in renderers:
        raise CitygateError(f"unknown report format {fmt!r} (use one of {', '.join(FORMATS)})", where="report")
    return renderers[fmt](report)
