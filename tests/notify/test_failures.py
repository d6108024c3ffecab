"""Fail closed: an undelivered notification is exit 2 with one line naming the service, never a secret."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from citygate.notify.http import ATTEMPTS, MAX_WAIT, retry_after
from tests.notify.conftest import SECRET_TOKEN, jira_args
from tests.notify.servers import Jira, Slack

Run = Callable[..., tuple[int, str, str]]
SLACK = ("--slack-webhook-env", "CG_TEST_SLACK_WEBHOOK")


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_slack_5xx_is_retried_then_exit_2(notify: Run, slack: Slack, failing_report: Path) -> None:
    slack.fail_next(ATTEMPTS, 503, {"Retry-After": "0"}, "service_unavailable")
    code, out, err = notify(str(failing_report), *SLACK)
    assert code == 2
    assert one_line(err) == (
        f"citygate: error: slack: POST webhook answered HTTP 503 (service_unavailable) after {ATTEMPTS} attempts"
    )
    assert len(slack.requests) == ATTEMPTS
    assert Slack.path not in out + err


def test_a_throttled_then_answered_request_succeeds(notify: Run, jira: Jira, failing_report: Path) -> None:
    jira.fail_next(1, 429, {"Retry-After": "0"}, {"errorMessages": ["rate limited"]})
    jira.fail_next(1, 502, {}, "bad gateway")
    code, out, err = notify(str(failing_report), *jira_args(jira))
    assert (code, err) == (0, "")
    assert "jira: opened SEC-1 (CG-ENC-1)" in out
    assert [r.path for r in jira.requests[:3]] == ["/rest/api/3/search/jql"] * 3


def test_a_client_error_is_not_retried(notify: Run, jira: Jira, failing_report: Path) -> None:
    jira.fail_next(1, 401, {}, {"errorMessages": ["Client must be authenticated to access this resource."]})
    code, out, err = notify(str(failing_report), *jira_args(jira))
    assert code == 2
    assert one_line(err) == (
        "citygate: error: jira: POST /rest/api/3/search/jql answered HTTP 401 "
        "(Client must be authenticated to access this resource.)"
    )
    assert len(jira.requests) == 1
    assert SECRET_TOKEN not in out + err


def test_jira_failing_mid_sync_exits_2(notify: Run, jira: Jira, failing_report: Path) -> None:
    jira.fail_next(1, 200, {}, {"issues": [], "isLast": True})  # the search answers
    jira.fail_next(1, 400, {}, {"errors": {"labels": "Field 'labels' cannot be set."}})
    code, _, err = notify(str(failing_report), *jira_args(jira))
    assert code == 2
    assert one_line(err) == (
        "citygate: error: jira: POST /rest/api/3/issue answered HTTP 400 (labels: Field 'labels' cannot be set.)"
    )


def test_an_unreachable_service_exits_2(notify: Run, failing_report: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_nothing_listening = "http://127.0.0.1:9/services/T/B/SECRET"
    monkeypatch.setenv("CG_TEST_SLACK_WEBHOOK", with_nothing_listening)
    code, out, err = notify(str(failing_report), *SLACK)
    assert code == 2
    assert one_line(err) == f"citygate: error: slack: POST webhook failed (ConnectError) after {ATTEMPTS} attempts"
    assert "SECRET" not in out + err


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (SLACK, "slack: environment variable CG_TEST_SLACK_WEBHOOK is not set"),
        (
            ("--jira-url", "http://127.0.0.1:9", "--project", "SEC", "--branch", "main"),
            "jira: environment variable JIRA_USER is not set",
        ),
    ],
)
def test_a_missing_environment_variable_exits_2_in_one_line(
    notify: Run, failing_report: Path, monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...], line: str
) -> None:
    for name in ("CG_TEST_SLACK_WEBHOOK", "JIRA_USER", "JIRA_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    code, out, err = notify(str(failing_report), *argv)
    assert (code, out) == (2, "")
    assert one_line(err) == f"citygate: error: {line}"


def test_nothing_is_sent_when_jira_is_misconfigured(
    notify: Run, slack: Slack, failing_report: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JIRA_API_TOKEN", raising=False)
    monkeypatch.setenv("JIRA_USER", "someone@example.invalid")
    code, _, err = notify(
        str(failing_report), *SLACK, "--jira-url", "http://127.0.0.1:9", "--project", "SEC", "--branch", "main"
    )
    assert code == 2 and "JIRA_API_TOKEN is not set" in err
    assert slack.requests == []


@pytest.mark.parametrize(
    ("argv", "env", "line"),
    [
        (SLACK, "file:///etc/passwd", "slack: the webhook URL in CG_TEST_SLACK_WEBHOOK is not an http(s) URL"),
        (
            (*SLACK, "--run-url", "javascript:alert(1)"),
            None,
            "notify: --run-url 'javascript:alert(1)' is not an http(s) URL",
        ),
        (
            ("--jira-url", "ftp://jira", "--project", "SEC", "--branch", "main"),
            None,
            "jira: --jira-url 'ftp://jira' is not an http(s) URL",
        ),
        (
            ("--jira-url", "https://x.invalid", "--project", 'SEC" OR 1=1', "--branch", "main"),
            None,
            "--project: 'SEC\" OR 1=1' is not a Jira project key (e.g. SEC)",
        ),
        (
            ("--jira-url", "https://x.invalid", "--project", "SEC"),
            None,
            "notify: --branch (or GITHUB_REF_NAME) is required with --jira-url",
        ),
        ((), None, "notify: nothing to notify: give --slack-webhook-env and/or --jira-url"),
    ],
)
def test_bad_options_exit_2_before_sending(
    notify: Run,
    slack: Slack,
    failing_report: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
    env: str | None,
    line: str,
) -> None:
    monkeypatch.setenv("JIRA_USER", "someone@example.invalid")
    monkeypatch.setenv("JIRA_API_TOKEN", SECRET_TOKEN)
    monkeypatch.delenv("GITHUB_REF_NAME", raising=False)
    if env:
        monkeypatch.setenv("CG_TEST_SLACK_WEBHOOK", env)
    code, _, err = notify(str(failing_report), *argv)
    assert code == 2
    assert one_line(err) == f"citygate: error: {line}"
    assert slack.requests == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not JSON"),
        ('{"summary": {}, "findings": []}', "malformed report (KeyError: 'kind')"),
        ('{"hello": 1}', "neither a gate report (check --format json) nor a load-test verdict (loadtest --json)"),
    ],
)
def test_a_file_that_is_not_a_report_exits_2(
    notify: Run, slack: Slack, tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "report.json"
    path.write_text(content, encoding="utf-8")
    code, _, err = notify(str(path), *SLACK)
    assert code == 2
    assert one_line(err).startswith(f"citygate: error: {path}: {reason}")
    assert slack.requests == []


def test_retry_after_is_honoured_and_capped() -> None:
    def answer(value: str) -> httpx.Response:
        return httpx.Response(503, headers={"Retry-After": value} if value else {})

    assert retry_after(answer("7"), 1) == 7.0
    assert retry_after(answer("100000"), 1) == MAX_WAIT
    assert retry_after(answer("Wed, 21 Oct 2015 07:28:00 GMT"), 1) == 0.0  # a date in the past: go now
    assert retry_after(answer("soon"), 1) == retry_after(answer(""), 1)  # unreadable: the backoff


def test_the_tests_cannot_reach_the_network() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(AssertionError, match="network"):
        sock.connect(("192.0.2.1", 443))
