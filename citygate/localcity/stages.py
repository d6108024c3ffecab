"""The platform stages `up` runs in order: the data pipeline, then the city's services on what it produced.

Each is `run(endpoint_url, env, work, identities) -> {"ok", "failed", "steps"}`; `identities` maps a
step to the variables of the IRSA role it runs as (`citygate.localcity.identities`).  The first failing
step of a stage is named in `failed`, with one line in its result's `error`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from citysense_pipeline.demo import run_all

from citygate.localcity.city import run_city

Stage = Callable[[str, str, Path, Mapping[str, Mapping[str, str]]], dict[str, Any]]
STAGES: tuple[tuple[str, Stage], ...] = (("pipeline", run_all), ("city", run_city))
