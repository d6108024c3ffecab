"""Feature files as pytest-bdd parses them, with every Scenario Outline expanded into its examples.

The direct runner and the living documentation read features through here so they see exactly the
scenarios pytest-bdd runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pytest_bdd.parser import Feature, FeatureParser, Scenario, ScenarioTemplate

from citygate.errors import CitygateError


@dataclass(frozen=True)
class ConcreteScenario:
    """One runnable scenario: a plain Scenario, or one example row of an Outline."""

    feature: Feature
    template: ScenarioTemplate
    scenario: Scenario
    example: dict[str, str]

    @property
    def key(self) -> str:
        """A stable, readable id: `encryption.feature: Name [column=value, ...]`."""
        row = ", ".join(f"{k}={v}" for k, v in self.example.items())
        return f"{Path(self.feature.filename).name}: {self.template.name}" + (f" [{row}]" if row else "")

    @property
    def tags(self) -> set[str]:
        return set(self.feature.tags) | set(self.template.tags)


def parse_feature(path: Path) -> Feature:
    try:
        return FeatureParser(str(path.parent), path.name).parse()
    except Exception as exc:  # the Gherkin parser raises its own error types
        raise CitygateError(f"cannot parse feature file: {exc}", str(path)) from exc


def load_features(folder: Path) -> list[Feature]:
    files = sorted(folder.glob("*.feature"))
    if not files:
        raise CitygateError("no .feature files found", str(folder))
    return [parse_feature(path) for path in files]


def expand(feature: Feature) -> list[ConcreteScenario]:
    concrete: list[ConcreteScenario] = []
    for template in feature.scenarios.values():
        contexts = [ctx for examples in template.examples for ctx in examples.as_contexts()] or [{}]
        concrete.extend(ConcreteScenario(feature, template, template.render(ctx), ctx) for ctx in contexts)
    return concrete
