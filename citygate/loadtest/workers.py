"""Locust worker processes for `--workers N`: one per core, all driven by the in-process master."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import TracebackType


class WorkerPool:
    """N `locust --worker` processes connected to a master on 127.0.0.1:`master_port`."""

    def __init__(self, count: int, locustfile: Path, master_port: int) -> None:
        self.count = count
        self.command = [
            sys.executable, "-m", "locust", "-f", str(locustfile), "--worker",
            "--master-host", "127.0.0.1", "--master-port", str(master_port), "--loglevel", "WARNING",
        ]  # fmt: skip
        self._processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> WorkerPool:
        self._processes = [subprocess.Popen(self.command, stdout=subprocess.DEVNULL) for _ in range(self.count)]
        return self

    def exited(self) -> list[int]:
        """Exit codes of workers that have already died (a dead worker is an error, not a slow one)."""
        return [code for code in (p.poll() for p in self._processes) if code is not None]

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        for process in self._processes:
            try:
                process.wait(timeout=10)  # the master's quit message ends them
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
