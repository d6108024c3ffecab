"""CKV_CG_1: an IRSA role trusts exactly one Kubernetes service account, with the STS audience.

A web-identity trust without a pinned `sub` lets any pod of the cluster (or any namespace's
service account, with a wildcard) assume the role; without `aud` the token may be minted for
another audience.  Roles that are not web-identity roles, and GitHub Actions trusts
(CG-IAM-8), are out of scope.
"""

from __future__ import annotations

import re
from typing import Any

from cg_conf import UNKNOWN, json_document
from cg_control import ControlCheck

from checkov.common.models.enums import CheckCategories, CheckResult
from citygate.policy_json import as_list, trusts_github_actions

WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
SERVICE_ACCOUNT = re.compile(r"^system:serviceaccount:[a-z0-9]([-a-z0-9.]*[a-z0-9])?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
STS_AUDIENCE = "sts.amazonaws.com"


def condition_values(statement: dict[str, Any], operator: str, suffix: str) -> list[Any] | None:
    """Values a condition operator tests on the claim key ending in `suffix`, or None when absent."""
    for key, values in (statement.get("Condition") or {}).get(operator, {}).items():
        if str(key).endswith(suffix):
            return as_list(values)
    return None


def pins_one_service_account(statement: dict[str, Any]) -> bool:
    """`sub` equals exactly one service account (no StringLike, no wildcard) and `aud` is STS."""
    if condition_values(statement, "StringLike", ":sub") is not None:
        return False
    subjects = condition_values(statement, "StringEquals", ":sub") or []
    audiences = condition_values(statement, "StringEquals", ":aud") or []
    return len(subjects) == 1 and bool(SERVICE_ACCOUNT.match(str(subjects[0]))) and audiences == [STS_AUDIENCE]


class IrsaTrustPinsServiceAccount(ControlCheck):
    def __init__(self) -> None:
        super().__init__("CKV_CG_1", [CheckCategories.IAM], ["aws_iam_role"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        document = json_document(conf.get("assume_role_policy"))
        if document is UNKNOWN:
            return CheckResult.UNKNOWN
        statements = [s for s in as_list(document.get("Statement")) if isinstance(s, dict)]
        web_identity = [
            s for s in statements if WEB_IDENTITY in as_list(s.get("Action")) and not trusts_github_actions(s)
        ]
        if all(pins_one_service_account(s) for s in web_identity if s.get("Effect", "Allow") == "Allow"):
            return CheckResult.PASSED
        return CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["assume_role_policy"]


check = IrsaTrustPinsServiceAccount()
