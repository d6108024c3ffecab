"""IAM roles in one shape: a trust policy, at most one inline policy, at most one managed policy.

Each lives in a `ResourceGroup`, so a role, its inline policy and its attachment share one address
name (`aws_iam_role.X`, `aws_iam_role_policy.X`, `aws_iam_role_policy_attachment.X`).
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment

from stacks.naming import ResourceGroup

AWS_MANAGED_POLICY = "arn:aws:iam::aws:policy/"
INLINE_POLICY_NAME = "least-privilege"


def role(
    group: ResourceGroup,
    *,
    name: str,
    trust: str,
    inline_policy: str | None = None,
    managed_policy: str | None = None,
    description: str | None = None,
) -> IamRole:
    """A role trusting `trust`; `managed_policy` is a path under arn:aws:iam::aws:policy/."""
    created = IamRole(group, "role", name=name, assume_role_policy=trust, description=description)
    if inline_policy is not None:
        IamRolePolicy(group, "policy", role=created.id, name=INLINE_POLICY_NAME, policy=inline_policy)
    if managed_policy is not None:
        IamRolePolicyAttachment(
            group, "managed_policy", role=created.name, policy_arn=f"{AWS_MANAGED_POLICY}{managed_policy}"
        )
    return created
