"""Writing a report file: a full disk or a folder that cannot be written is one clear error, not a traceback."""

from __future__ import annotations

from pathlib import Path

from citygate.errors import CitygateError


def write_report(path: Path, text: str) -> Path:
    """Write `text` to `path` (creating its folder); a CitygateError naming the path when that fails."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CitygateError(f"cannot write the report ({exc.strerror or exc})", str(path)) from exc
    return path
