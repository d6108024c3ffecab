"""Plan, apply and destroy one environment's synthesized stack with the real Terraform CLI.

The synthesized JSON never knows where it will be deployed.  On the embedded AWS, a Terraform
override file (`zz_embedded_aws_override.tf.json`) written next to it at plan time points every AWS
service the stack uses at the moto server, sets test credentials and the skip_* flags moto needs, and
replaces the backend with a local state file.  On real AWS (credentials present, not embedded) no
override is written: the stack's own provider and remote backend apply.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citygate.errors import CitygateError, Stopped
from citygate.moto_server import KeptServer, MotoServer, is_serving, last_fault
from citygate.paths import WORK
from citygate.terraform import Terraform
from citygate.toolchain import Toolchain, discover

EMBEDDED_OVERRIDE = "zz_embedded_aws_override.tf.json"
STACK_FILE = "cdk.tf.json"
PLAN_BINARY = "plan.tfplan"
PLAN_JSON = "plan.json"
STATE_FILE = "terraform.tfstate"
MOTO_RECORD = "moto.json"
MOTO_LOG = "moto.log"
# Variables through which an AWS SDK finds real credentials (short-lived ones included).
REAL_CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)
DEFAULT_REGION = "us-east-1"
TEST_CREDENTIAL = "test"  # moto accepts any key; this one can never be mistaken for a real one
# A 500 from the embedded AWS is a defect, not a transient fault: fail fast instead of the provider's 25
# retries with back-off (minutes per call), and let the error name the server's own fault line.
EMBEDDED_MAX_RETRIES = 2

# Resource/data type prefix -> the provider's `endpoints` key of the service it calls.
# Longest prefix wins; a type matching none still reaches moto through AWS_ENDPOINT_URL.
SERVICE_OF_PREFIX: dict[str, str] = {
    "aws_s3": "s3",
    "aws_kms": "kms",
    "aws_iam": "iam",
    "aws_caller_identity": "sts",
    "aws_eks": "eks",
    "aws_cloudtrail": "cloudtrail",
    "aws_guardduty": "guardduty",
    "aws_config_": "configservice",
    "aws_secretsmanager": "secretsmanager",
    "aws_ssm": "ssm",
    "aws_wafv2": "wafv2",
    "aws_rds": "rds",
    "aws_db_": "rds",
    "aws_dynamodb": "dynamodb",
    "aws_kinesis": "kinesis",
    "aws_kinesis_firehose": "firehose",
    "aws_ecr": "ecr",
    "aws_lb": "elbv2",
    "aws_alb": "elbv2",
    "aws_cloudwatch": "cloudwatch",
    "aws_cloudwatch_log": "logs",
    "aws_cloudwatch_event": "events",
    "aws_sns": "sns",
    "aws_sqs": "sqs",
    "aws_lambda": "lambda",
    "aws_acm": "acm",
    "aws_route53": "route53",
    "aws_efs": "efs",
    "aws_elasticache": "elasticache",
    "aws_autoscaling": "autoscaling",
    "aws_ebs": "ec2",
    "aws_ec2": "ec2",
    "aws_vpc": "ec2",
    "aws_subnet": "ec2",
    "aws_route": "ec2",
    "aws_route_table": "ec2",
    "aws_internet_gateway": "ec2",
    "aws_nat_gateway": "ec2",
    "aws_eip": "ec2",
    "aws_network_acl": "ec2",
    "aws_security_group": "ec2",
    "aws_default_": "ec2",
    "aws_flow_log": "ec2",
    "aws_launch_template": "ec2",
    "aws_instance": "ec2",
    "aws_availability_zones": "ec2",
    "aws_ami": "ec2",
}
ALWAYS_ENDPOINTS = ("sts", "iam", "ec2")


def service_of(resource_type: str) -> str | None:
    matches = [prefix for prefix in SERVICE_OF_PREFIX if resource_type.startswith(prefix)]
    return SERVICE_OF_PREFIX[max(matches, key=len)] if matches else None


def stack_types(stack: dict[str, Any]) -> set[str]:
    """Every resource and data source type a synthesized stack declares."""
    return {t for block in ("resource", "data") for t in stack.get(block, {})}


def endpoint_services(types: Iterable[str]) -> list[str]:
    services = {service_of(t) for t in types} | set(ALWAYS_ENDPOINTS)
    return sorted(s for s in services if s)


def _provider_blocks(stack: dict[str, Any]) -> list[dict[str, Any]]:
    """The stack's aws provider configurations (CDKTF writes a list, plain Terraform JSON may not)."""
    blocks = stack.get("provider", {}).get("aws", [{}])
    blocks = blocks if isinstance(blocks, list) else [blocks]
    return [b for b in blocks if isinstance(b, dict)] or [{}]


