"""Feature engineering shared by training and serving, so the two can never drift apart.

The model predicts the *ratio* of the future speed to the segment's free-flow speed; inputs are
scaled the same way, which lets one model serve 30 km/h streets and 110 km/h ring roads alike.
Plain floats and `math`, not numpy: one reading costs a few microseconds, where numpy's per-call
overhead on 1-element arrays would dominate a request.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

HARMONICS = 4  # daily Fourier terms: enough for two rush-hour peaks and a midday hump
_HARMONIC_NAMES = tuple(f"{kind}{k}" for k in range(1, HARMONICS + 1) for kind in ("sin", "cos"))

_MEASURED_FEATURES = (  # from the sensor values alone
    "speed_ratio",
    "speed_prev_ratio",
    "speed_trend",
    "speed_ratio_sq",
    "volume_k",
    "rain_mm_h",
    "raining",
    "temperature_c",
)
FEATURE_NAMES: tuple[str, ...] = (
    *_MEASURED_FEATURES,
    "weekend",
    *(f"{name}_weekday" for name in _HARMONIC_NAMES),
    *(f"{name}_weekend" for name in _HARMONIC_NAMES),
    *(f"speed_ratio_x_{name}" for name in _HARMONIC_NAMES),
)


class Measurements(NamedTuple):
    """One reading's sensor values, as the model takes them; the time of day comes separately."""

    speed_kmh: float
    speed_prev_kmh: float
    volume_vph: float
    rain_mm_h: float
    temperature_c: float
    free_flow_kmh: float


def _harmonics(hour: float) -> list[float]:
    angle = 2.0 * math.pi * hour / 24.0
    return [f(k * angle) for k in range(1, HARMONICS + 1) for f in (math.sin, math.cos)]


def hour_of(minute_of_day: int) -> float:
    """The fractional hour the features use for a clock time to the minute."""
    hours, minutes = divmod(minute_of_day, 60)
    return hours + minutes / 60.0


def feature_row(hour: float, day_of_week: int, measured: Measurements) -> list[float]:
    """One reading's features, in FEATURE_NAMES order; `hour` is fractional, `day_of_week` 0 = Monday."""
    speed_kmh, speed_prev_kmh, volume_vph, rain_mm_h, temperature_c, free_flow_kmh = measured
    ratio = speed_kmh / free_flow_kmh
    prev_ratio = speed_prev_kmh / free_flow_kmh
    weekend = 1.0 if day_of_week >= 5 else 0.0
    harmonics = _harmonics(hour)
    return [
        ratio,
        prev_ratio,
        ratio - prev_ratio,
        ratio * ratio,
        volume_vph / 1000.0,
        rain_mm_h,
        1.0 if rain_mm_h > 0 else 0.0,
        temperature_c,
        weekend,
        *[h * (1.0 - weekend) for h in harmonics],
        *[h * weekend for h in harmonics],
        *[h * ratio for h in harmonics],
    ]


class LinearForm:
    """A linear model over FEATURE_NAMES, regrouped for serving; equal to `intercept + coefficients · feature_row`.

    Every time-dependent feature is a harmonic of the time of day times (1 - weekend), weekend or the
    speed ratio, so for one minute of the day and one kind of day they collapse into an offset and a
    slope on the ratio. Those 2 x 1,440 pairs are computed once at load time, which leaves eight
    multiply-adds per reading instead of building and multiplying a 33-feature row.
    """

    def __init__(self, coefficients: Sequence[float], intercept: float) -> None:
        weight = dict(zip(FEATURE_NAMES, coefficients, strict=True))
        weekday_terms = [weight[f"{name}_weekday"] for name in _HARMONIC_NAMES]
        weekend_terms = [weight[f"{name}_weekend"] for name in _HARMONIC_NAMES]
        ratio_terms = [weight[f"speed_ratio_x_{name}"] for name in _HARMONIC_NAMES]
        self._slots: list[tuple[float, float]] = []
        for minute in range(24 * 60):
            harmonics = _harmonics(hour_of(minute))
            slope = math.fsum(map(float.__mul__, harmonics, ratio_terms))
            for terms, weekend in ((weekday_terms, 0.0), (weekend_terms, 1.0)):
                offset = intercept + weight["weekend"] * weekend + math.fsum(map(float.__mul__, harmonics, terms))
                self._slots.append((offset, slope))
        self._measured = tuple(weight[name] for name in _MEASURED_FEATURES)

    def __call__(self, minute_of_day: int, weekend: bool, measured: Measurements) -> float:
        """The model's raw output for one reading (before any clipping)."""
        offset, slope = self._slots[2 * minute_of_day + weekend]
        w_ratio, w_prev, w_trend, w_ratio_sq, w_volume, w_rain, w_raining, w_temperature = self._measured
        speed_kmh, speed_prev_kmh, volume_vph, rain_mm_h, temperature_c, free_flow_kmh = measured
        ratio = speed_kmh / free_flow_kmh
        prev_ratio = speed_prev_kmh / free_flow_kmh
        return (
            offset
            + ratio * (w_ratio + slope + w_ratio_sq * ratio)
            + w_prev * prev_ratio
            + w_trend * (ratio - prev_ratio)
            + w_volume * (volume_vph / 1000.0)
            + w_rain * rain_mm_h
            + (w_raining if rain_mm_h > 0 else 0.0)
            + w_temperature * temperature_c
        )
