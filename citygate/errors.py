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


class Stopped(CitygateError):
    """The command was stopped before it finished: its work is incomplete, not wrong.

    Callers clean up (stop child processes, keep state) and re-raise; `up` starts no teardown after it.
    """

    def with_detail(self, detail: str) -> Stopped:
        """The same stop, with what was in progress when it happened (the one line grows, the type stays)."""
        return type(self)(f"{self}; {detail}", where=self.where)


class StageTimeout(Stopped):
    """A stage ran past its deadline (`--timeout`, or a step's own cap)."""


class Interrupted(Stopped):
    """SIGINT or SIGTERM arrived."""
