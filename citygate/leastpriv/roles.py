"""The IAM roles of a Terraform plan with every identity-policy statement they hold.

A role's statements come from its `inline_policy` blocks, the `aws_iam_role_policy` resources naming
it and the `aws_iam_policy` documents attached to it (`aws_iam_role_policy_attachment`).  A link
known only after apply is followed through the plan's references.  A policy document that is itself
known only after apply cannot be judged: recording is done on an applied account, so plan it again
after apply (every ARN is then known).  An attached policy the plan does not hold (AWS managed) is
listed as unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass

from citygate.errors import CitygateError
from citygate.leastpriv.iam import Statement, statements
from citygate.model import Inventory, Resource


@dataclass(frozen=True)
class Role:
    """One role: its plan address, name, statements and the attached policies nobody can read here."""

    address: str
    name: str
    statements: tuple[Statement, ...]
    unreadable: tuple[str, ...] = ()


def plan_roles(inventory: Inventory) -> dict[str, Role]:
    """Role name -> Role, for every `aws_iam_role` of the plan."""
    managed = [r for r in inventory.resources if r.mode == "managed"]
    roles = [r for r in managed if r.type == "aws_iam_role"]
    policies = {r.address: r for r in managed if r.type == "aws_iam_policy"}
    found: dict[str, Role] = {}
    for role in roles:
        name = role.values.get("name")
        if not isinstance(name, str):
            raise CitygateError("role name known only after apply: plan the applied account", role.address)
        blocks = [b for b in role.values.get("inline_policy") or [] if isinstance(b, dict) and b.get("policy")]
        held: list[Statement] = []
        unreadable: list[str] = []
        for other in managed:
            if other.type == "aws_iam_role_policy" and _links(other, "role", role):
                held += _document(other, other.values.get("policy"))
            elif other.type == "aws_iam_role_policy_attachment" and _links(other, "role", role):
                attached = _attached(other, policies)
                if attached is None:
                    unreadable.append(str(other.values.get("policy_arn", other.address)))
                else:
                    held += _document(attached, attached.values.get("policy"))
        held += [s for block in blocks for s in _document(role, block["policy"])]  # repeats the above after apply
        found[name] = Role(role.address, name, _distinct(held), tuple(unreadable))
    return found


def _distinct(held: list[Statement]) -> tuple[Statement, ...]:
    """Each statement once: after apply, a role's `inline_policy` repeats its `aws_iam_role_policy`s."""
    seen: dict[str, Statement] = {}
    for statement in held:
        key = repr(
            (
                statement.sid,
                statement.effect,
                statement.actions,
                statement.not_actions,
                statement.resources,
                statement.not_resources,
                sorted(statement.conditions.items()),
            )
        )
        seen.setdefault(key, statement)
    return tuple(seen.values())


def _links(resource: Resource, attribute: str, role: Resource) -> bool:
    """Whether `resource.attribute` names `role`: by its value (name or id), else by reference."""
    value = resource.values.get(attribute)
    if isinstance(value, str):
        return value in (role.values.get("name"), role.values.get("id"), role.values.get("arn"))
    return role.address in resource.references.get(attribute, ())


def _attached(attachment: Resource, policies: dict[str, Resource]) -> Resource | None:
    """The plan's `aws_iam_policy` an attachment attaches, or None (a managed policy of AWS)."""
    arn = attachment.values.get("policy_arn")
    for policy in policies.values():
        if (isinstance(arn, str) and arn == policy.values.get("arn")) or policy.address in attachment.references.get(
            "policy_arn", ()
        ):
            return policy
    return None


def _document(owner: Resource, document: object) -> list[Statement]:
    if not isinstance(document, str):
        raise CitygateError("policy document known only after apply: plan the applied account", owner.address)
    try:
        return statements(document, owner.address)
    except ValueError as exc:
        raise CitygateError(f"unreadable policy document ({exc})", owner.address) from None
