"""Rendering the living documentation page with jinja2 (autoescaped: feature text is data)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from citygate.livingdoc.document import Document
from citygate.outputs import write_report

_ENVIRONMENT = Environment(
    loader=PackageLoader("citygate.livingdoc", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(document: Document, scope: str = "") -> str:
    template = _ENVIRONMENT.get_template("livingdoc.html.j2")
    return template.render(
        doc=document,
        counts=document.counts(),
        scope=scope,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def write_page(document: Document, output: Path, scope: str = "") -> Path:
    return write_report(output, render(document, scope))
