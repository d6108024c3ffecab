"""Jira Cloud issues that follow failing controls: opened once, kept current, closed when the control passes.

One issue per failing control and environment, found again by a fingerprint label
(`citygate-<sha256(control, env)[:12]>`), so a rerun updates the issue instead of opening another.
Every issue also carries `citygate`, `citygate-env-<env>` and `citygate-scope-<kind>`: an issue is closed
only by a report of the same environment and the same kind of input (a manifests run must not close
the plan's issues), and only when that report judged something (a run whose engines were all skipped
proves nothing passes).  REST API v3: descriptions and comments are Atlassian Document Format.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from citygate.errors import CitygateError
from citygate.notify.http import Service
from citygate.notify.summary import Problem, Summary

API = "/rest/api/3"
PAGE = 100
MAX_ITEMS = 50  # findings listed in one description; the report has the rest
FINGERPRINT = re.compile(r"^citygate-[0-9a-f]{12}$")
PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9_]{1,9}$")
SUMMARY_CHARS = 255


def label_part(text: str) -> str:
    """Jira labels cannot hold spaces; keep them readable and quote-free for JQL."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "none"


def check_project(project: str | None) -> str:
    """A project key is quoted into JQL: only what Jira allows as a key gets there."""
    if not project:
        raise CitygateError("--project is required with --jira-url", "notify")
    if not PROJECT_KEY.match(project):
        raise CitygateError(f"{project!r} is not a Jira project key (e.g. SEC)", "--project")
    return project


def fingerprint(control: str, env: str) -> str:
    return "citygate-" + hashlib.sha256(f"{control}\n{env}".encode()).hexdigest()[:12]


def scope_labels(env: str, scope: str) -> list[str]:
    return ["citygate", f"citygate-env-{label_part(env)}", f"citygate-scope-{label_part(scope)}"]


# --- Atlassian Document Format -------------------------------------------------------------------


def text(value: str, href: str | None = None, strong: bool = False) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value or " "}
    marks = ([{"type": "link", "attrs": {"href": href}}] if href else []) + ([{"type": "strong"}] if strong else [])
    if marks:
        node["marks"] = marks
    return node


def paragraph(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(nodes)}


def bullets(lines: list[list[dict[str, Any]]]) -> dict[str, Any]:
    return {"type": "bulletList", "content": [{"type": "listItem", "content": [paragraph(*line)]} for line in lines]}


def document(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(blocks)}


def run_line(run_url: str | None) -> dict[str, Any]:
    return paragraph(text("Run: "), text(run_url, href=run_url)) if run_url else paragraph(text("Run: not given"))


def description(problem: Problem, summary: Summary, env: str, run_url: str | None) -> dict[str, Any]:
    listed = problem.items[:MAX_ITEMS]
    lines = [
        [text(f"{item.rule} ", strong=True), text(f"on {item.resource}: {item.message}")]
        + ([text(" Fix: ", strong=True), text(item.fix)] if item.fix else [])
        for item in listed
    ]
    more = len(problem.items) - len(listed)
    return document(
        paragraph(
            text(f"{problem.key} ({problem.title}) fails in environment {env}: "),
            text(f"{len(problem.items)} failing finding(s) on {summary.target}."),
        ),
        bullets(lines),
        *([paragraph(text(f"…and {more} more in the report."))] if more else []),
        run_line(run_url),
        paragraph(text("Kept current by citygate notify; closed by it when the control passes again.")),
    )


def issue_summary(problem: Problem, env: str) -> str:
    line = f"[citygate] {problem.key} fails in {env}: {problem.title}"
    return line if len(line) <= SUMMARY_CHARS else line[: SUMMARY_CHARS - 1] + "…"


# --- The API --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenIssue:
    key: str
    fingerprint: str


