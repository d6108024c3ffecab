"""Start the inference service on 127.0.0.1 for a `--local` run, and always stop it again."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from citygate.errors import CitygateError
from citygate.paths import WORKLOADS
from citygate.ports import free_port

SERVICE_DIR = WORKLOADS / "inference"
APP = "citysense_inference.app:create_app"
READY_TIMEOUT_S = 30.0


def get_status(url: str, timeout: float = 2.0) -> int:
    """HTTP status of a GET, or 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return 0


class LocalService:
    """An ASGI app factory under uvicorn in a child process on a free loopback port; `.url` once ready."""

    def __init__(self, app: str = APP, app_dir: Path = SERVICE_DIR) -> None:
        self.app = app
        self.app_dir = app_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._resources = contextlib.ExitStack()
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LocalService:
        self._log = self._resources.enter_context(tempfile.TemporaryFile())
        command = [
            sys.executable, "-m", "uvicorn", self.app, "--factory", "--app-dir", str(self.app_dir),
            "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
        self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    @property
    def pid(self) -> int:
        assert self._process is not None, "not started"
        return self._process.pid

    def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise CitygateError(
                    f"service exited with {self._process.returncode}: {self._last_log_line()}", "--local"
                )
            if get_status(f"{self.url}/readyz") == 200:
                return
            time.sleep(0.2)
        raise CitygateError(f"service not ready within {READY_TIMEOUT_S:g}s", "--local")

    def _last_log_line(self) -> str:
        self._log.seek(0)
        lines = self._log.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else "no output"

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._resources.close()