def embedded_override(stack: dict[str, Any], endpoint: str, state_path: Path) -> dict[str, Any]:
    """The override that sends every AWS call of `stack` to the moto server at `endpoint`."""
    endpoints = {service: endpoint for service in endpoint_services(stack_types(stack))}
    providers = []
    for block in _provider_blocks(stack):
        provider: dict[str, Any] = {
            "access_key": TEST_CREDENTIAL,
            "secret_key": TEST_CREDENTIAL,
            "skip_credentials_validation": True,
            "skip_requesting_account_id": True,
            "skip_metadata_api_check": True,
            "s3_use_path_style": True,
            "max_retries": EMBEDDED_MAX_RETRIES,
            "endpoints": [endpoints],
        }
        if "alias" in block:
            provider["alias"] = block["alias"]
        if "region" not in block:
            provider["region"] = DEFAULT_REGION
        providers.append(provider)
    return {
        "provider": {"aws": providers},
        "terraform": {"backend": {"local": {"path": str(state_path)}}},
    }


def embedded_env(endpoint: str) -> dict[str, str]:
    """Child-process variables that keep every AWS call on the embedded server, whatever the config."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": TEST_CREDENTIAL,
        "AWS_SECRET_ACCESS_KEY": TEST_CREDENTIAL,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def stack_region(stack: dict[str, Any]) -> str:
    """The region of the stack's default (unaliased) aws provider."""
    default = [b for b in _provider_blocks(stack) if "alias" not in b]
    return str((default or [{}])[0].get("region") or DEFAULT_REGION)


def read_stack(synth_file: Path) -> dict[str, Any]:
    try:
        data = json.loads(synth_file.read_text())
    except (OSError, ValueError) as exc:
        raise CitygateError(f"cannot read synthesized stack: {exc}", where=str(synth_file)) from exc
    if not isinstance(data, dict):
        raise CitygateError("synthesized stack is not a JSON object", where=str(synth_file))
    return data


