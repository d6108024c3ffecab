"""What Terraform said: its error diagnostics, the resources still in flight, the change summary.

`plan`, `apply` and `destroy` run with `-json` (Terraform's machine-readable UI: one JSON object a line),
so the failing resource's address and the provider's whole error summary are read from structured
`diagnostic` messages, never cut out of a box of text.  Steps without `-json` (init, show, state) are
read from their human output: the first `Error:` block, its summary lines joined, and its `with ADDRESS,`
line.  A resource is *in flight* between its `apply_start` and its `apply_complete` / `apply_errored`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

BOX_CHARS = "│╷╵─"


@dataclass(frozen=True)
class Diagnostic:
    summary: str
    detail: str = ""
    address: str | None = None

    def line(self) -> str:
        """The summary on one line (a multi-line provider message joined, whole), after the address."""
        summary = " ".join(self.summary.split()) or "no error summary"
        return f"{self.address}: {summary}" if self.address else summary


@dataclass
class UiLog:
    errors: list[Diagnostic] = field(default_factory=list)
    in_flight: list[str] = field(default_factory=list)  # in the order their operations started
    changes: dict[str, Any] = field(default_factory=dict)  # the last change_summary's counts


def read_ui_log(text: str) -> UiLog:
    """Parse a `-json` run's output; lines that are not JSON objects are ignored (Terraform may log plain text)."""
    log = UiLog()
    for line in text.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if not isinstance(message, dict):
            continue
        kind = message.get("type")
        if kind == "diagnostic":
            diagnostic = message.get("diagnostic") or {}
            if diagnostic.get("severity") == "error":
                log.errors.append(
                    Diagnostic(
                        str(diagnostic.get("summary", "")),
                        str(diagnostic.get("detail", "")),
                        diagnostic.get("address"),
                    )
                )
        elif kind in ("apply_start", "apply_complete", "apply_errored"):
            address = ((message.get("hook") or {}).get("resource") or {}).get("addr")
            if not address:
                continue
            if kind == "apply_start":
                log.in_flight.append(address)
            elif address in log.in_flight:
                log.in_flight.remove(address)
        elif kind == "change_summary":
            log.changes = dict(message.get("changes") or {})
    return log


def text_errors(output: str) -> list[Diagnostic]:
    """Every `Error:` block of Terraform's human output (else its last line), as Diagnostics."""
    lines = [line.strip().lstrip(BOX_CHARS).strip() if line.strip() else "" for line in output.splitlines()]
    lines = [line for line in lines if not line or set(line) - set(BOX_CHARS)]
    starts = [i for i, line in enumerate(lines) if line.startswith("Error:")]
    if not starts:
        remaining = [line for line in lines if line]
        return [Diagnostic(remaining[-1] if remaining else "no error output")]
    return [_error_block(lines[start:end]) for start, end in zip(starts, [*starts[1:], len(lines)], strict=True)]


def _error_block(block: list[str]) -> Diagnostic:
    """One error block: its summary lines up to the first blank line, joined; its `with ADDRESS,` line."""
    summary: list[str] = []
    for line in block:
        if not line:
            break
        summary.append(line)
    address = next((line[len("with ") :].rstrip(",") for line in block if line.startswith("with ")), None)
    return Diagnostic(" ".join(summary).removeprefix("Error:").strip(), address=address)


def failure_line(ui_output: str, stderr: str) -> str:
    """One line for a failed step: the first error (address: summary) and how many more there were."""
    errors = read_ui_log(ui_output).errors or text_errors(stderr or ui_output)
    more = f" (+{len(errors) - 1} more errors)" if len(errors) > 1 else ""
    return errors[0].line() + more
