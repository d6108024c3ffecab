"""Jira issues follow failing controls: one per control and environment, updated, closed when it passes."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from citygate.notify.jira import fingerprint
from tests.notify.conftest import SECRET_TOKEN, SECRET_USER, jira_args, write_report
from tests.notify.servers import Jira, Request

Run = Callable[..., tuple[int, str, str]]
SHAPES = [
    ("POST", re.compile(r"^/rest/api/3/search/jql$"), "jira-search"),
    ("POST", re.compile(r"^/rest/api/3/issue$"), "jira-issue-create"),
    ("PUT", re.compile(r"^/rest/api/3/issue/[A-Z]+-\d+$"), "jira-issue-edit"),
    ("POST", re.compile(r"^/rest/api/3/issue/[A-Z]+-\d+/comment$"), "jira-comment"),
    ("POST", re.compile(r"^/rest/api/3/issue/[A-Z]+-\d+/transitions$"), "jira-transition"),
    ("GET", re.compile(r"^/rest/api/3/issue/[A-Z]+-\d+/transitions$"), None),
]


def check_shapes(requests: list[Request], request_schema: Callable[[str], Draft202012Validator]) -> list[str]:
    """Every request is a documented call with a body of the documented shape; their names, in order."""
    names = []
    expected_auth = "Basic " + base64.b64encode(f"{SECRET_USER}:{SECRET_TOKEN}".encode()).decode()
    for request in requests:
        assert request.headers["authorization"] == expected_auth
        shape = next(((m, s) for m, p, s in SHAPES if m == request.method and p.match(request.path)), None)
        assert shape is not None, f"undocumented call {request.method} {request.path}"
        if shape[1]:
            request_schema(shape[1]).validate(request.body)
        names.append(shape[1] or "jira-transitions-get")
    return names


def test_opens_one_issue_per_failing_control(
    notify: Run, jira: Jira, failing_report: Path, request_schema: Callable[[str], Draft202012Validator]
) -> None:
    code, out, err = notify(str(failing_report), *jira_args(jira))
    assert (code, err) == (0, "")
    assert out.splitlines() == ["jira: opened SEC-1 (CG-ENC-1)", "jira: opened SEC-2 (CG-NET-2)"]
    assert check_shapes(jira.requests, request_schema) == ["jira-search", "jira-issue-create", "jira-issue-create"]
    enc = jira.issues["SEC-1"]
    assert enc["labels"] == [
        "citygate",
        "citygate-env-staging",
        "citygate-scope-terraform",
        fingerprint("CG-ENC-1", "staging"),
    ]
    assert enc["summary"].startswith("[citygate] CG-ENC-1 fails in staging")
    assert enc["issuetype"] == {"name": "Bug"} and enc["project"] == {"key": "SEC"}
    words = str(enc["description"])
    assert "CG_S3_001" in words and "aws_dynamodb_table.events" in words and "Fix CG_S3_001" in words
    assert "https://github.com/example/citygate/actions/runs/42" in words
    assert SECRET_TOKEN not in out + err


def test_a_rerun_updates_the_issues_instead_of_opening_more(
    notify: Run, jira: Jira, failing_report: Path, request_schema: Callable[[str], Draft202012Validator]
) -> None:
    notify(str(failing_report), *jira_args(jira))
    jira.requests.clear()
    code, out, _ = notify(str(failing_report), *jira_args(jira))
    assert code == 0
    assert out.splitlines() == ["jira: updated SEC-1 (CG-ENC-1)", "jira: updated SEC-2 (CG-NET-2)"]
    # two open issues, one per page: the search follows nextPageToken
    assert check_shapes(jira.requests, request_schema) == ["jira-search"] * 2 + ["jira-issue-edit"] * 2
    assert len(jira.issues) == 2


def test_a_control_that_passes_again_is_closed(
    notify: Run,
    jira: Jira,
    failing_report: Path,
    fixed_report: Path,
    request_schema: Callable[[str], Draft202012Validator],
) -> None:
    notify(str(failing_report), *jira_args(jira))
    jira.requests.clear()
    code, out, _ = notify(str(fixed_report), *jira_args(jira))
    assert code == 0
    assert out.splitlines() == ["jira: updated SEC-2 (CG-NET-2)", "jira: closed SEC-1 (Done)"]
    names = check_shapes(jira.requests, request_schema)
    assert names[-3:] == ["jira-comment", "jira-transitions-get", "jira-transition"]
    assert jira.requests[-1].body == {"transition": {"id": "31"}}
    assert jira.open_keys() == ["SEC-2"]
    assert "passes again" in str(jira.issues["SEC-1"]["comments"])


def test_a_fixed_control_that_fails_again_gets_a_new_issue(
    notify: Run, jira: Jira, failing_report: Path, clean_report: Path
) -> None:
    notify(str(failing_report), *jira_args(jira))
    notify(str(clean_report), *jira_args(jira))
    assert jira.open_keys() == []
    _, out, _ = notify(str(failing_report), *jira_args(jira))
    assert out.splitlines() == ["jira: opened SEC-3 (CG-ENC-1)", "jira: opened SEC-4 (CG-NET-2)"]


def test_issues_are_scoped_to_their_environment(
    notify: Run, jira: Jira, failing_report: Path, clean_report: Path
) -> None:
    notify(str(failing_report), *jira_args(jira))
    code, out, _ = notify(str(clean_report), *jira_args(jira, "--env", "prod"))
    assert code == 0 and out.strip() == "jira: nothing failing, nothing open"
    assert jira.open_keys() == ["SEC-1", "SEC-2"]  # prod passing closes nothing of staging


def test_a_report_that_judged_nothing_closes_nothing(
    notify: Run, jira: Jira, failing_report: Path, tmp_path: Path
) -> None:
    notify(str(failing_report), *jira_args(jira))
    skipped = write_report(tmp_path / "skipped.json", [], engines="skipped")
    code, out, _ = notify(str(skipped), *jira_args(jira))
    assert code == 0
    assert "left 2 issue(s) open: the report judged nothing" in out
    assert jira.open_keys() == ["SEC-1", "SEC-2"]


def test_breached_objectives_are_tracked_like_controls(notify: Run, jira: Jira, breached_loadtest: Path) -> None:
    code, out, _ = notify(str(breached_loadtest), *jira_args(jira))
    assert code == 0
    assert out.splitlines() == [
        "jira: opened SEC-1 (SLO staging/p95 latency)",
        "jira: opened SEC-2 (SLO staging/error rate)",
    ]
    assert "citygate-scope-loadtest" in jira.issues["SEC-1"]["labels"]


@pytest.mark.parametrize("branch", ["feature/x", "123/merge"])
def test_only_the_default_branch_changes_jira(notify: Run, jira: Jira, failing_report: Path, branch: str) -> None:
    code, out, _ = notify(str(failing_report), *jira_args(jira, "--branch", branch))
    assert code == 0
    assert out.strip() == f"jira: skipped: branch {branch} is not the default branch main"
    assert jira.requests == []


def test_dry_run_plans_without_asking_jira(notify: Run, jira: Jira, failing_report: Path) -> None:
    code, out, _ = notify(str(failing_report), *jira_args(jira, "--dry-run"))
    assert code == 0
    assert f"jira: would open or update {fingerprint('CG-ENC-1', 'staging')} (CG-ENC-1" in out
    assert jira.requests == []
