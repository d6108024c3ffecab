"""The platform stages `up` runs in order: the data pipeline, then the city's services on what it produced.

Each is `run(endpoint_url, env, work) -> {"ok", "failed", "steps"}`; the first failing step of a stage is
named in `failed`, with one line in its result's `error`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from citysense_pipeline.demo import run_all

from citygate.localcity.city import run_city

Stage = Callable[[str, str, Path], dict[str, Any]]
STAGES: tuple[tuple[str, Stage], ...] = (("pipeline", run_all), ("city", run_city))
