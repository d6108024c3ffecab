"""The live account as the specs see it: the platform applied, read back from Terraform's state.

The state holds what the provider read from the account after apply, so every value is known (ARNs,
the OIDC issuer inside trust policies, whole policy documents): `@live` scenarios prove what a plan
can only promise.  A state carries no references, so the vocabulary matches ARNs, ids and names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from citygate.errors import CitygateError
from citygate.live.deployed import DeployedResources
from citygate.model import Inventory, Resource


def state_inventory(state: dict[str, Any], environment: str, origin: str) -> Inventory:
    resources = [
        Resource(address=item.address, type=item.type, name=item.address.rsplit(".", 1)[-1], values=item.attributes)
        for item in DeployedResources(state).items
    ]
    return Inventory(kind="terraform", source="live", resources=resources, origin=origin, environment=environment)


def recorded_state(path: Path, environment: str) -> Inventory:
    """An account already applied (by `up` or `apply --keep-running`), read from its state file."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CitygateError(f"cannot read the Terraform state ({exc})", str(path)) from exc
    return state_inventory(state, environment, str(path))
