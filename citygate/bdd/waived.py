"""Which waivers a scenario honours: live (unexpired) waivers naming one of its controls.

Waivers that name a single engine rule (CG-S3-001, CKV_AWS_18) waive that rule's findings only;
a scenario states a whole control, so only control-level waivers apply to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from citygate.paths import WAIVERS_FILE
from citygate.waivers import Waiver, load_waivers


@cache
def _waivers(path: Path, modified: float) -> tuple[Waiver, ...]:
    """The file's waivers, read once per version of the file (every scenario run asks)."""
    return tuple(load_waivers(path))


def scenario_waivers(tags: Iterable[str], path: Path = WAIVERS_FILE, today: dt.date | None = None) -> list[Waiver]:
    controls = set(tags)
    day = today or dt.date.today()
    if not path.is_file():
        return []
    return [w for w in _waivers(path, path.stat().st_mtime) if w.control in controls and not w.expired(day)]
