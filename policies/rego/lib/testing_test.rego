# Builders for the policy unit tests (a *_test.rego file: never loaded by the gate itself).
package citygate.testing

import rego.v1

resource(address, values) := r(address, values, {}, [])

# r(address, values, references, unknown): one resource as the input model has it
r(address, values, references, unknown) := {
	"address": address,
	"type": _parts(address)[0],
	"name": _parts(address)[1],
	"mode": _mode(address),
	"module": "",
	"values": values,
	"references": references,
	"unknown": unknown,
}

_parts(address) := array.slice(split(address, "."), 1, 3) if startswith(address, "data.")
else := split(address, ".")

_mode(address) := "data" if startswith(address, "data.")
else := "managed"

plan(resources) := {"kind": "terraform", "source": "plan", "environment": "prod", "resources": resources}

# configured(resource, paths): the resource as a plan's configuration describes it (the paths its author wrote)
configured(resource, paths) := object.union(resource, {"configured": paths})

ids(findings) := {f.id | some f in findings}

flagged(findings, id, address) if {
	some f in findings
	f.id == id
	f.resource == address
}

# unverified(findings, id, address): denied because the value cannot be known before apply
unverified(findings, id, address) if {
	some f in findings
	f.id == id
	f.resource == address
	contains(f.msg, "cannot be verified before apply")
}

test_builders if {
	resource("aws_s3_bucket.b", {}).type == "aws_s3_bucket"
	ids([{"id": "X"}]) == {"X"}
	configured(resource("aws_s3_bucket.b", {}), ["bucket"]).configured == ["bucket"]
	unverified([{"id": "X", "resource": "a", "msg": "k cannot be verified before apply"}], "X", "a")
}
