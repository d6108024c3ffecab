"""Airflow DAGs: wiring only; the work is in `citysense_pipeline.etl`."""
