"""Run the training pipeline with kfp's local runner (in the venv that holds kfp) and print one JSON line.

    python -m citysense_pipeline.training.run --env local --endpoint-url URL --root DIR

The JSON gives the registry's versions before and after, so a caller sees whether a model was
registered. Exit 0 when the pipeline ran (registered or not), 1 when a component failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="local")
    parser.add_argument("--endpoint-url", default="")
    parser.add_argument("--root", type=Path, required=True, help="where the local runner keeps its outputs")
    args = parser.parse_args(argv)

    from kfp import local

    from citysense_pipeline import registry
    from citysense_pipeline.config import Resources
    from citysense_pipeline.training.pipeline import training_pipeline

    resources = Resources.for_env(args.env, args.endpoint_url or None)
    before = registry.versions(resources)
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(args.root), raise_on_error=True)
    began = time.perf_counter()
    try:
        training_pipeline(env=args.env, endpoint_url=args.endpoint_url)
        state = "success"
    except RuntimeError as exc:
        state = f"failed: {exc}"
    after = registry.versions(resources)
    registered = sorted(set(after) - set(before))
    evaluation = sorted(args.root.rglob("*.metrics.json"), key=lambda p: p.stat().st_mtime)
    metrics = json.loads(evaluation[-1].read_text()) if evaluation else None
    outcome = {
        "state": state,
        "registered": registered[0] if registered else None,
        "versions": after,
        "metrics": metrics,
        "seconds": round(time.perf_counter() - began, 2),
    }
    print(json.dumps(outcome))
    return 0 if state == "success" else 1


if __name__ == "__main__":
    sys.exit(main())
