"""A real PostgreSQL server for the tests and the local city of `up`: Debian's binaries, a throwaway cluster, 127.0.0.1 only.

The binaries live under /usr/lib/postgresql/<version>/bin (found by glob, newest first).  PostgreSQL
refuses to run as root, so as root the cluster belongs to `nobody` and every server command runs
through `runuser`.  Logins use a password (SCRAM) generated for the session: nothing is committed.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql

from citygate.ports import free_port

UNPRIVILEGED_USER = "nobody"
SUPERUSER = "citysense_admin"
START_TIMEOUT_S = 60


def server_binaries() -> Path | None:
    """The bin folder holding initdb and pg_ctl, newest major version first; None when not installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


@dataclass(frozen=True)
class Login:
    user: str
    password: str
    host: str
    port: int


class LocalPostgres:
    """`with LocalPostgres() as pg: pg.login` -> a superuser login on 127.0.0.1:<free port>."""

    def __init__(self) -> None:
        bin_dir = server_binaries()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (make deps installs Debian's postgresql)")
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="citysense-pg-"))
        self.data = self.root / "data"
        self.password = secrets.token_urlsafe(24)
        self.login = Login(SUPERUSER, self.password, "127.0.0.1", free_port())
        self._as_root = os.geteuid() == 0

    def owned_database(self, user: str, database: str) -> Login:
        """A new login `user` (password generated here) owning a new `database`: what the API connects as."""
        admin, password = self.login, secrets.token_urlsafe(24)
        with psycopg.connect(
            host=admin.host,
            port=admin.port,
            user=admin.user,
            password=admin.password,
            dbname="postgres",
            autocommit=True,
        ) as connection:
            connection.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(user), password))
            connection.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(database), sql.Identifier(user))
            )
        return Login(user, password, admin.host, admin.port)

    def _run(self, *args: str) -> None:
        """A server-side command, as the cluster's unprivileged owner when we are root."""
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", UNPRIVILEGED_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {(result.stderr or result.stdout).strip()[-500:]}")

    def __enter__(self) -> LocalPostgres:
        password_file = self.root / "pwfile"
        password_file.write_text(self.password + "\n")
        password_file.chmod(0o600)
        if self._as_root:
            shutil.chown(self.root, UNPRIVILEGED_USER)
            shutil.chown(password_file, UNPRIVILEGED_USER)
        try:
            self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--pwfile", str(password_file),
                      "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync")  # fmt: skip
            password_file.unlink()
            options = f"-c listen_addresses=127.0.0.1 -p {self.login.port} -k {self.root} -c fsync=off"
            self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"),
                      "-w", "-t", str(START_TIMEOUT_S), "start")  # fmt: skip
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
