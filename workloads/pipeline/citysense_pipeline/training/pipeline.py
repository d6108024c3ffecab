"""The Kubeflow training pipeline: load -> train -> evaluate -> register (only when the candidate wins).

    python -m citysense_pipeline.training.pipeline          # rewrite workloads/pipeline/training/pipeline.yaml

Each component runs in the pipeline image (which holds this package) and calls `training.steps`.
The registry's production stage is not touched: promotion stays an explicit, separate step.
"""

# No `from __future__ import annotations`: kfp reads the components' annotations as types.
import sys
from pathlib import Path

from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Metrics, Model, Output

IMAGE = "citygate/pipeline:0.1.0"  # the pipeline image (it holds kfp, so nothing is installed at run time)
SPEC = Path(__file__).resolve().parents[2] / "training" / "pipeline.yaml"


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def load_data(env: str, endpoint_url: str, rows: Output[Dataset]) -> int:
    """The lake's training rows, as one Parquet file."""
    from citysense_pipeline.config import Resources
    from citysense_pipeline.training import steps

    frame, keys = steps.load_rows(Resources.for_env(env, endpoint_url or None))
    rows.metadata["sources"] = len(keys)
    with open(rows.path, "wb") as handle:
        handle.write(steps.to_parquet(frame))
    return len(frame)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def train_model(env: str, endpoint_url: str, rows: Input[Dataset], model: Output[Model]) -> str:
    """Ridge over the shared features; the artifact's version is the registry's next one."""
    import pandas as pd

    from citysense_pipeline.config import Resources
    from citysense_pipeline.training import steps

    resources = Resources.for_env(env, endpoint_url or None)
    artifact = steps.train(pd.read_parquet(rows.path), steps.next_version(resources))
    with open(model.path, "w") as handle:
        handle.write(artifact.model_dump_json(indent=2) + "\n")
    model.metadata["version"] = artifact.version
    return artifact.version


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def evaluate_model(
    env: str, endpoint_url: str, rows: Input[Dataset], model: Input[Model], metrics: Output[Metrics]
) -> bool:
    """Metrics against the naive baselines and the production model; True when it should be registered."""
    import json

    import pandas as pd
    from citysense_inference.model import ModelArtifact

    from citysense_pipeline.config import Resources
    from citysense_pipeline.training import steps

    resources = Resources.for_env(env, endpoint_url or None)
    frame = pd.read_parquet(rows.path)
    with open(model.path) as handle:
        artifact = ModelArtifact.model_validate_json(handle.read())
    result = steps.evaluate_candidate(frame, artifact, steps.production_artifact(resources))
    result["served_from_feature_store"] = steps.serving_check(resources, artifact, sorted(set(frame["segment_id"])))
    for name, value in result["mae_kmh"].items():
        metrics.log_metric(f"mae_kmh_{name}", value)
    metrics.log_metric("improvement_over_best_baseline", result["improvement_over_best_baseline"])
    with open(model.path + ".metrics.json", "w") as handle:
        json.dump(result, handle)
    metrics.metadata["evaluation"] = json.dumps(result)
    return bool(result["register"])


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def register_model(env: str, endpoint_url: str, model: Input[Model], metrics: Input[Metrics]) -> int:
    """A new registry version (not promoted)."""
    import json

    from citysense_pipeline import registry
    from citysense_pipeline.config import Resources

    with open(model.path, "rb") as handle:
        body = handle.read()
    result = json.loads(metrics.metadata["evaluation"])
    document = registry.register(Resources.for_env(env, endpoint_url or None), body, result, [])
    return int(document["version"])


@dsl.pipeline(name="citysense-speed-training", description="Train, evaluate and register the speed model.")
def training_pipeline(env: str = "local", endpoint_url: str = "") -> None:
    data = load_data(env=env, endpoint_url=endpoint_url)
    trained = train_model(env=env, endpoint_url=endpoint_url, rows=data.outputs["rows"])
    evaluated = evaluate_model(
        env=env, endpoint_url=endpoint_url, rows=data.outputs["rows"], model=trained.outputs["model"]
    )
    with dsl.If(evaluated.outputs["Output"] == True):  # noqa: E712 - a pipeline condition, not a Python comparison
        register_model(
            env=env, endpoint_url=endpoint_url, model=trained.outputs["model"], metrics=evaluated.outputs["metrics"]
        )


def compile_spec(path: Path = SPEC) -> Path:
    compiler.Compiler().compile(training_pipeline, str(path))
    return path


if __name__ == "__main__":
    print(compile_spec(Path(sys.argv[1]) if len(sys.argv) > 1 else SPEC))
