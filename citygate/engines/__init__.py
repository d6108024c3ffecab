"""Policy engines. Each turns an Inventory (and the files it came from) into Findings."""
