"""Tests of the gate: inputs, engines, controls, policies, orchestration and reporters."""
