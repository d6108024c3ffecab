"""The embedded AWS: moto's server as a child process on a free 127.0.0.1 port.

A subprocess (not moto's in-process ThreadedMotoServer) keeps moto's global state and its heavy
imports out of our process, and lets `apply --keep-running` leave the server up for a later
`verify`/`destroy`: the server's endpoint and pid are then recorded in a small JSON file that the
next command reuses while the process is alive.

The child runs this module (`python -m citygate.moto_server`), which applies the few fixes listed
in `_fix_moto` and docs/local-differences.md before handing over to moto's own server.
"""

from __future__ import annotations

import fnmatch
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from citygate.errors import CitygateError
from citygate.paths import ROOT

HOST = "127.0.0.1"
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


def free_port() -> int:
    """A port the kernel says is free now (moto binds it a moment later; start() retries on a race)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def is_serving(endpoint: str, timeout: float = 2.0) -> bool:
    """True when a moto server answers its management API at `endpoint` (a cheap config read)."""
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/config", timeout=timeout) as response:
            return 200 <= int(response.status) < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


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

    def __init__(self, log_file: Path | None = None, ready_timeout: float = READY_TIMEOUT_S) -> None:
        self.log_file = log_file
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
        for _ in range(attempts):
            port = free_port()
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
        }
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "citygate.moto_server", "-H", HOST, "-p", str(port)],
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


def _fix_moto() -> None:
    """Work around moto 5.2 defects that real AWS does not have (each listed in docs/local-differences.md)."""
    from moto.core.config import default_user_config

    # Lambda: run no containers (there is no container runtime); invocations get a canned reply.
    default_user_config["lambda"] = {"use_docker": False}
    _fix_s3_logging_grant()
    _fix_rotation_without_value()
    _add_ebs_default_kms_key()
    _merge_guardduty_features()


def _fix_s3_logging_grant() -> None:
    """moto crashes on a `Principal: "*"` statement in the target bucket's policy and compares
    resources as exact strings; evaluate the grant with IAM wildcard matching instead."""
    from moto.s3.models import FakeBucket

    def logging_allowed_by_policy(target_bucket: Any, target_prefix: str | None) -> bool:
        """The grant AWS checks: Allow s3:PutObject to the logging service on a matching resource."""
        if not target_bucket.policy:
            return False
        sample_log = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}/{target_prefix or ''}log-object"
        return any(
            s.get("Effect") == "Allow"
            and isinstance(s.get("Principal"), dict)
            and LOGGING_SERVICE in _as_list(s["Principal"].get("Service"))
            and "s3:PutObject" in _as_list(s.get("Action"))
            and any(fnmatch.fnmatchcase(sample_log, pattern) for pattern in _as_list(s.get("Resource")))
            for s in _as_list(json.loads(target_bucket.policy.decode()).get("Statement", []))
        )

    FakeBucket._log_permissions_enabled_policy = staticmethod(logging_allowed_by_policy)  # type: ignore[method-assign]


def _fix_rotation_without_value() -> None:
    """moto crashes configuring rotation of a secret with no value yet; AWS lets the rotation
    function create the first version, so record the rotation without one."""
    from moto.secretsmanager.models import SecretsManagerBackend

    rotate = SecretsManagerBackend.rotate_secret

    def rotate_secret(self: Any, secret_id: str, **kwargs: Any) -> Any:
        secret = self.secrets[secret_id] if self._is_valid_identifier(secret_id) else None
        if secret is None or getattr(secret, "versions", True):
            return rotate(self, secret_id, **kwargs)
        lambda_arn = kwargs.pop("rotation_lambda_arn", None)
        result = rotate(self, secret_id, rotation_lambda_arn=None, **kwargs)
        secret.rotation_lambda_arn = lambda_arn or ""
        return result

    SecretsManagerBackend.rotate_secret = rotate_secret  # type: ignore[method-assign,assignment]


def _merge_guardduty_features() -> None:
    """moto replaces a detector's whole feature list on UpdateDetector; AWS updates the named
    features only (one `aws_guardduty_detector_feature` each)."""
    from moto.guardduty.models import Detector

    update = Detector.update

    def merge(self: Any, enable: Any, frequency: Any, data_sources: Any, features: Any) -> None:
        if features is not None:
            named = {f.get("name", f.get("Name")): f for f in [*(self.features or []), *features]}
            features = list(named.values())
        update(self, enable, frequency, data_sources, features)

    Detector.update = merge  # type: ignore[method-assign,assignment]


AWS_MANAGED_EBS_KEY = "alias/aws/ebs"
LOGGING_SERVICE = "logging.s3.amazonaws.com"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _add_ebs_default_kms_key() -> None:
    """The account's default EBS key, kept per region like moto's EBS-encryption-by-default flag."""
    from moto.core.responses import ActionResult
    from moto.ec2.responses import EC2Response

    def key_of(response: Any) -> ActionResult:
        return ActionResult({"KmsKeyId": getattr(response.ec2_backend, "ebs_default_kms_key_id", AWS_MANAGED_EBS_KEY)})

    def get_ebs_default_kms_key_id(self: Any) -> ActionResult:
        return key_of(self)

    def modify_ebs_default_kms_key_id(self: Any) -> ActionResult:
        self.ec2_backend.ebs_default_kms_key_id = self._get_param("KmsKeyId")
        return key_of(self)

    def reset_ebs_default_kms_key_id(self: Any) -> ActionResult:
        self.ec2_backend.ebs_default_kms_key_id = AWS_MANAGED_EBS_KEY
        return key_of(self)

    for action in (get_ebs_default_kms_key_id, modify_ebs_default_kms_key_id, reset_ebs_default_kms_key_id):
        setattr(EC2Response, action.__name__, action)


if __name__ == "__main__":
    _fix_moto()
    from moto.server import main as moto_main

    moto_main(sys.argv[1:])