class Jira:
    """The few calls the sync needs, each through `Service` (timeouts, retries, one-line failures)."""

    def __init__(self, service: Service, project: str, issue_type: str) -> None:
        self.service = service
        self.project = project
        self.issue_type = issue_type

    def open_issues(self, labels: list[str]) -> list[OpenIssue]:
        """Unresolved issues carrying every label, oldest first (all pages)."""
        clauses = " AND ".join(f'labels = "{label}"' for label in labels)
        jql = f'project = "{self.project}" AND {clauses} AND statusCategory != Done ORDER BY created ASC'
        found: list[OpenIssue] = []
        token: str | None = None
        while True:
            body: dict[str, Any] = {"jql": jql, "fields": ["labels", "summary"], "maxResults": PAGE}
            if token:
                body["nextPageToken"] = token
            page = self.service.send("POST", f"{API}/search/jql", body).json()
            for issue in page.get("issues", []):
                prints = [label for label in issue.get("fields", {}).get("labels", []) if FINGERPRINT.match(label)]
                if prints:
                    found.append(OpenIssue(str(issue["key"]), prints[0]))
            token = page.get("nextPageToken")
            if not token or page.get("isLast", False):
                return found

    def create(self, summary: str, labels: list[str], body: dict[str, Any]) -> str:
        fields = {
            "project": {"key": self.project},
            "issuetype": {"name": self.issue_type},
            "summary": summary,
            "labels": labels,
            "description": body,
        }
        return str(self.service.send("POST", f"{API}/issue", {"fields": fields}).json()["key"])

    def update(self, key: str, summary: str, body: dict[str, Any]) -> None:
        self.service.send("PUT", f"{API}/issue/{key}", {"fields": {"summary": summary, "description": body}})

    def comment(self, key: str, body: dict[str, Any]) -> None:
        self.service.send("POST", f"{API}/issue/{key}/comment", {"body": body})

    def close(self, key: str) -> str:
        """Move the issue to a Done-category status through the transition its workflow offers."""
        offered = self.service.send("GET", f"{API}/issue/{key}/transitions").json().get("transitions", [])
        done = [t for t in offered if t.get("to", {}).get("statusCategory", {}).get("key") == "done"]
        done.sort(key=lambda t: str(t.get("name", "")).lower() != "done")  # prefer the one named Done
        if not done:
            names = ", ".join(str(t.get("name")) for t in offered) or "none"
            raise CitygateError(f"{key} offers no transition to a done status (offered: {names})", "jira")
        self.service.send("POST", f"{API}/issue/{key}/transitions", {"transition": {"id": str(done[0]["id"])}})
        return str(done[0].get("name", "Done"))


def sync(jira: Jira, summary: Summary, env: str, run_url: str | None) -> list[str]:
    """Open or update one issue per failing control, close the scope's issues whose control passes."""
    scope = scope_labels(env, summary.scope)
    existing: dict[str, str] = {}
    for issue in jira.open_issues(scope):
        existing.setdefault(issue.fingerprint, issue.key)
    lines: list[str] = []
    failing: set[str] = set()
    for problem in summary.problems:
        mark = fingerprint(problem.key, env)
        failing.add(mark)
        title, body = issue_summary(problem, env), description(problem, summary, env, run_url)
        if mark in existing:
            jira.update(existing[mark], title, body)
            lines.append(f"jira: updated {existing[mark]} ({problem.key})")
        else:
            key = jira.create(title, [*scope, mark], body)
            lines.append(f"jira: opened {key} ({problem.key})")
    passing = {mark: key for mark, key in existing.items() if mark not in failing}
    if passing and not summary.judged:
        return [*lines, f"jira: left {len(passing)} issue(s) open: the report judged nothing, so nothing passes"]
    for key in sorted(passing.values()):
        jira.comment(key, document(paragraph(text("The control passes again. ")), run_line(run_url)))
        lines.append(f"jira: closed {key} ({jira.close(key)})")
    return lines


def planned(summary: Summary, env: str) -> list[str]:
    """What `sync` would do, without asking Jira (a dry run): closures depend on Jira's answer."""
    lines = [f"jira: would open or update {fingerprint(p.key, env)} ({p.key}: {p.title})" for p in summary.problems]
    labels = " ".join(scope_labels(env, summary.scope))
    return [*lines, f"jira: would close open issues labelled {labels} whose control no longer fails"]
