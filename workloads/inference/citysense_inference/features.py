"""Feature engineering shared by training and serving, so the two can never drift apart.

The model predicts the *ratio* of the future speed to the segment's free-flow speed; inputs are
scaled the same way, which lets one model serve 30 km/h streets and 110 km/h ring roads alike.
Plain floats and `math`, not numpy: one reading costs a few microseconds, where numpy's per-call
overhead on 1-element arrays would dominate a request.
"""

from __future__ import annotations

import math

HARMONICS = 4  # daily Fourier terms: enough for two rush-hour peaks and a midday hump
_HARMONIC_NAMES = tuple(f"{kind}{k}" for k in range(1, HARMONICS + 1) for kind in ("sin", "cos"))

FEATURE_NAMES: tuple[str, ...] = (
    "speed_ratio",
    "speed_prev_ratio",
    "speed_trend",
    "speed_ratio_sq",
    "volume_k",
    "rain_mm_h",
    "raining",
    "temperature_c",
    "weekend",
    *(f"{name}_weekday" for name in _HARMONIC_NAMES),
    *(f"{name}_weekend" for name in _HARMONIC_NAMES),
    *(f"speed_ratio_x_{name}" for name in _HARMONIC_NAMES),
)


def feature_row(
    hour: float,
    day_of_week: int,
    speed_kmh: float,
    speed_prev_kmh: float,
    volume_vph: float,
    rain_mm_h: float,
    temperature_c: float,
    free_flow_kmh: float,
) -> list[float]:
    """One reading's features, in FEATURE_NAMES order; `hour` is fractional, `day_of_week` 0 = Monday."""
    ratio = speed_kmh / free_flow_kmh
    prev_ratio = speed_prev_kmh / free_flow_kmh
    weekend = 1.0 if day_of_week >= 5 else 0.0
    angle = 2.0 * math.pi * hour / 24.0
    harmonics = [f(k * angle) for k in range(1, HARMONICS + 1) for f in (math.sin, math.cos)]
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
