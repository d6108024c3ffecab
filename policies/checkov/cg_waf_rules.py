"""CKV_CG_3: a WAFv2 web ACL enforces AWS's common rule set and a rate limit.

Checkov's built-ins check WAF logging and Log4j rules, not that the baseline protections are on:
the AWSManagedRulesCommonRuleSet group (not overridden to count) and a rate-based rule that blocks.
"""

from __future__ import annotations

from typing import Any

from cg_conf import blocks, present, scalar, walk
from cg_control import ControlCheck

from checkov.common.models.enums import CheckCategories, CheckResult

COMMON_RULE_SET = "AWSManagedRulesCommonRuleSet"


def only_counts(rule: dict[str, Any]) -> bool:
    """A rule (or its managed group, via override_action) set to count matches but never blocks."""
    return any(present(action, "count") for key in ("action", "override_action") for action in blocks(rule.get(key)))


def uses_common_rule_set(rule: dict[str, Any]) -> bool:
    return any(
        key == "managed_rule_group_statement" and scalar(group, "name") == COMMON_RULE_SET
        for key, value in walk(rule.get("statement"))
        for group in blocks(value)
    )


def limits_rate(rule: dict[str, Any]) -> bool:
    return any(key == "rate_based_statement" and blocks(value) for key, value in walk(rule.get("statement")))


class WafAclBaselineRules(ControlCheck):
    def __init__(self) -> None:
        super().__init__("CKV_CG_3", [CheckCategories.NETWORKING], ["aws_wafv2_web_acl"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        enforced = [rule for rule in blocks(conf.get("rule")) if not only_counts(rule)]
        if any(map(uses_common_rule_set, enforced)) and any(map(limits_rate, enforced)):
            return CheckResult.PASSED
        return CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["rule"]


check = WafAclBaselineRules()
