"""citygate: the gate engine (inputs, engines, findings, reporters, live verification)."""
