"""Which waivers a scenario honours: live (unexpired) waivers naming one of its controls.

Waivers that name a single engine rule (CG-S3-001, CKV_AWS_18) waive that rule's findings only;
a scenario states a whole control, so only control-level waivers apply to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from citygate.paths import WAIVERS_FILE
from citygate.waivers import Waiver, load_waivers


def scenario_waivers(tags: Iterable[str], path: Path = WAIVERS_FILE, today: dt.date | None = None) -> list[Waiver]:
    controls = set(tags)
    day = today or dt.date.today()
    if not path.is_file():
        return []
    return [w for w in load_waivers(path) if w.control in controls and not w.expired(day)]
