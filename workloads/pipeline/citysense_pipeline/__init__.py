"""citysense data pipeline: sensor readings from Kinesis and the raw lake to clean Parquet, online features and models.

The steps are plain modules (`extract`, `transform`, `quality`, `features`, `load`) so they run and
test without Airflow; `dags/citysense_etl.py` only wires them, and `training/` holds the Kubeflow
pipeline that turns the lake into registered models.
"""
