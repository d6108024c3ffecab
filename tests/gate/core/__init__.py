"""Gate core: inputs, Rego/OPA engines, controls catalogue, policies, orchestration, check."""
