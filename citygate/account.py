"""The AWS account one command works on: a running embedded AWS, a new one, or real AWS.

An embedded server lives for one command, or for a chain of them when `apply --keep-running`
records it in `.work/<env>/moto.json` for `verify` and `destroy`.  A new server is an empty account,
so state about an older one is dropped before planning.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from citygate.deployment import Deployment
from citygate.embedded_aws import uses_embedded
from citygate.errors import CitygateError
from citygate.moto_server import KeptServer, MotoServer
from citygate.paths import WORK

MOTO_RECORD = "moto.json"
MOTO_LOG = "moto.log"


def workdir_for(env: str) -> Path:
    """Where an environment's Terraform working directory, state and plan live."""
    return WORK / env


@dataclass(frozen=True)
class Account:
    """The AWS account a command works on: the embedded moto server (`endpoint`) or real AWS (None).

    `fresh` marks a just-started embedded server: an empty account, so local state about an older
    server is stale and must be dropped before planning.
    """

    env: str
    endpoint: str | None
    server: MotoServer | None = None  # the server this command started, if any
    server_log: Path | None = None

    @property
    def fresh(self) -> bool:
        return self.server is not None

    def deployment(self, synth_file: Path) -> Deployment:
        deployment = Deployment(self.env, synth_file, workdir_for(self.env), self.endpoint, server_log=self.server_log)
        if self.fresh:
            deployment.forget_state()
        return deployment

    def keep_running(self) -> None:
        """Leave the server this command started running for later commands (see open_account)."""
        if self.server is not None:
            self.server.detach(workdir_for(self.env) / MOTO_RECORD)


@contextmanager
def open_account(
    env: str,
    embedded: bool = False,
    keep_running: bool = False,
    must_exist: bool = False,
    record_calls: Path | None = None,
) -> Iterator[Account]:
    """The account for `env` for the duration of one command.

    On the embedded AWS, a server kept running by an earlier `--keep-running` command is reused;
    otherwise a new one starts and stops at the end, unless it is handed over to the record file
    `.work/<env>/moto.json` (`keep_running` here: when the block ends without an exception; or
    `Account.keep_running()` once the command knows it succeeded).  `must_exist` refuses to start
    an empty server (verify has nothing to read in one).  A new server records every call it answers
    into `record_calls` (emptied first); a reused one records only what its own starter asked for.
    """
    if not uses_embedded(env, embedded):
        yield Account(env, None)
        return
    record = workdir_for(env) / MOTO_RECORD
    log = record.with_name(MOTO_LOG)
    kept = KeptServer.find(record)
    if kept is not None:
        yield Account(env, kept.endpoint, server_log=log)
        return
    if must_exist:
        raise CitygateError(
            f"no embedded AWS is running for {env}: run `python main.py apply --env {env} --keep-running` first",
            where="embedded AWS",
        )
    record.parent.mkdir(parents=True, exist_ok=True)
    with MotoServer(log_file=log, record_calls=record_calls) as server:
        account = Account(env, server.endpoint, server, server_log=log)
        yield account
        if keep_running:
            account.keep_running()


def stop_kept_server(env: str) -> bool:
    """Stop the embedded server kept for `env`, if any; True when one was stopped."""
    kept = KeptServer.find(workdir_for(env) / MOTO_RECORD)
    if kept is None:
        return False
    kept.stop()
    return True
