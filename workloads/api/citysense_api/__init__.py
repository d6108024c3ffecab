"""citysense API: the city's segment catalogue, incidents, user reports, features and forecasts."""

__version__ = "1.0.0"
