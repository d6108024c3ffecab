"""The training pipeline: lake and feature store in, a registered model out when it beats what serves today.

`steps` holds the work as plain functions; `pipeline` wires them as Kubeflow Pipelines components
(compiled to `pipeline.yaml`, committed and checked against a fresh compile by the tests).
"""