@dataclass
class Deployment:
    """One environment's Terraform working directory, on the embedded AWS (`endpoint`) or real AWS (None)."""

    env: str
    synth_file: Path
    workdir: Path
    endpoint: str | None
    toolchain: Toolchain = field(default_factory=discover)
    server_log: Path | None = None  # the embedded server's log, read for its fault line when a step fails
    terraform: Terraform = field(init=False)

    def __post_init__(self) -> None:
        self.workdir = self.workdir.resolve()
        env = embedded_env(self.endpoint) if self.endpoint else {}
        self.terraform = Terraform(self.workdir, self.toolchain, extra_env=env)

    @property
    def state_path(self) -> Path:
        return self.workdir / STATE_FILE

    @property
    def stack_copy(self) -> Path:
        """The stack as last planned here: `destroy` and `verify` work from it without a new synth."""
        return self.workdir / STACK_FILE

    @property
    def region(self) -> str:
        return stack_region(read_stack(self.stack_copy if self.stack_copy.is_file() else self.synth_file))

    @property
    def plan_binary(self) -> Path:
        return self.workdir / PLAN_BINARY

    def prepare(self) -> None:
        """Copy the stack (and its assets) into the working directory, write the override, init."""
        stack = read_stack(self.synth_file)
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.synth_file.resolve() != self.stack_copy:
            shutil.copyfile(self.synth_file, self.stack_copy)
            assets = self.synth_file.parent / "assets"
            if assets.is_dir():
                shutil.copytree(assets, self.workdir / "assets", dirs_exist_ok=True)
        override = self.workdir / EMBEDDED_OVERRIDE
        if self.endpoint:
            override.write_text(json.dumps(embedded_override(stack, self.endpoint, self.state_path), indent=2) + "\n")
        else:
            override.unlink(missing_ok=True)
        self.terraform.init()

    def forget_state(self) -> None:
        """A new embedded server is an empty account: state describing an older one is meaningless."""
        for stale in (self.state_path, self.state_path.with_name(STATE_FILE + ".backup")):
            stale.unlink(missing_ok=True)

    def plan(self) -> Path:
        """Plan into the binary plan file and return the plan as JSON (`terraform show -json`)."""
        with self._explained(changes_state=False):
            self.prepare()
            self.terraform.plan(self.plan_binary)
            plan = self.terraform.show_json(self.plan_binary)
        plan_json = self.workdir / PLAN_JSON
        plan_json.write_text(json.dumps(plan, indent=1) + "\n")
        return plan_json

    def apply(self) -> None:
        """Apply exactly the plan last written by `plan()` (the one the gate judged)."""
        if not self.plan_binary.is_file():
            raise CitygateError("no plan to apply: run plan first", where=str(self.workdir))
        with self._explained():
            self.terraform.apply(self.plan_binary)

    def destroy(self) -> int:
        """Destroy what the state holds; return how many resources went."""
        with self._explained():
            self.prepare()
            return self.terraform.destroy()

    @contextmanager
    def _explained(self, changes_state: bool = True) -> Iterator[None]:
        """Add to a failed or stopped Terraform step what the user needs next: where the state is kept
        (for the steps that change it), and what the embedded AWS says about it (dead, or its own fault)."""
        try:
            yield
        except CitygateError as error:
            details = [self._embedded_cause()]
            if changes_state:
                details.append(f"state kept in {self.state_path if self.endpoint else 'the stack backend'}")
            detail = "; ".join(d for d in details if d)
            if not detail:
                raise
            if isinstance(error, Stopped):
                raise error.with_detail(detail) from None
            raise CitygateError(f"{error}; {detail}", error.where) from None

    def _embedded_cause(self) -> str | None:
        """What the embedded AWS has to say about a failed step: it died, or it logged a fault of its own."""
        if not self.endpoint:
            return None
        if not is_serving(self.endpoint):
            return f"the embedded AWS at {self.endpoint} stopped answering (log: {self.server_log})"
        fault = last_fault(self.server_log) if self.server_log else None
        return f"embedded AWS fault: {fault} (log: {self.server_log})" if fault else None

    def state(self) -> dict[str, Any]:
        """The deployed state: the embedded AWS's local state file, else pulled from the real backend."""
        if self.endpoint and self.state_path.is_file():
            try:
                data: dict[str, Any] = json.loads(self.state_path.read_text())
                return data
            except ValueError as exc:
                raise CitygateError(f"state is not JSON: {exc}", where=str(self.state_path)) from exc
        return self.terraform.state_pull()


def plan_env(env: str, synth_file: Path, workdir: Path, endpoint: str | None) -> Path:
    """Plan `env` from its synthesized stack in `workdir`; return the plan JSON path (None = real AWS)."""
    return Deployment(env, synth_file, workdir, endpoint).plan()


def workdir_for(env: str) -> Path:
    """Where an environment's Terraform working directory, state and plan live."""
    return WORK / env


def real_credentials_present(environ: Mapping[str, str] | None = None) -> bool:
    """True when the environment names real AWS credentials (never probes the metadata service)."""
    environ = os.environ if environ is None else environ
    return any(environ.get(name) for name in REAL_CREDENTIAL_VARIABLES)


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


def uses_embedded(env: str, embedded: bool, environ: Mapping[str, str] | None = None) -> bool:
    """`local` always, any env with --embedded, and any env when no real credentials are present."""
    return env == "local" or embedded or not real_credentials_present(environ)


@contextmanager
def open_account(
    env: str, embedded: bool = False, keep_running: bool = False, must_exist: bool = False
) -> Iterator[Account]:
    """The account for `env` for the duration of one command.

    On the embedded AWS, a server kept running by an earlier `--keep-running` command is reused;
    otherwise a new one starts and stops at the end, unless it is handed over to the record file
    `.work/<env>/moto.json` (`keep_running` here: when the block ends without an exception; or
    `Account.keep_running()` once the command knows it succeeded).  `must_exist` refuses to start
    an empty server (verify has nothing to read in one).
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
    with MotoServer(log_file=log) as server:
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
