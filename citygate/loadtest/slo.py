"""SLO profiles (loadtests/slo_profiles.yaml), `--slo` overrides, and the pass/fail verdict."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt, ValidationError

from citygate.errors import CitygateError
from citygate.paths import LOADTESTS

PROFILES_FILE = LOADTESTS / "slo_profiles.yaml"
_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)


class Slo(BaseModel):
    model_config = _STRICT

    p95_ms: PositiveFloat
    p99_ms: PositiveFloat
    error_rate: float = Field(ge=0.0, le=1.0)
    min_rps: float = Field(ge=0.0)


class Load(BaseModel):
    model_config = _STRICT

    users: PositiveInt
    spawn_rate: PositiveFloat
    duration_s: PositiveFloat


class Profile(BaseModel):
    model_config = _STRICT

    slo: Slo
    load: Load


class ProfilesFile(BaseModel):
    model_config = _STRICT

    profiles: dict[str, Profile]


def load_profile(name: str, path: Path = PROFILES_FILE) -> Profile:
    """The named profile; any problem with the file or the name is an error, never a default."""
    try:
        document = yaml.safe_load(path.read_text())
        profiles = ProfilesFile.model_validate(document).profiles
    except OSError as exc:
        raise CitygateError(f"cannot read SLO profiles: {exc.strerror}", str(path)) from exc
    except yaml.YAMLError as exc:
        raise CitygateError(f"invalid YAML: {exc}", str(path)) from exc
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        location = ".".join(str(part) for part in first["loc"])
        raise CitygateError(f"invalid SLO profiles at {location}: {first['msg']}", str(path)) from exc
    if name not in profiles:
        raise CitygateError(f"unknown profile {name!r} (known: {', '.join(sorted(profiles))})", str(path))
    return profiles[name]


def _parse_value(key: str, text: str) -> float:
    """Numbers as written; error_rate also takes a percentage ("0.5%")."""
    try:
        if key == "error_rate" and text.endswith("%"):
            return float(text[:-1]) / 100.0
        return float(text)
    except ValueError as exc:
        raise CitygateError(f"{key}={text!r} is not a number", "--slo") from exc


def apply_overrides(slo: Slo, overrides: str | None) -> Slo:
    """Merge `p95_ms=..,p99_ms=..,error_rate=..,min_rps=..` over the profile's SLO."""
    if not overrides:
        return slo
    values: dict[str, float] = {}
    for item in overrides.split(","):
        key, sep, text = (part.strip() for part in item.partition("="))
        if not sep or key not in Slo.model_fields:
            raise CitygateError(f"expected key=value with key in {', '.join(Slo.model_fields)}; got {item!r}", "--slo")
        values[key] = _parse_value(key, text)
    try:
        return Slo.model_validate({**slo.model_dump(), **values})
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise CitygateError(f"{first['loc'][0]}: {first['msg']}", "--slo") from exc


@dataclass(frozen=True)
class Measurement:
    """What the run measured, over every request of the run."""

    requests: int
    failures: int
    p95_ms: float
    p99_ms: float
    rps: float
    duration_s: float

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 1.0


@dataclass(frozen=True)
class SloResult:
    name: str
    objective: str
    measured: str
    passed: bool


def evaluate(slo: Slo, measured: Measurement) -> list[SloResult]:
    """One result per objective; latency and errors are ceilings, throughput is a floor."""
    return [
        SloResult("p95 latency", f"<= {slo.p95_ms:g} ms", f"{measured.p95_ms:g} ms", measured.p95_ms <= slo.p95_ms),
        SloResult("p99 latency", f"<= {slo.p99_ms:g} ms", f"{measured.p99_ms:g} ms", measured.p99_ms <= slo.p99_ms),
        SloResult(
            "error rate",
            f"<= {slo.error_rate:.2%}",
            f"{measured.error_rate:.2%}",
            measured.error_rate <= slo.error_rate,
        ),
        SloResult("throughput", f">= {slo.min_rps:g} rps", f"{measured.rps:.1f} rps", measured.rps >= slo.min_rps),
    ]
