"""The Slack message: Block Kit posted to an incoming webhook.

Block Kit's limits are enforced here, not discovered by a 400 from Slack: at most 50 blocks, a
header of 150 characters, a section text of 3000, ten fields of 2000 each.  Text from a report
(messages, addresses) is escaped for mrkdwn, so `<`, `>` and `&` never turn into links or mentions.
"""

from __future__ import annotations

from typing import Any

from citygate.notify.http import Service, checked_url
from citygate.notify.summary import Item, Summary

MAX_BLOCKS = 50
HEADER_CHARS = 150
TEXT_CHARS = 3000
FIELD_CHARS = 2000
MAX_FIELDS = 10
MAX_TOP = 40  # findings shown: leaves room for the header, counts, context and button within 50 blocks


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """mrkdwn control characters, as Slack documents them."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str, limit: int = TEXT_CHARS) -> dict[str, str]:
    return {"type": "mrkdwn", "text": clip(text, limit)}


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def headline(summary: Summary) -> str:
    what = "load test" if summary.scope == "loadtest" else f"gate ({summary.scope})"
    failing = f": {len(summary.items)} failing" if summary.items else ""
    return f"citygate {what} {summary.verdict}{failing}"


def counts_block(summary: Summary) -> dict[str, Any]:
    fields = [
        mrkdwn(f"*{name.replace('_', ' ').capitalize()}*\n{count}", FIELD_CHARS)
        for name, count in summary.counts.items()
    ]
    return {"type": "section", "fields": fields[:MAX_FIELDS]}


def item_block(item: Item) -> dict[str, Any]:
    lines = [
        f"*{escape(item.rule)}* ({escape(item.severity)}) · control {escape(item.control)}",
        f"`{escape(item.resource)}`",
        escape(item.message),
    ]
    if item.fix:
        lines.append(f"*Fix:* {escape(item.fix)}")
    return {"type": "section", "text": mrkdwn("\n".join(lines))}


def build_message(summary: Summary, run_url: str | None, top: int, context: str = "") -> dict[str, Any]:
    """The webhook payload: `text` is the notification fallback, `blocks` what the channel shows."""
    shown = summary.items[: min(top, MAX_TOP)]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(headline(summary), HEADER_CHARS)},
        {"type": "context", "elements": [mrkdwn(escape(f"{summary.target or summary.scope}{context}"))]},
        counts_block(summary),
    ]
    if shown:
        blocks.append({"type": "divider"})
        blocks.extend(item_block(item) for item in shown)
    if len(summary.items) > len(shown):
        more = len(summary.items) - len(shown)
        blocks.append({"type": "context", "elements": [mrkdwn(f"…and {more} more failing in the report")]})
    if run_url:
        button = {"type": "button", "text": plain("Open the run", 75), "url": run_url, "action_id": "open_run"}
        blocks.append({"type": "actions", "elements": [button]})
    return {"text": clip(headline(summary), TEXT_CHARS), "blocks": blocks[:MAX_BLOCKS]}


def post(webhook_url: str, message: dict[str, Any]) -> None:
    """POST to the webhook; any failure is one line that names Slack, never the URL (it is the secret)."""
    checked_url(webhook_url, "slack", "the webhook URL")
    with Service("slack") as slack:
        slack.send("POST", webhook_url, message, shown="webhook")
