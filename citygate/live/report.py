"""A live-verification report renders like every gate report (the shared reporters)."""

from __future__ import annotations

from citygate.reporters.json_report import render_json
from citygate.reporters.text import render_text

__all__ = ["render_json", "render_text"]
