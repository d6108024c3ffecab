"""One module per CLI command; each exports a click command returning its exit code."""
