"""The one normalized model every engine and policy sees, whatever the input was.

A Terraform plan, a cdktf.out synth folder, Kubernetes manifests and GitHub workflows all become an
`Inventory` of `Resource`s.  Policies never need to know which input it was: they read `type`,
`values`, `unknown` and `references`.  `Inventory.to_input()` is the Rego `input` document (the same
document is sent to an OPA server), so this shape is the policy contract:

    input = {
      "kind": "terraform" | "kubernetes" | "github_workflows",
      "source": "plan" | "synth" | "manifests" | "workflows",
      "environment": "prod" | ... | "",
      "resources": [ {address, type, name, mode, module, index, provider, file, actions,
                      values, unknown, references, configured}, ... ],
    }

- `values` holds the attribute values known now (for plans: `change.after`, or `values` for
  existing resources).  Attributes known only after apply are absent from `values` and listed in
  `unknown` as dotted paths ("kms_key_id", "rule.0.apply_server_side_encryption_by_default").
- `references` maps an attribute path to the addresses it refers to ("bucket": ["aws_s3_bucket.raw"]),
  from the plan's `configuration` expressions or from `${...}` tokens in synthesized JSON, so split
  resources (aws_s3_bucket_* of provider 5.x) can be joined to their bucket before apply.
- `configured` lists the attribute paths the author wrote ("server_side_encryption.0.enabled"; a
  `dynamic` block counts as written whole), or is null when the input does not say (synthesized
  JSON holds only what was written; Kubernetes and workflow inputs have no provider defaults).  An
  attribute known only after apply that the configuration never writes takes the provider's
  default, so a policy judges that default instead of giving up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

InputKind = Literal["terraform", "kubernetes", "github_workflows"]


@dataclass(frozen=True)
class Resource:
    """One managed object: a Terraform resource instance, a Kubernetes object or a workflow."""

    address: str  # aws_s3_bucket.raw | module.m.aws_x.y["k"] | Deployment/production/api | Workflow/pr.yml
    type: str  # aws_s3_bucket | Deployment | github_workflow
    name: str
    values: dict[str, Any]
    unknown: tuple[str, ...] = ()
    references: dict[str, tuple[str, ...]] = field(default_factory=dict)
    module: str = ""  # "" for the root module, else "module.a.module.b"
    index: int | str | None = None  # count / for_each key
    mode: str = "managed"  # managed | data
    provider: str = ""
    file: str = ""  # the input file the resource came from
    actions: tuple[str, ...] = ()  # plan actions: create, update, delete, no-op, read
    configured: tuple[str, ...] | None = None  # attribute paths the author wrote; None: not known

    def to_input(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "type": self.type,
            "name": self.name,
            "mode": self.mode,
            "module": self.module,
            "index": self.index,
            "provider": self.provider,
            "file": self.file,
            "actions": list(self.actions),
            "values": self.values,
            "unknown": list(self.unknown),
            "references": {k: list(v) for k, v in self.references.items()},
            "configured": None if self.configured is None else list(self.configured),
        }


@dataclass
class Inventory:
    """Everything one gate run judges, plus where it came from."""

    kind: InputKind
    source: str
    resources: list[Resource]
    origin: str = ""  # the path the user gave
    environment: str = ""

    def to_input(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "environment": self.environment,
            "resources": [r.to_input() for r in self.resources],
        }

    def by_type(self, resource_type: str) -> list[Resource]:
        return [r for r in self.resources if r.type == resource_type]
