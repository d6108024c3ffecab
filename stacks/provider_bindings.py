"""Load only the AWS provider bindings the stacks use.

`cdktf_cdktf_provider_aws/__init__.py` imports all ~2,200 resource submodules (15-20 s). Each
submodule only needs the package's `_jsii` module (which loads the jsii assembly once), so we
register a bare parent module whose `__path__` points at the installed package: a later
`from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket` then imports that one submodule and
`_jsii`, and never runs the package `__init__`. The classes and the synthesized JSON are the same
(tests/stacks/test_stacks_provider_bindings.py proves it against the normal import).

If the full package is already imported (or this ran before), nothing changes.
"""

from __future__ import annotations

import importlib.util
import sys
import types

PACKAGE = "cdktf_cdktf_provider_aws"


def install_lean_parent() -> None:
    """Register the bare parent package so submodule imports skip the package `__init__`."""
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)  # finds the package without executing it
    if spec is None or spec.submodule_search_locations is None:
        raise ModuleNotFoundError(f"{PACKAGE} is not installed", name=PACKAGE)
    parent = types.ModuleType(PACKAGE, "AWS provider bindings (lean parent; submodules load on demand)")
    parent.__path__ = list(spec.submodule_search_locations)
    parent.__spec__ = spec
    parent.__file__ = spec.origin
    sys.modules[PACKAGE] = parent
