"""Fixtures for `notify`: reports to send, loopback stand-ins, request-shape schemas, and no network."""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from citygate.cli import main
from citygate.findings import EngineRun, Finding, GateReport, Severity
from citygate.reporters.json_report import render_json
from tests.notify.servers import Jira, Slack, serving

SCHEMAS = Path(__file__).parent / "schemas"
SECRET_TOKEN = "jira-token-NEVER-PRINTED"
SECRET_USER = "gate@example.invalid"


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection a notify test opens goes to 127.0.0.1: a call to the real Slack or Jira fails."""
    connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            assert ipaddress.ip_address(address[0]).is_loopback, f"network access to {address[0]}"
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The backoff between attempts is the service's to set; the stand-ins answer at once."""
    monkeypatch.setattr("citygate.notify.http.BACKOFF", 0.0)


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Slack]:
    with serving(Slack()) as server:
        monkeypatch.setenv("CG_TEST_SLACK_WEBHOOK", server.url + Slack.path)
        yield server  # type: ignore[misc]


@pytest.fixture
def jira(monkeypatch: pytest.MonkeyPatch) -> Iterator[Jira]:
    with serving(Jira()) as server:
        monkeypatch.setenv("CG_TEST_JIRA_USER", SECRET_USER)
        monkeypatch.setenv("CG_TEST_JIRA_TOKEN", SECRET_TOKEN)
        yield server  # type: ignore[misc]


@pytest.fixture
def notify(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """`citygate notify ARGS` in process: (exit code, stdout, stderr)."""

    def _run(*argv: str) -> tuple[int, str, str]:
        code = main(["notify", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def jira_args(server: Jira, *extra: str) -> list[str]:
    return [
        "--jira-url",
        server.url,
        "--project",
        "SEC",
        "--jira-user-env",
        "CG_TEST_JIRA_USER",
        "--jira-token-env",
        "CG_TEST_JIRA_TOKEN",
        "--branch",
        "main",
        "--env",
        "staging",
        "--run-url",
        "https://github.com/example/citygate/actions/runs/42",
        *extra,
    ]


def finding(rule: str, control: str, resource: str, severity: Severity = Severity.HIGH, **extra: Any) -> Finding:
    return Finding(
        id=rule,
        title=f"{rule} title",
        severity=severity,
        status=extra.pop("status", "fail"),
        resource=resource,
        message=f"{resource} breaks {rule} <script>&",
        engine="rego",
        controls=[control] if control else [],
        fix=f"Fix {rule} on {resource}.",
        **extra,
    )


def write_report(path: Path, findings: list[Finding], engines: str = "ok") -> Path:
    report = GateReport(
        target="plan.json",
        kind="terraform",
        findings=findings,
        engines=[EngineRun("rego", 0.1, len(findings), status=engines)],
        resources=12,
    )
    path.write_text(render_json(report), encoding="utf-8")
    return path


@pytest.fixture
def failing_report(tmp_path: Path) -> Path:
    """Two failing controls (CG-ENC-1 twice, CG-NET-2 once), one resolved and one warning that do not count."""
    return write_report(
        tmp_path / "failing.json",
        [
            finding("CG_S3_001", "CG-ENC-1", "aws_s3_bucket.raw", Severity.CRITICAL),
            finding("CG_DDB_001", "CG-ENC-1", "aws_dynamodb_table.events"),
            finding("CG_SG_001", "CG-NET-2", "aws_security_group.web", Severity.MEDIUM),
            finding("CKV_AWS_19", "CG-AUD-1", "aws_s3_bucket.logs", resolution="excepted", exception="EX-1"),
            finding("CG_EKS_009", "CG-EKS-3", "aws_eks_cluster.main", status="warn"),
        ],
    )


@pytest.fixture
def fixed_report(tmp_path: Path) -> Path:
    """The next run: CG-ENC-1 is fixed, CG-NET-2 still fails."""
    return write_report(
        tmp_path / "fixed.json", [finding("CG_SG_001", "CG-NET-2", "aws_security_group.web", Severity.MEDIUM)]
    )


@pytest.fixture
def clean_report(tmp_path: Path) -> Path:
    return write_report(tmp_path / "clean.json", [])


@pytest.fixture
def breached_loadtest(tmp_path: Path) -> Path:
    document = {
        "profile": "staging",
        "passed": False,
        "slo": {"p95_ms": 250.0, "error_rate": 0.01},
        "measured": {"requests": 900, "failures": 30, "p95_ms": 410.0, "error_rate": 0.033},
        "results": [
            {"name": "p95 latency", "objective": "<= 250 ms", "measured": "410 ms", "passed": False},
            {"name": "error rate", "objective": "<= 1.00%", "measured": "3.33%", "passed": False},
            {"name": "throughput", "objective": ">= 20 rps", "measured": "30.0 rps", "passed": True},
        ],
    }
    path = tmp_path / "loadtest.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def request_schema() -> Callable[[str], Draft202012Validator]:
    """name -> a validator of that request shape (tests/notify/schemas/<name>.json, $refs resolved locally)."""
    documents = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMAS.glob("*.json")}
    registry: Registry[Any] = Registry().with_resources(
        (doc["$id"], Resource.from_contents(doc)) for doc in documents.values()
    )
    for doc in documents.values():
        Draft202012Validator.check_schema(doc)

    def _validator(name: str) -> Draft202012Validator:
        return Draft202012Validator(documents[name], registry=registry)

    return _validator
