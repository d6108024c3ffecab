"""Live checks, one module per platform area; `RULES` holds every rule they register.

Every module of this package is imported here, so a new check module registers its rules by existing.
"""

import importlib
import pkgutil

from citygate.live.rules import RULES

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["RULES"]
