"""IAM, key and bucket policy documents as JSON strings.

Policies are written as literal JSON (with CDKTF tokens or `${...}` references where an ARN is only
known after apply), so the synthesized JSON shows reviewers and the gate the exact statements.
"""

from __future__ import annotations

import json
from typing import Any

Statement = dict[str, Any]


def document(*statements: Statement) -> str:
    """A policy document holding `statements`, as compact deterministic JSON."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, separators=(",", ":"))


def allow(sid: str, actions: list[str], resources: list[str] | str, **extra: Any) -> Statement:
    """An Allow statement; `extra` adds Principal/Condition keys as given."""
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def service_trust(*services: str, conditions: dict[str, Any] | None = None) -> str:
    """Trust policy letting AWS services (e.g. `eks.amazonaws.com`) assume a role."""
    statement: Statement = {
        "Sid": "ServiceAssumeRole",
        "Effect": "Allow",
        "Principal": {"Service": list(services)},
        "Action": "sts:AssumeRole",
    }
    if conditions:
        statement["Condition"] = conditions
    return document(statement)


def deny_insecure_transport(bucket_arn: str) -> Statement:
    """The TLS-only statement every bucket policy carries."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def root_principal(account_id: str) -> dict[str, str]:
    """The account itself as principal (key policies delegate to IAM through it)."""
    return {"AWS": f"arn:aws:iam::{account_id}:root"}
