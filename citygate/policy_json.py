"""Reading AWS policy documents, where any list-valued field may also be written as one value."""

from __future__ import annotations

from typing import Any


def as_list(value: Any) -> list[Any]:
    """`Action: "s3:*"` and `Action: ["s3:*"]` alike, as a list."""
    return value if isinstance(value, list) else [value]


def anyone(principal: Any) -> bool:
    """`Principal: "*"` or `{"AWS": "*"}` (alone or among others): every principal of every account."""
    return principal == "*" or (isinstance(principal, dict) and "*" in as_list(principal.get("AWS")))


GITHUB_ISSUER = "token.actions.githubusercontent.com"


def trusts_github_actions(statement: dict[str, Any]) -> bool:
    """A web-identity statement for GitHub Actions' tokens: CG-IAM-8 judges it, the IRSA checks do not."""
    principal = statement.get("Principal")
    federated = as_list(principal.get("Federated")) if isinstance(principal, dict) else []
    operators = (statement.get("Condition") or {}).values()
    keys = [str(key).lower() for operator in operators if isinstance(operator, dict) for key in operator]
    return any(GITHUB_ISSUER in str(f) for f in federated) or any(key.startswith(GITHUB_ISSUER) for key in keys)
