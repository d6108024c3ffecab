"""The same Rego policies on an OPA server (`--opa-url`), through opa-python-client.

Each policy file is PUT as `/v1/policies/citygate/<path>` and the catalogue's control parameters
as the data document `/v1/data/citygate/parameters` (the same `data.citygate.parameters` the
embedded engine loads; pushed as data, not passed with the input, so the policies read one path
on both engines).  Then one POST to `/v1/data/citygate` with the input evaluates every package;
the deny/warn/proof sets are read out of that document and turned into findings exactly as the
embedded engine does.  Any transport or server error fails closed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from opa_client import OpaClient

from citygate.engines.base import GateInput
from citygate.engines.policyset import ROOT_PACKAGE, PolicySet, load_policy_set
from citygate.errors import CitygateError
from citygate.findings import Finding
from citygate.model import Inventory
from citygate.paths import REGO_DIR


def client_for(url: str, timeout: float) -> OpaClient:
    """An OPA client for `http(s)://host:port`; a malformed URL fails closed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CitygateError(f"not an OPA server URL: {url!r}", "opa")
    port = parts.port or (443 if parts.scheme == "https" else 8181)
    return OpaClient(host=parts.hostname, port=port, ssl=parts.scheme == "https", timeout=timeout, retries=0)


def policy_id(path: str, directory: Path) -> str:
    """`<directory>/terraform/s3/s3.rego` -> `citygate/terraform/s3/s3`."""
    return f"{ROOT_PACKAGE}/{Path(path).relative_to(directory).with_suffix('').as_posix()}"


def results_of(document: dict[str, Any], policy_set: PolicySet) -> dict[str, Any]:
    """`{rule path: results}` out of the data.citygate document (undefined sets are empty)."""
    results: dict[str, Any] = {}
    for rule in policy_set.rules:
        node: Any = document
        for key in rule.split(".")[2:]:  # data.citygate.<package...>.<deny|warn|proof>
            node = node.get(key, {}) if isinstance(node, dict) else {}
        results[rule] = node if isinstance(node, list) else []
    return results


class OpaEngine:
    """`check --engines opa --opa-url URL`: our policies evaluated by an OPA server."""

    name = "opa"
    ours = True

    def __init__(self, directory: Path = REGO_DIR) -> None:
        self.directory = directory

    def supports(self, inventory: Inventory) -> bool:
        return True  # the same policies as the embedded engine

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        url = gate_input.options.opa_url
        if not url:
            raise CitygateError("the opa engine needs --opa-url", self.name)
        policy_set = load_policy_set(self.directory)
        client = client_for(url, timeout)
        try:
            for path, text in policy_set.sources.items():
                client.update_policy_from_string(text, policy_id(path, self.directory), rego_compat=False)
            client.update_or_create_data(policy_set.parameters, f"{ROOT_PACKAGE}/parameters")
            response = client.query_rule(gate_input.inventory.to_input(), ROOT_PACKAGE)
        except requests.RequestException as exc:
            raise CitygateError(f"OPA server unreachable or failing ({type(exc).__name__}: {exc})", "opa") from None
        except Exception as exc:  # the client raises its own error types for rejected policies
            raise CitygateError(f"OPA server rejected the request ({type(exc).__name__}: {exc})", "opa") from None
        finally:
            client.close_connection()
        document = response.get("result") if isinstance(response, dict) else None
        if not isinstance(document, dict):
            raise CitygateError("OPA returned no citygate document (are the policies loaded?)", "opa")
        files = {r.address: r.file for r in gate_input.inventory.resources}
        return policy_set.findings(results_of(document, policy_set), self.name, files)
