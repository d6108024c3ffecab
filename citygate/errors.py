"""Errors that end a command with exit code 2 (fail closed) and one clear line."""

from __future__ import annotations

EXIT_CLEAN = 0
EXIT_VIOLATIONS = 1
EXIT_ERROR = 2


class CitygateError(Exception):
    """An expected failure: bad input, a missing tool, an engine crash or timeout.

    `where` names the file, engine or step so the one-line message is actionable.
    """

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.where = where

    def line(self) -> str:
        return f"{self.where}: {self}" if self.where else str(self)
