"""Feature engineering shared by training and serving, so the two can never drift apart.

The model predicts the *ratio* of the future speed to the segment's free-flow speed; inputs are
scaled the same way, which lets one model serve 30 km/h streets and 110 km/h ring roads alike.
"""

from __future__ import annotations

import numpy as np

HARMONICS = 4  # daily Fourier terms: enough for two rush-hour peaks and a midday hump

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
    *(f"{kind}{k}_{day}" for day in ("weekday", "weekend") for k in range(1, HARMONICS + 1) for kind in ("sin", "cos")),
    *(f"speed_ratio_x_{kind}{k}" for k in range(1, HARMONICS + 1) for kind in ("sin", "cos")),
)


def design_matrix(
    *,
    hour: np.ndarray,
    day_of_week: np.ndarray,
    speed_kmh: np.ndarray,
    speed_prev_kmh: np.ndarray,
    volume_vph: np.ndarray,
    rain_mm_h: np.ndarray,
    temperature_c: np.ndarray,
    free_flow_kmh: np.ndarray,
) -> np.ndarray:
    """One row per reading, columns in FEATURE_NAMES order (filled in place: one allocation)."""
    ratio = speed_kmh / free_flow_kmh
    prev_ratio = speed_prev_kmh / free_flow_kmh
    weekend = (day_of_week >= 5).astype(float)
    angle = np.outer(2.0 * np.pi * hour / 24.0, np.arange(1, HARMONICS + 1))
    harmonics = np.empty((len(hour), 2 * HARMONICS))
    harmonics[:, 0::2] = np.sin(angle)
    harmonics[:, 1::2] = np.cos(angle)

    design = np.empty((len(hour), len(FEATURE_NAMES)))
    design[:, 0] = ratio
    design[:, 1] = prev_ratio
    design[:, 2] = ratio - prev_ratio
    design[:, 3] = ratio**2
    design[:, 4] = volume_vph / 1000.0
    design[:, 5] = rain_mm_h
    design[:, 6] = rain_mm_h > 0
    design[:, 7] = temperature_c
    design[:, 8] = weekend
    first = 9
    for weight in (1.0 - weekend, weekend, ratio):
        design[:, first : first + 2 * HARMONICS] = harmonics * weight[:, None]
        first += 2 * HARMONICS
    return design
