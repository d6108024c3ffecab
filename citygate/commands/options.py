"""Options several commands share, defined once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from citygate.deadlines import STAGE_TIMEOUTS


def timeout_option(stage: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--timeout SECONDS` for a stage command; past it the stage stops, keeps its state and exits 2."""
    return click.option(
        "--timeout",
        "timeout",
        type=click.FloatRange(min=1),
        default=STAGE_TIMEOUTS[stage],
        show_default=True,
        help=f"Seconds {stage} may take; past it, it stops (state kept) and exits 2 naming what was in flight.",
    )
