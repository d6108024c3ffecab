"""No placeholder reaches a cluster: every account id the workloads name is an environment's declared account
(stacks/config.py), each overlay names only its own, and the committed overlays are exactly what
`python main.py overlays --env ENV` writes from the stacks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from citygate.environments import ENVIRONMENTS
from citygate.k8s.overlays import generate
from citygate.paths import WORKLOADS

PLACEHOLDER = re.compile(r"set-by-overlay|changeme|\bREPLACE[_-]ME\b|<[a-z-]*(arn|account)[a-z-]*>", re.IGNORECASE)
# An account id where AWS expects one: in an ARN, or as an ECR registry host.
ACCOUNT = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):|(\d{12})\.dkr\.ecr\.")
IMAGE_MATCH = re.compile(r"^- name: \S+$", re.MULTILINE)
MANIFESTS = sorted(p for p in WORKLOADS.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


def declared_accounts() -> dict[str, str]:
    from stacks.config import environment

    return {env: environment(env).account_id for env in ENVIRONMENTS}


def problems(text: str, allowed: set[str]) -> list[str]:
    """Placeholders in `text`, and account ids in ARNs or registry hosts that are not in `allowed`."""
    found = [f"placeholder {m.group(0)!r}" for m in PLACEHOLDER.finditer(text)]
    for match in ACCOUNT.finditer(text):
        account = match.group(1) or match.group(2)
        if account not in allowed:
            found.append(f"account {account} is no environment's declared account here")
    return found


def test_environments_declare_distinct_real_looking_accounts() -> None:
    accounts = declared_accounts()
    assert len(set(accounts.values())) == len(accounts)
    assert all(re.fullmatch(r"\d{12}", a) for a in accounts.values())


@pytest.mark.parametrize("path", MANIFESTS, ids=[str(p.relative_to(WORKLOADS)) for p in MANIFESTS])
def test_no_placeholder_in_workloads(path: Path) -> None:
    accounts = declared_accounts()
    overlay_env = path.parent.name if path.parent.parent.name == "overlays" else None
    # The base is the local environment's; an overlay names only its own environment's account.
    allowed = {accounts[overlay_env]} if overlay_env else {accounts["local"]}
    text = path.read_text(encoding="utf-8")
    if overlay_env:  # an `images:` entry's `name` is the base's (local) image it rewrites
        text = IMAGE_MATCH.sub("", text)
    assert problems(text, allowed) == []


@pytest.mark.parametrize(
    "text",
    [
        "eks.amazonaws.com/role-arn: set-by-overlay",
        "value: arn:aws:iam::444444444444:role/citygate-dev-irsa-production-api",
        "image: 999999999999.dkr.ecr.eu-west-1.amazonaws.com/citygate/dev/api@sha256:00",
        "value: arn:aws:acm:eu-west-1:<account-id>:certificate/x",
    ],
    ids=["set-by-overlay", "undeclared-role-account", "undeclared-registry", "angle-placeholder"],
)
def test_placeholders_are_caught(text: str) -> None:
    assert problems(text, {"111111111111"})


def test_another_environments_account_is_caught() -> None:
    assert problems("arn:aws:iam::333333333333:role/citygate-prod-irsa-x", {"111111111111"})


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_committed_overlay_is_the_generated_one(env: str, synth_out: dict[str, Path]) -> None:
    committed = (WORKLOADS / "overlays" / env / "kustomization.yaml").read_text(encoding="utf-8")
    assert committed == generate(env, synth_out[env]), f"run `python main.py overlays --env {env}`"
