"""citysense inference: short-term road-segment speed prediction for the smart-city platform.

Predicts each segment's average speed 15 minutes ahead from its IoT sensor readings (recent
speed and volume, time of day, day of week, weather) and derives a congestion level from it.
"""

from typing import Final

HORIZON_MINUTES: Final = 15
