"""Which exceptions a scenario honours: live (unexpired) exceptions naming one of its controls.

Exceptions that name a single engine rule (CG_S3_001, CKV_AWS_18) except that rule's findings only;
a scenario states a whole control, so only control-level exceptions apply to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from citygate.exceptions import PolicyException, load_register
from citygate.paths import EXCEPTIONS_FILE


@cache
def _register(path: Path, modified: float) -> tuple[PolicyException, ...]:
    """The file's exceptions, read once per version of the file (every scenario run asks)."""
    return tuple(load_register(path))


def scenario_exceptions(
    tags: Iterable[str], path: Path = EXCEPTIONS_FILE, today: dt.date | None = None
) -> list[PolicyException]:
    controls = set(tags)
    day = today or dt.date.today()
    if not path.is_file():
        return []
    return [w for w in _register(path, path.stat().st_mtime) if w.control in controls and not w.expired(day)]
