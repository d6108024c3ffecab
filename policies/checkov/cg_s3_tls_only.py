"""CKV_CG_2: a bucket policy denies every request that does not use TLS.

Checkov's built-ins do not look for the `aws:SecureTransport = false` deny that keeps plain-HTTP
requests (and so credentials and data in clear) away from a bucket.  The statement is judged by
`citygate.bucket_tls`, as the live check judges it.
"""

from __future__ import annotations

from typing import Any

from cg_conf import UNKNOWN, json_document
from cg_control import ControlCheck

from checkov.common.models.enums import CheckCategories, CheckResult
from citygate.bucket_tls import denies_plain_http
from citygate.policy_json import as_list


class S3PolicyDeniesPlainHttp(ControlCheck):
    def __init__(self) -> None:
        super().__init__("CKV_CG_2", [CheckCategories.ENCRYPTION], ["aws_s3_bucket_policy"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        document = json_document(conf.get("policy"))
        if document is UNKNOWN:
            return CheckResult.UNKNOWN
        statements = [s for s in as_list(document.get("Statement")) if isinstance(s, dict)]
        return CheckResult.PASSED if any(map(denies_plain_http, statements)) else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["policy"]


check = S3PolicyDeniesPlainHttp()
