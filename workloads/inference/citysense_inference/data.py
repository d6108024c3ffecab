"""A deterministic synthetic sensor data set, so training needs no download and is reproducible.

Each road segment reports every 5 minutes. Traffic demand follows weekday rush hours and a
weekend midday hump; speed follows the BPR volume-delay curve, slowed further by rain and by
incidents that decay over time. The same seed always yields the same data set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from citysense_inference import HORIZON_MINUTES

STEP_MINUTES = 5
STEPS_PER_DAY = 24 * 60 // STEP_MINUTES
HORIZON_STEPS = HORIZON_MINUTES // STEP_MINUTES
LOOKBACK_STEPS = 3  # "speed 15 minutes ago" is a model input
FREE_FLOW_CHOICES_KMH = np.array([30.0, 50.0, 70.0, 90.0, 110.0])


@dataclass(frozen=True)
class SensorDataset:
    """One row per (segment, time) with the model's raw inputs and the speed HORIZON_MINUTES later."""

    segment: np.ndarray
    hour: np.ndarray  # fractional hour of day, 0 <= h < 24
    day_of_week: np.ndarray  # 0 = Monday
    speed_kmh: np.ndarray
    speed_prev_kmh: np.ndarray
    volume_vph: np.ndarray
    rain_mm_h: np.ndarray
    temperature_c: np.ndarray
    free_flow_kmh: np.ndarray
    target_speed_kmh: np.ndarray
    day_index: np.ndarray  # days since the start: splits train/test in time, never at random

    def __len__(self) -> int:
        return len(self.target_speed_kmh)

    def select(self, mask: np.ndarray) -> SensorDataset:
        return SensorDataset(**{name: getattr(self, name)[mask] for name in self.__dataclass_fields__})


def _demand_profile(hour: np.ndarray, weekend: np.ndarray) -> np.ndarray:
    """Share of capacity demanded: rush peaks on weekdays, one broad midday hump at weekends."""
    weekday = 0.15 + 0.75 * np.exp(-(((hour - 8.0) / 1.2) ** 2)) + 0.85 * np.exp(-(((hour - 17.5) / 1.5) ** 2))
    weekday += 0.35 * np.exp(-(((hour - 12.5) / 3.0) ** 2))
    weekend_profile = 0.12 + 0.55 * np.exp(-(((hour - 13.0) / 3.5) ** 2))
    night = 0.08 * np.exp(-(((hour - 3.0) / 2.0) ** 2))
    return np.where(weekend, weekend_profile, weekday) - night


def _weather(rng: np.random.Generator, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """City-wide rain (a two-state Markov chain with varying intensity) and a diurnal temperature."""
    raining = np.zeros(steps, dtype=bool)
    for t in range(1, steps):
        stay = 0.97 if raining[t - 1] else 0.995
        raining[t] = raining[t - 1] if rng.random() < stay else not raining[t - 1]
    intensity = rng.gamma(shape=2.0, scale=2.0, size=steps)
    rain = np.where(raining, np.convolve(intensity, np.ones(6) / 6, mode="same"), 0.0)
    hours = (np.arange(steps) % STEPS_PER_DAY) * STEP_MINUTES / 60.0
    temperature = 12.0 + 6.0 * np.sin((hours - 9.0) / 24.0 * 2 * np.pi) + rng.normal(0.0, 0.8, steps) - 2.0 * raining
    return rain, temperature


def _incidents(rng: np.random.Generator, segments: int, steps: int) -> np.ndarray:
    """Speed lost to incidents: rare shocks that decay over about an hour."""
    shocks = (rng.random((segments, steps)) < 0.0015) * rng.uniform(0.2, 0.6, (segments, steps))
    loss = np.zeros((segments, steps))
    for t in range(1, steps):
        loss[:, t] = np.minimum(0.8, loss[:, t - 1] * 0.93 + shocks[:, t])
    return loss


def generate(segments: int = 40, days: int = 28, seed: int = 20261127) -> SensorDataset:
    """Simulate `segments` road segments for `days` days; identical output for identical arguments."""
    rng = np.random.default_rng(seed)
    steps = days * STEPS_PER_DAY
    t = np.arange(steps)
    hour = (t % STEPS_PER_DAY) * STEP_MINUTES / 60.0
    day_of_week = (t // STEPS_PER_DAY) % 7
    weekend = day_of_week >= 5

    free_flow = rng.choice(FREE_FLOW_CHOICES_KMH, size=segments)
    capacity = rng.uniform(800.0, 3600.0, size=segments)
    busyness = rng.uniform(0.7, 1.25, size=segments)
    rain, temperature = _weather(rng, steps)

    demand = _demand_profile(hour, weekend)[None, :] * busyness[:, None]
    demand *= 1.0 + 0.08 * np.minimum(rain, 10.0)[None, :] / 10.0
    demand *= rng.lognormal(0.0, 0.08, (segments, steps))
    volume = np.clip(demand, 0.01, None) * capacity[:, None]
    ratio = volume / capacity[:, None]
    bpr_speed = free_flow[:, None] / (1.0 + 0.15 * ratio**4)
    rain_factor = 1.0 - 0.18 * np.minimum(rain, 8.0)[None, :] / 8.0
    speed = (
        bpr_speed * rain_factor * (1.0 - _incidents(rng, segments, steps)) * rng.normal(1.0, 0.03, (segments, steps))
    )
    speed = np.clip(speed, 3.0, None)

    now = np.arange(LOOKBACK_STEPS, steps - HORIZON_STEPS)

    def rows(matrix: np.ndarray, offset: int = 0) -> np.ndarray:
        return matrix[:, now + offset].ravel()

    def per_time(vector: np.ndarray) -> np.ndarray:
        return np.tile(vector[now], segments)

    return SensorDataset(
        segment=np.repeat(np.arange(segments), len(now)),
        hour=per_time(hour),
        day_of_week=per_time(day_of_week),
        speed_kmh=rows(speed),
        speed_prev_kmh=rows(speed, -LOOKBACK_STEPS),
        volume_vph=rows(volume),
        rain_mm_h=per_time(rain),
        temperature_c=per_time(temperature),
        free_flow_kmh=np.repeat(free_flow, len(now)),
        target_speed_kmh=rows(speed, HORIZON_STEPS),
        day_index=per_time(t // STEPS_PER_DAY),
    )
