"""The Slack message: Block Kit within Slack's limits, naming what fails and linking the run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from jsonschema import Draft202012Validator

from citygate.findings import Severity
from citygate.notify.slack import MAX_BLOCKS, build_message
from citygate.notify.summary import load_summary
from tests.notify.conftest import finding, write_report
from tests.notify.servers import Slack

Run = Callable[..., tuple[int, str, str]]
RUN_URL = "https://github.com/example/citygate/actions/runs/42"


def test_posts_the_verdict_counts_findings_and_run_link(
    notify: Run, slack: Slack, failing_report: Path, request_schema: Callable[[str], Draft202012Validator]
) -> None:
    code, out, err = notify(str(failing_report), "--slack-webhook-env", "CG_TEST_SLACK_WEBHOOK", "--run-url", RUN_URL)
    assert (code, err) == (0, "")
    assert out.strip() == "slack: posted FAIL (8 blocks)"
    (request,) = slack.requests
    assert request.headers["content-type"] == "application/json"
    request_schema("slack-message").validate(request.body)
    blocks = request.body["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "citygate gate (terraform) FAIL: 3 failing", "emoji": True},
    }
    counts = {field["text"] for field in blocks[2]["fields"]}
    assert {"*Critical*\n1", "*High*\n1", "*Medium*\n1"} <= counts
    findings = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    assert findings[0].startswith("*CG_S3_001* (critical) · control CG-ENC-1\n`aws_s3_bucket.raw`")  # worst first
    assert "*Fix:* Fix CG_S3_001 on aws_s3_bucket.raw." in findings[0]
    assert "&lt;script&gt;&amp;" in findings[0] and "<script>" not in findings[0]  # mrkdwn escaped
    assert not any("CKV_AWS_19" in text or "CG_EKS_009" in text for text in findings)  # excepted, warning
    assert blocks[-1]["elements"][0]["url"] == RUN_URL
    assert Slack.path not in out + err


def test_a_passing_report_says_pass(notify: Run, slack: Slack, clean_report: Path) -> None:
    code, out, _ = notify(str(clean_report), "--slack-webhook-env", "CG_TEST_SLACK_WEBHOOK")
    assert code == 0 and "PASS" in out
    (request,) = slack.requests
    assert request.body["blocks"][0]["text"]["text"] == "citygate gate (terraform) PASS"
    assert all(block["type"] != "actions" for block in request.body["blocks"])  # no run, no button


def test_many_long_findings_stay_within_block_kit_limits(
    tmp_path: Path, request_schema: Callable[[str], Draft202012Validator]
) -> None:
    long = "x" * 5000
    findings = [finding(f"CG_X_{n:03}", f"CG-X-{n}", f"aws_s3_bucket.b{n}{long}", Severity.HIGH) for n in range(80)]
    summary = load_summary(write_report(tmp_path / "many.json", findings))
    message = build_message(summary, RUN_URL, top=40, context=long)
    request_schema("slack-message").validate(message)
    assert len(message["blocks"]) <= MAX_BLOCKS
    assert message["blocks"][-2]["elements"][0]["text"] == "…and 40 more failing in the report"


def test_the_limits_schema_rejects_what_slack_rejects(request_schema: Callable[[str], Draft202012Validator]) -> None:
    """The schema is the test's oracle: prove it fails on a message Slack would refuse."""
    validator = request_schema("slack-message")
    header = {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}
    assert not validator.is_valid({"text": "t", "blocks": [header]})
    divider = {"type": "divider"}
    assert not validator.is_valid({"text": "t", "blocks": [divider] * 51})
    assert validator.is_valid({"text": "t", "blocks": [divider] * 50})


def test_a_load_test_verdict_lists_the_breached_objectives(
    notify: Run, slack: Slack, breached_loadtest: Path, request_schema: Callable[[str], Draft202012Validator]
) -> None:
    code, _, err = notify(str(breached_loadtest), "--slack-webhook-env", "CG_TEST_SLACK_WEBHOOK")
    assert (code, err) == (0, "")
    (request,) = slack.requests
    request_schema("slack-message").validate(request.body)
    blocks = request.body["blocks"]
    assert blocks[0]["text"]["text"] == "citygate load test FAIL: 2 failing"
    assert {f["text"] for f in blocks[2]["fields"]} == {"*Breached*\n2", "*Held*\n1"}
    sections = " ".join(b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b)
    assert "measured 410 ms, objective &lt;= 250 ms" in sections


def test_dry_run_prints_the_message_and_sends_nothing(notify: Run, slack: Slack, failing_report: Path) -> None:
    code, out, _ = notify(str(failing_report), "--slack-webhook-env", "UNSET_IN_A_DRY_RUN", "--dry-run")
    assert code == 0
    assert '"type": "header"' in out
    assert slack.requests == []
