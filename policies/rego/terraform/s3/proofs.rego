# Proofs for the S3 rules: the bucket settings a scanner reads from values alone (a key or a bucket id
# known only after apply) shown compliant through the plan's references. Scanners report either on the
# bucket or on the split aws_s3_bucket_* resource, so each proof stands on both.
package citygate.s3

import data.citygate.evidence
import data.citygate.lib
import rego.v1

_sse_path := "rule.apply_server_side_encryption_by_default.kms_master_key_id"

# [bucket, resource the proof stands on, evidence] for each SSE-KMS setting with a customer-managed key
_sse_evidence contains [b.address, c.address, text] if {
	some b in buckets
	some c in _joined(b, "aws_s3_bucket_server_side_encryption_configuration")
	some rule in lib.blocks(lib.get(c.values, "rule", []))
	d := _kms_default(rule)
	key := evidence.customer_managed_key(c, _sse_path, lib.get(d, "kms_master_key_id", null))
	text := sprintf("%s (%s): sse_algorithm %q, %s", [c.address, evidence.joined_by(c, "bucket", b), d.sse_algorithm, key])
}

_sse_evidence contains [b.address, b.address, text] if {
	some b in buckets
	some sse in lib.blocks(lib.get(b.values, "server_side_encryption_configuration", []))
	some rule in lib.blocks(lib.get(sse, "rule", []))
	d := _kms_default(rule)
	key := evidence.customer_managed_key(b, concat(".", ["server_side_encryption_configuration", _sse_path]), lib.get(d, "kms_master_key_id", null))
	text := sprintf("server_side_encryption_configuration: sse_algorithm %q, %s", [d.sse_algorithm, key])
}

proof contains {"id": "CG_S3_001", "resource": resource, "evidence": text} if {
	some b in buckets
	_cmk[b.address] == "cmk"
	evidence.upheld(deny, "CG_S3_001", b.address)
	some [b.address, holder, text] in _sse_evidence
	some resource in {b.address, holder}
}

_public_access_settings := "block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets = true"

proof contains {"id": "CG_S3_002", "resource": resource, "evidence": text} if {
	some b in buckets
	_pab_ok(b)
	evidence.upheld(deny, "CG_S3_002", b.address)
	some p in _joined(b, "aws_s3_bucket_public_access_block")
	_pab_complete(p)
	text := sprintf("%s (%s) sets %s", [p.address, evidence.joined_by(p, "bucket", b), _public_access_settings])
	some resource in {b.address, p.address}
}

_versioning_evidence contains [b.address, v.address, text] if {
	some b in buckets
	some v in _joined(b, "aws_s3_bucket_versioning")
	some c in lib.blocks(lib.get(v.values, "versioning_configuration", []))
	lib.get(c, "status", "") == "Enabled"
	text := sprintf("%s (%s): %s", [v.address, evidence.joined_by(v, "bucket", b), evidence.literal("versioning_configuration.status", "Enabled")])
}

_versioning_evidence contains [b.address, b.address, evidence.literal("versioning.enabled", true)] if {
	some b in buckets
	some v in lib.blocks(lib.get(b.values, "versioning", []))
	lib.get(v, "enabled", false) == true
}

proof contains {"id": "CG_S3_003", "resource": resource, "evidence": text} if {
	some b in buckets
	_versioning_ok(b)
	evidence.upheld(deny, "CG_S3_003", b.address)
	some [b.address, holder, text] in _versioning_evidence
	some resource in {b.address, holder}
}

proof contains {"id": "CG_S3_005", "resource": resource, "evidence": text} if {
	some b in buckets
	_access_logs_state(b) == "logged"
	evidence.upheld(deny, "CG_S3_005", b.address)
	some [holder, target] in _log_targets(b)
	text := sprintf("%s delivers server access logs to target_bucket %s", [holder, target])
	some resource in {b.address, holder}
}
