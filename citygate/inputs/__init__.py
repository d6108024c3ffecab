"""Terraform inputs (plan JSON, synthesized cdk.tf.json) normalized into one `Inventory`.

Policies never care which input it was: both loaders produce the same `Resource` shape, with
values known now, paths known only after apply (`unknown`), the addresses each attribute refers
to (`references`) and, for plans, the attribute paths the author wrote (`configured`).
"""

from citygate.inputs.plan import load_plan
from citygate.inputs.synth import load_synth

__all__ = ["load_plan", "load_synth"]
