"""`notify`: tell people what a gate or load-test report found (Slack) and track failing controls (Jira).

Secrets never appear on the command line: options name the environment variables that hold them.
Jira issues change only on the default branch (a pull request's findings are its author's, not the
backlog's).  Exit 0 when every notification went out, 2 with one line when one did not (fail closed):
a report that could not be delivered is not silently dropped.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from citygate.errors import EXIT_CLEAN, CitygateError
from citygate.notify import jira, slack
from citygate.notify.http import Service, checked_url, secret
from citygate.notify.summary import load_summary


def _jira_target(url: str, project: str | None, user_env: str, token_env: str) -> tuple[str, tuple[str, str]]:
    """(base URL, credentials), checked before anything is sent: a misconfiguration never half-notifies."""
    base = checked_url(url.rstrip("/"), "jira", f"--jira-url {url!r}")
    return base, (secret(user_env, "jira"), secret(token_env, "jira"))


@click.command("notify")
@click.argument("report", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--slack-webhook-env", metavar="VAR", help="Post to Slack: the variable holding the incoming-webhook URL."
)
@click.option("--jira-url", help="Track failing controls in Jira Cloud at this site (https://example.atlassian.net).")
@click.option("--project", help="Jira project key for the issues (e.g. SEC).")
@click.option(
    "--jira-user-env", metavar="VAR", default="JIRA_USER", show_default=True, help="Variable: Jira account e-mail."
)
@click.option(
    "--jira-token-env", metavar="VAR", default="JIRA_API_TOKEN", show_default=True, help="Variable: Jira API token."
)
@click.option("--jira-issue-type", default="Bug", show_default=True, help="Issue type of new issues.")
@click.option(
    "--env",
    "env",
    default="default",
    show_default=True,
    help="Environment the report is about (part of the fingerprint).",
)
@click.option("--run-url", help="Link to the CI run (the Slack button, the issue text).")
@click.option("--branch", envvar="GITHUB_REF_NAME", help="Branch the report comes from [env: GITHUB_REF_NAME].")
@click.option("--default-branch", default="main", show_default=True, help="Jira changes only on this branch.")
@click.option("--top", type=click.IntRange(1, slack.MAX_TOP), default=10, show_default=True, help="Findings in Slack.")
@click.option("--dry-run", is_flag=True, help="Print the Slack message and the Jira plan; send nothing.")
def notify(
    report: Path,
    slack_webhook_env: str | None,
    jira_url: str | None,
    project: str | None,
    jira_user_env: str,
    jira_token_env: str,
    jira_issue_type: str,
    env: str,
    run_url: str | None,
    branch: str | None,
    default_branch: str,
    top: int,
    dry_run: bool,
) -> int:
    """Post a report to Slack and open, update or close one Jira issue per failing control."""
    if not slack_webhook_env and not jira_url:
        raise CitygateError("nothing to notify: give --slack-webhook-env and/or --jira-url", "notify")
    if jira_url and branch is None:
        raise CitygateError("--branch (or GITHUB_REF_NAME) is required with --jira-url", "notify")
    if run_url:
        checked_url(run_url, "notify", f"--run-url {run_url!r}")
    if jira_url:
        jira.check_project(project)
    summary = load_summary(report)
    track = bool(jira_url) and branch == default_branch
    webhook = "" if dry_run or not slack_webhook_env else secret(slack_webhook_env, "slack")
    if webhook:
        checked_url(webhook, "slack", f"the webhook URL in {slack_webhook_env}")
    target = (
        _jira_target(jira_url, project, jira_user_env, jira_token_env) if jira_url and track and not dry_run else None
    )
    if slack_webhook_env:
        message = slack.build_message(
            summary, run_url, top, f" · env {env}" + (f" · branch {branch}" if branch else "")
        )
        if dry_run:
            click.echo(json.dumps(message, indent=2))
        else:
            slack.post(webhook, message)
            click.echo(f"slack: posted {summary.verdict} ({len(message['blocks'])} blocks)")
    if jira_url and not track:
        click.echo(f"jira: skipped: branch {branch} is not the default branch {default_branch}")
    elif jira_url and target is None:
        click.echo("\n".join(jira.planned(summary, env)))
    elif target is not None:
        with Service("jira", target[0], auth=target[1]) as service:
            lines = jira.sync(jira.Jira(service, project or "", jira_issue_type), summary, env, run_url)
        click.echo("\n".join(lines) if lines else "jira: nothing failing, nothing open")
    return EXIT_CLEAN
