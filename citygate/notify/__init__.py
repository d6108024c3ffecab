"""Notifications from a report: a Slack message and Jira issues that follow failing controls."""
