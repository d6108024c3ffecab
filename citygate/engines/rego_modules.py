"""Rego modules as regorus parses them: each file's package, its rules and its `# METADATA` blocks.

The rules come from regorus's own AST (`Engine.get_ast_as_json()`), so every rule head the engine
evaluates is seen here, whatever its spelling or layout.  regorus keeps no comments in its AST, so
the METADATA blocks (comment blocks starting `# METADATA` at column 1, as OPA writes them) are read
from the source; `policyset` attaches each to the rule that starts on the line below it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import regorus

from citygate.errors import CitygateError

METADATA_MARK = "# METADATA"
# AST head kinds -> what a Rego author calls them
_SHAPES = {"Set": "set", "Compr": "complete", "Func": "function"}
_STRING_NODES = ("String", "RawString")


def regorus_error(exc: Exception) -> str:
    """The useful part of a regorus error (its `-->` location and `error:` line, not the backtrace)."""
    lines = [line.strip() for line in str(exc).splitlines()]
    picked = [line for line in lines if line.startswith(("-->", "error:"))]
    return " ".join(picked) or next((line for line in lines if line), repr(exc))


@dataclass(frozen=True)
class Rule:
    """One rule definition (one head and its bodies) in one file."""

    file: str
    line: int  # where its head starts
    ref: tuple[str, ...]  # ("deny",); ("deny", "sub") for `deny.sub contains ...`; ("obj", "[k]") for `obj[k] := ...`
    shape: str  # set (`x contains v`) | complete (`x := v`, `x if`) | function | default
    source: str = field(compare=False)  # its first line, for error messages
    ast: Any = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.ref[0]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def string_literals(self) -> set[str]:
        """Every string constant written in the head or bodies (the rule ids it can produce are among them)."""
        return set(_strings(self.ast))


@dataclass(frozen=True)
class MetadataBlock:
    """A `# METADATA` comment block: its YAML text and the lines it spans."""

    file: str
    first_line: int
    last_line: int
    text: str

    @property
    def where(self) -> str:
        return f"{self.file}:{self.first_line}"


@dataclass(frozen=True)
class Module:
    """One Rego file: its package (`citygate.rds`), where that is declared, its rules and METADATA blocks."""

    file: str
    package: str
    package_line: int
    rules: tuple[Rule, ...]
    metadata: tuple[MetadataBlock, ...]


def compile_sources(sources: dict[str, str], coverage: bool = False) -> regorus.Engine:
    """A regorus engine holding `{path: Rego text}`; a file that does not compile fails closed, naming it."""
    engine = regorus.Engine()
    engine.set_enable_coverage(coverage)
    for path, text in sources.items():
        try:
            engine.add_policy(path, text)
        except RuntimeError as exc:
            raise CitygateError(f"policy does not compile: {regorus_error(exc)}", path) from None
    return engine


def parse_modules(sources: dict[str, str]) -> list[Module]:
    """Every file as regorus parses it."""
    return [_module(entry, sources) for entry in json.loads(compile_sources(sources).get_ast_as_json())]


def _module(entry: dict[str, Any], sources: dict[str, str]) -> Module:
    path = entry["source"]["file"]
    ast = entry["ast"]
    lines = sources[path].splitlines()
    rules = tuple(_rule(path, node, lines) for node in ast["rules"])
    package = ast["package"]
    return Module(
        file=path,
        package=".".join(_ref_path(package["refr"])),
        package_line=package["span"]["line"],
        rules=rules,
        metadata=tuple(metadata_blocks(path, lines)),
    )


def _rule(path: str, node: dict[str, Any], lines: list[str]) -> Rule:
    kind, body = next(iter(node.items()))
    if kind == "Default":
        shape, ref, line = "default", body["refr"], body["span"]["line"]
    else:
        head_kind, head = next(iter(body["head"].items()))
        shape, ref, line = _SHAPES.get(head_kind, head_kind.lower()), head["refr"], body["span"]["line"]
    return Rule(
        file=path,
        line=line,
        ref=tuple(_ref_path(ref)),
        shape=shape,
        source=lines[line - 1].strip() if 0 < line <= len(lines) else "",
        ast=node,
    )


def _ref_path(node: dict[str, Any]) -> list[str]:
    """`a.b[k]` -> ["a", "b", "[k]"] (a bracket holding a string constant reads as that string)."""
    kind, value = next(iter(node.items()))
    if kind == "Var":
        return [str(value["value"])]
    if kind == "RefDot":
        return [*_ref_path(value["refr"]), str(value["field"][1])]
    if kind == "RefBrack":
        index_kind, index = next(iter(value["index"].items()))
        key = index["value"] if index_kind in _STRING_NODES else f"[{index.get('value', '…')}]"
        return [*_ref_path(value["refr"]), str(key)]
    return [f"<{kind}>"]


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for kind, value in node.items():
            if kind in _STRING_NODES and isinstance(value, dict) and isinstance(value.get("value"), str):
                yield value["value"]
            else:
                yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def metadata_blocks(path: str, lines: list[str]) -> Iterator[MetadataBlock]:
    """The `# METADATA` blocks of a file: the mark at column 1, then every `#` line directly below it."""
    index = 0
    while index < len(lines):
        if lines[index].rstrip() != METADATA_MARK:
            index += 1
            continue
        first = index
        index += 1
        while index < len(lines) and lines[index].startswith("#"):
            index += 1
        body = (line[2:] if line.startswith("# ") else line[1:] for line in lines[first + 1 : index])
        yield MetadataBlock(file=path, first_line=first + 1, last_line=index, text="\n".join(body))
