"""The embedded AWS: moto's server as a child process on a free 127.0.0.1 port.

A subprocess (not moto's in-process ThreadedMotoServer) keeps moto's global state and its heavy
imports out of our process, and lets `apply --keep-running` leave the server up for a later
`verify`/`destroy`: the server's endpoint and pid are then recorded in a small JSON file that the
next command reuses while the process is alive.

The child runs `python -m citygate.moto_patches`: moto's server with the fixes listed in
docs/local-differences.md, one request at a time, and each crash of its own reported as one
`FAULT_PREFIX` line in its log (`last_fault` reads the latest back for the CLI).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from citygate.errors import CitygateError
from citygate.leastpriv.calls import RECORD_ENV
from citygate.moto_patches import FAULT_PREFIX
from citygate.paths import ROOT
from citygate.ports import free_port

HOST = "127.0.0.1"
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


def is_serving(endpoint: str, timeout: float = 2.0) -> bool:
    """True when a moto server answers its management API at `endpoint` (a cheap config read)."""
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/config", timeout=timeout) as response:
            return 200 <= int(response.status) < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def last_fault(log_file: Path) -> str | None:
    """The embedded server's latest crash report in its log (prefix removed), or None if it logged none.

    e.g. `500 ec2.ReplaceNetworkAclAssociation: StopIteration (moto/ec2/models/network_acls.py:169)`
    """
    try:
        with log_file.open(errors="replace") as log:
            faults = [line[len(FAULT_PREFIX) :].rstrip("\n") for line in log if line.startswith(FAULT_PREFIX)]
    except OSError:
        return None
    return faults[-1] if faults else None


def reset(endpoint: str) -> None:
    """Forget every resource the server holds (moto's POST /moto-api/reset)."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST", data=b"")
    try:
        with urllib.request.urlopen(request, timeout=10):
            pass
    except (urllib.error.URLError, OSError) as exc:
        raise CitygateError(f"reset failed: {exc}", where=f"moto server {endpoint}") from exc


class MotoServer:
    """`with MotoServer() as server: server.endpoint` -> http://127.0.0.1:PORT, stopped on exit.

    `detach()` hands the running process over to a record file instead of stopping it on exit.
    """

    def __init__(
        self, log_file: Path | None = None, ready_timeout: float = READY_TIMEOUT_S, record_calls: Path | None = None
    ) -> None:
        self.log_file = log_file
        self.record_calls = record_calls  # the JSONL file every answered call is recorded into (citygate.leastpriv)
        self.ready_timeout = ready_timeout
        self.endpoint = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._detached = False

    @property
    def pid(self) -> int:
        if self._process is None:
            raise CitygateError("not started", where="moto server")
        return self._process.pid

    def start(self, attempts: int = 3) -> MotoServer:
        if self.record_calls is not None:  # a new account's record starts empty too
            self.record_calls.parent.mkdir(parents=True, exist_ok=True)
            self.record_calls.write_bytes(b"")
        if self.log_file is not None:  # a new server is a new account: its log starts empty, so that
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            self.log_file.write_bytes(b"")  # last_fault never reports an older server's fault
        for _ in range(attempts):
            port = free_port(HOST)  # start() retries when moto loses the race for it
            self._spawn(port)
            if self._wait_ready():
                return self
            self.stop()
        raise CitygateError(f"did not become ready within {self.ready_timeout:.0f}s", where="moto server")

    def _spawn(self, port: int) -> None:
        self.endpoint = f"http://{HOST}:{port}"
        output = self.log_file.open("ab") if self.log_file else subprocess.DEVNULL
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",  # AWS-managed policies exist, as in every real account
            # DNS validation completes at once (no zone to answer it): aws_acm_certificate_validation does not wait.
            "MOTO_ACM_VALIDATION_WAIT": "0",
        }
        if self.record_calls is not None:
            env[RECORD_ENV] = str(self.record_calls)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "citygate.moto_patches", "-H", HOST, "-p", str(port)],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a kept server must survive the command that started it
            )
        except OSError as exc:
            raise CitygateError(f"cannot start: {exc}", where="moto server") from exc
        finally:
            if self.log_file and output is not subprocess.DEVNULL:
                output.close()  # type: ignore[union-attr]

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False  # exited: most likely lost the port race
            if is_serving(self.endpoint, timeout=1.0):
                return True
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)

    def detach(self, record: Path) -> None:
        """Leave the server running after this process exits; `record` tells later commands where it is."""
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps({"endpoint": self.endpoint, "pid": self.pid}) + "\n")
        self._detached = True

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._detached:
            self.stop()


@dataclass(frozen=True)
class KeptServer:
    """A moto server left running by an earlier command (see MotoServer.detach)."""

    endpoint: str
    pid: int
    record: Path

    @classmethod
    def find(cls, record: Path, timeout: float = READY_TIMEOUT_S) -> KeptServer | None:
        """The recorded server while its process lives; a record of a dead process is removed."""
        try:
            data = json.loads(record.read_text())
            kept = cls(endpoint=str(data["endpoint"]), pid=int(data["pid"]), record=record)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not _pid_alive(kept.pid):
            record.unlink(missing_ok=True)
            return None
        deadline = time.monotonic() + timeout
        while not is_serving(kept.endpoint, timeout=5.0):
            if time.monotonic() > deadline or not _pid_alive(kept.pid):
                raise CitygateError(f"process {kept.pid} does not answer at {kept.endpoint}", where=str(record))
            time.sleep(0.5)
        return kept

    def stop(self) -> None:
        """Stop the recorded process (by its pid only) and forget the record."""
        if _pid_alive(self.pid):
            os.kill(self.pid, signal.SIGTERM)
            deadline = time.monotonic() + STOP_TIMEOUT_S
            while _pid_alive(self.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
        self.record.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still "exists": reap it if it is ours, and report it dead.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return done == 0
