"""EKS: private endpoint, secrets encryption, control-plane logs, the OIDC provider and IRSA trust."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from citygate.live.checks.keys import customer_managed_problem
from citygate.live.deployed import Deployed
from citygate.live.rules import LiveContext, Outcome, Problems, fetch, judge, judge_each, live_rule, missing
from citygate.policy_json import as_list, trusts_github_actions

REQUIRED_LOG_TYPES = ("api", "audit", "authenticator")
STS_AUDIENCE = "sts.amazonaws.com"
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"


def judge_clusters(ctx: LiveContext, problems: Problems) -> Iterator[Outcome]:
    eks = ctx.aws("eks")

    def describe(cluster: Deployed) -> dict[str, Any] | None:
        return (fetch(eks.describe_cluster, name=cluster.get("name")) or {}).get("cluster")

    return judge_each(ctx, "aws_eks_cluster", describe, problems)


@live_rule("CG_LIVE_EKS_001", mirrors=("CG_EKS_001",))
def endpoint_private(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(cluster: dict[str, Any]) -> list[str | None]:
        vpc = cluster.get("resourcesVpcConfig", {})
        return [
            "the API endpoint is public" if vpc.get("endpointPublicAccess") else None,
            None if vpc.get("endpointPrivateAccess") else "the private API endpoint is off",
        ]

    return judge_clusters(ctx, problems)


@live_rule("CG_LIVE_EKS_002", mirrors=("CG_EKS_002",))
def secrets_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(cluster: dict[str, Any]) -> list[str | None]:
        configs = [c for c in cluster.get("encryptionConfig", []) if "secrets" in c.get("resources", [])]
        key = configs[0].get("provider", {}).get("keyArn") if configs else None
        return [customer_managed_problem(ctx, key, "secrets encryption")]

    return judge_clusters(ctx, problems)


@live_rule("CG_LIVE_EKS_003", mirrors=("CG_EKS_003",))
def control_plane_logs(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(cluster: dict[str, Any]) -> list[str | None]:
        enabled = {
            kind
            for setup in cluster.get("logging", {}).get("clusterLogging", [])
            if setup.get("enabled")
            for kind in setup.get("types", [])
        }
        off = [kind for kind in REQUIRED_LOG_TYPES if kind not in enabled]
        return [f"control-plane log types off: {', '.join(off)}" if off else None]

    return judge_clusters(ctx, problems)


def _issuer_host(url: str) -> str:
    return url.removeprefix("https://").rstrip("/")


def _oidc_providers(ctx: LiveContext) -> dict[str, dict[str, Any]]:
    """Issuer host/path -> the IAM OIDC provider registered for it."""
    iam = ctx.aws("iam")
    providers = {}
    for entry in iam.list_open_id_connect_providers().get("OpenIDConnectProviderList", []):
        provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=entry["Arn"])
        providers[_issuer_host(provider.get("Url", ""))] = provider
    return providers


@live_rule("CG_LIVE_EKS_004", mirrors=("CG_EKS_004",))
def oidc_provider(ctx: LiveContext) -> Iterator[Outcome]:
    providers = _oidc_providers(ctx)

    def problems(cluster: dict[str, Any]) -> list[str | None]:
        issuer = cluster.get("identity", {}).get("oidc", {}).get("issuer", "")
        provider = providers.get(_issuer_host(issuer))
        if provider is None:
            return [f"no IAM OIDC provider for issuer {issuer or '(none)'}"]
        return [None if STS_AUDIENCE in provider.get("ClientIDList", []) else f"provider audiences lack {STS_AUDIENCE}"]

    return judge_clusters(ctx, problems)


def _trust_document(role: dict[str, Any]) -> dict[str, Any]:
    document = role.get("AssumeRolePolicyDocument", {})
    if isinstance(document, str):  # some endpoints return the URL-encoded JSON text
        document = json.loads(unquote(document))
    return document if isinstance(document, dict) else {}


def irsa_trust_problems(document: dict[str, Any]) -> list[str] | None:
    """None for a role that is not IRSA; else what is wrong with its web-identity trust ([] = fine)."""
    statements = [
        s
        for s in as_list(document.get("Statement", []))
        if s.get("Effect") == "Allow" and WEB_IDENTITY in as_list(s.get("Action", [])) and not trusts_github_actions(s)
    ]
    if not statements:
        return None
    problems = []
    for statement in statements:
        exact = statement.get("Condition", {}).get("StringEquals", {})
        subs = [v for k, v in exact.items() if k.endswith(":sub")]
        auds = [v for k, v in exact.items() if k.endswith(":aud")]
        sub_values = [value for sub in subs for value in as_list(sub)]
        if len(sub_values) != 1 or not str(sub_values[0]).startswith("system:serviceaccount:"):
            problems.append("trust does not pin :sub to exactly one service account with StringEquals")
        elif "*" in str(sub_values[0]) or "?" in str(sub_values[0]):
            problems.append("trust :sub holds a wildcard")
        if [value for aud in auds for value in as_list(aud)] != [STS_AUDIENCE]:
            problems.append(f"trust does not pin :aud to {STS_AUDIENCE}")
        if statement.get("Condition", {}).get("StringLike"):
            problems.append("trust uses StringLike (wildcard matching)")
    return problems


@live_rule("CG_LIVE_IAM_003", mirrors=("CG_IAM_003",))
def irsa_trust(ctx: LiveContext) -> Iterator[Outcome]:
    """Judges only roles whose trust allows web identities; other roles are not IRSA roles."""
    iam = ctx.aws("iam")
    for role in ctx.deployed.of_type("aws_iam_role"):
        live = fetch(iam.get_role, RoleName=role.get("name"))
        if live is None:
            yield missing(role.address)
            continue
        problems = irsa_trust_problems(_trust_document(live["Role"]))
        if problems is not None:
            yield judge(role.address, problems)
