"""What every construct of one environment's stack needs to know: the environment and the account."""

from __future__ import annotations

from dataclasses import dataclass

from stacks.config import Environment


@dataclass(frozen=True)
class Context:
    """The environment being built and the account id (a token resolved by Terraform)."""

    env: Environment
    account_id: str

    @property
    def region(self) -> str:
        return self.env.region

    def name(self, suffix: str) -> str:
        """A resource name unique to this environment, e.g. `citygate-prod-data-lake-raw`."""
        return f"{self.env.prefix}-{suffix}"

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        """An ARN in this account (and region, for regional services)."""
        region = self.region if regional else ""
        return f"arn:aws:{service}:{region}:{self.account_id}:{resource}"
