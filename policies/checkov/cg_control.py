"""A custom check reports the name, severity and description of the catalogue control it enforces.

A custom check states no fact of its own: which control it enforces is the catalogue's word
(`policies/controls/*.yaml` lists `CKV_CG_<N>` under the control), and a failure of the check is a
failure of that control, so a reviewer reads one wording and one severity whichever engine reports
it.  The control, not the Rego rule the check mirrors, is the source because Checkov runs in its
own virtualenv: it can import the catalogue loader (`citygate.controls` needs PyYAML and
jsonschema, both Checkov dependencies) but not the Rego METADATA reader, which needs the Rego
parser of the gate's virtualenv.

Checkov imports this folder's modules by file name, outside any package; importing this module
puts the repository root on the import path so the checks can reuse `citygate` code.
"""

from __future__ import annotations

import sys
from pathlib import Path

from checkov.common.bridgecrew.severities import get_severity
from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.append(ROOT)

from citygate.controls import Control, load_catalogue  # noqa: E402  (needs ROOT on the path)


def control_of(check_id: str) -> Control:
    """The one catalogue control listing `check_id` among its rules."""
    catalogue = load_catalogue()
    controls = catalogue.controls_for_rule(check_id)
    if len(controls) != 1:
        raise ValueError(f"{check_id} must be listed by exactly one catalogue control, not {controls or 'none'}")
    return catalogue.controls[controls[0]]


class ControlCheck(BaseResourceCheck):
    """A resource check named, graded and explained by the catalogue control that lists it."""

    def __init__(self, check_id: str, categories: list[CheckCategories], supported_resources: list[str]) -> None:
        control = control_of(check_id)
        super().__init__(
            name=control.title,
            id=check_id,
            categories=categories,
            supported_resources=supported_resources,
            guideline=control.description,
        )
        self.control = control.id
        self.severity = get_severity(control.severity.name)
