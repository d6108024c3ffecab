"""Dockerfiles as the `citygate.docker` Rego policies read them (policies/rego/docker/docker.rego).

A small parser for what the policies need: logical lines (continuations joined, comments dropped),
ARG defaults declared before the first FROM expanded in FROM lines, stages with their base and name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_ARG_REFERENCE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, instruction text) for each instruction."""
    lines: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        lines.append((start, " ".join(part for part in pending if part)))
        pending = []
    if pending:
        lines.append((start, " ".join(pending)))
    return lines


def parse(path: Path, name: str) -> dict[str, Any]:
    """`{"path": name, "stages": [...]}` for the policies' input."""
    args: dict[str, str] = {}
    stages: list[dict[str, Any]] = []
    for line, instruction in logical_lines(path.read_text(encoding="utf-8")):
        command, _, value = instruction.partition(" ")
        command, value = command.lower(), value.strip()
        if command == "arg" and not stages and "=" in value:
            key, _, default = value.partition("=")
            args[key.strip()] = default.strip().strip('"')
        if command == "from":
            words = [w for w in value.split() if not w.startswith("--")]
            base = _ARG_REFERENCE.sub(lambda m: args.get(m.group(1), m.group(0)), words[0]) if words else ""
            alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else ""
            stages.append({"index": len(stages), "name": alias, "base": base, "final": False, "instructions": []})
        elif stages:
            stages[-1]["instructions"].append({"cmd": command, "value": value, "line": line})
    if stages:
        stages[-1]["final"] = True
    return {"path": name, "stages": stages}


def rego_input(dockerfiles: dict[str, Path]) -> dict[str, Any]:
    """The policies' input for {display name: Dockerfile path}."""
    return {"kind": "dockerfiles", "dockerfiles": [parse(path, name) for name, path in sorted(dockerfiles.items())]}
