"""CKV_CG_2: a bucket policy denies every request that does not use TLS.

Checkov's built-ins do not look for the `aws:SecureTransport = false` deny that keeps plain-HTTP
requests (and so credentials and data in clear) away from a bucket.
"""

from __future__ import annotations

from typing import Any

from cg_conf import UNKNOWN, as_list, json_document

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

EVERYONE = ("*", {"AWS": "*"}, {"AWS": ["*"]})
ALL_S3_ACTIONS = {"s3:*", "*"}


def denies_plain_http(statement: dict[str, Any]) -> bool:
    """Deny, to everyone, every S3 action, when aws:SecureTransport is false."""
    secure_transport = (statement.get("Condition") or {}).get("Bool", {}).get("aws:SecureTransport")
    return (
        statement.get("Effect") == "Deny"
        and statement.get("Principal") in EVERYONE
        and bool(ALL_S3_ACTIONS & set(as_list(statement.get("Action"))))
        and str(secure_transport).lower() == "false"
    )


class S3PolicyDeniesPlainHttp(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure an S3 bucket policy denies requests that do not use TLS (aws:SecureTransport)",
            id="CKV_CG_2",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_s3_bucket_policy"],
            guideline="Add a Deny statement for Principal *, Action s3:* when Bool aws:SecureTransport is false.",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        document = json_document(conf.get("policy"))
        if document is UNKNOWN:
            return CheckResult.UNKNOWN
        statements = [s for s in as_list(document.get("Statement")) if isinstance(s, dict)]
        return CheckResult.PASSED if any(map(denies_plain_http, statements)) else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["policy"]


check = S3PolicyDeniesPlainHttp()
