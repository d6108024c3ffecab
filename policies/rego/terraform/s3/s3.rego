# S3 data lake buckets: CMK encryption, public access block, versioning, TLS-only policy, access logs.
# Provider 5.x splits these settings into aws_s3_bucket_* resources joined to the bucket by
# reference (or by a known bucket name); the inline 4.x attributes are honoured too.
package citygate.s3

import data.citygate.lib
import rego.v1

buckets := lib.resources("aws_s3_bucket")

_split_types := [
	"aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_public_access_block",
	"aws_s3_bucket_versioning", "aws_s3_bucket_policy",
]

# the split settings resources of each bucket, joined once
_settings[b.address] := {t: lib.joined(b, t, "bucket", "bucket") | some t in _split_types} if some b in buckets

_joined(b, t) := _settings[b.address][t]

_sse_rules(b) := array.concat(
	[rule |
		some c in _joined(b, "aws_s3_bucket_server_side_encryption_configuration")
		some rule in lib.blocks(lib.get(c.values, "rule", []))
	],
	[rule |
		some sse in lib.blocks(lib.get(b.values, "server_side_encryption_configuration", []))
		some rule in lib.blocks(lib.get(sse, "rule", []))
	],
)

_kms_default(rule) := d if {
	some d in lib.blocks(lib.get(rule, "apply_server_side_encryption_by_default", []))
	lib.get(d, "sse_algorithm", "") in {"aws:kms", "aws:kms:dsse"}
}

_cmk_state(b) := "cmk" if {
	some c in _joined(b, "aws_s3_bucket_server_side_encryption_configuration")
	some rule in lib.blocks(lib.get(c.values, "rule", []))
	d := _kms_default(rule)
	lib.key_state(c, "rule.apply_server_side_encryption_by_default.kms_master_key_id", lib.get(d, "kms_master_key_id", null)) == "cmk"
} else := "cmk" if {
	some rule in _sse_rules(b)
	d := _kms_default(rule)
	lib.key_state(b, "server_side_encryption_configuration.rule.apply_server_side_encryption_by_default.kms_master_key_id", lib.get(d, "kms_master_key_id", null)) == "cmk"
} else := "unknown" if {
	some c in _joined(b, "aws_s3_bucket_server_side_encryption_configuration")
	lib.unresolved(c, "rule")
} else := "missing"

# each bucket's verdicts, computed once for its deny rules
_cmk[b.address] := _cmk_state(b) if some b in buckets

_tls[b.address] := _tls_state(b) if some b in buckets

# METADATA
# title: S3 bucket default encryption uses a customer-managed KMS key
# description: The bucket (or its aws_s3_bucket_server_side_encryption_configuration) applies SSE-KMS with a key we manage.
# custom:
#   id: CG_S3_001
#   severity: high
#   controls: [CG-ENC-1]
#   fix: Add aws_s3_bucket_server_side_encryption_configuration with sse_algorithm "aws:kms" and kms_master_key_id = aws_kms_key.<key>.arn.
deny contains f if {
	some b in buckets
	_cmk[b.address] == "missing"
	f := lib.finding("CG_S3_001", b, "bucket has no default SSE-KMS encryption with a customer-managed key")
}

deny contains f if {
	some b in buckets
	_cmk[b.address] == "unknown"
	f := lib.unverifiable("CG_S3_001", b, "the bucket encryption key")
}

_pab_complete(p) if {
	every setting in ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] {
		lib.get(p.values, setting, false) == true
	}
}

# METADATA
# title: S3 bucket blocks all public access
# description: An aws_s3_bucket_public_access_block joined to the bucket sets all four settings to true.
# custom:
#   id: CG_S3_002
#   severity: critical
#   controls: [CG-DP-1]
#   fix: Add aws_s3_bucket_public_access_block for the bucket with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true.
deny contains f if {
	some b in buckets
	not _pab_ok(b)
	f := lib.finding("CG_S3_002", b, "bucket has no public access block with all four settings true")
}

_pab_ok(b) if {
	some p in _joined(b, "aws_s3_bucket_public_access_block")
	_pab_complete(p)
}

_versioning_ok(b) if {
	some v in _joined(b, "aws_s3_bucket_versioning")
	some c in lib.blocks(lib.get(v.values, "versioning_configuration", []))
	lib.get(c, "status", "") == "Enabled"
}

_versioning_ok(b) if {
	some v in lib.blocks(lib.get(b.values, "versioning", []))
	lib.get(v, "enabled", false) == true
}

# METADATA
# title: S3 bucket versioning is enabled
# custom:
#   id: CG_S3_003
#   severity: medium
#   controls: [CG-DP-2]
#   fix: Add aws_s3_bucket_versioning for the bucket with versioning_configuration { status = "Enabled" }.
deny contains f if {
	some b in buckets
	not _versioning_ok(b)
	f := lib.finding("CG_S3_003", b, "bucket versioning is not enabled")
}

_policies(b) := array.concat(
	_joined(b, "aws_s3_bucket_policy"),
	[b | lib.get(b.values, "policy", null) != null],
)

# a Deny statement conditioned on Bool aws:SecureTransport = false (condition keys ignore case)
_plain_http_denial(s) if {
	s.effect == "Deny"
	some c in s.conditions
	c.test == "Bool"
	lower(c.variable) == "aws:securetransport"
	some v in c.values
	lower(sprintf("%v", [v])) == "false"
}

_everyone(s) if {
	some p in s.principals
	p.type in {"*", "AWS"}
	"*" in p.identifiers
}

# the bucket ARN and its objects: some resource R is listed together with R/*
_bucket_and_objects(s) if {
	some r in s.resources
	concat("", [r, "/*"]) in s.resources
}

# what a plain-HTTP denial leaves open (empty: it denies every principal every action on everything)
_tls_gap(s, "Principal \"*\"") if not _everyone(s)

_all_actions(s) if {
	some a in s.actions
	a in {"s3:*", "*"}
}

_tls_gap(s, "Action s3:*") if not _all_actions(s)

_tls_gap(s, "both the bucket ARN and bucket/*") if not _bucket_and_objects(s)

_tls_gap(s, "aws:SecureTransport as its only condition") if count(s.conditions) > 1

_tls_gaps(s) := {g |
	some g in ["Principal \"*\"", "Action s3:*", "both the bucket ARN and bucket/*", "aws:SecureTransport as its only condition"]
	_tls_gap(s, g)
}

_plain_http_denials(b) := [s |
	some p in _policies(b)
	some s in lib.statements(p, "policy")
	_plain_http_denial(s)
]

_tls_state(b) := "enforced" if {
	some s in _plain_http_denials(b)
	count(_tls_gaps(s)) == 0
} else := "partial" if {
	count(_plain_http_denials(b)) > 0
} else := "unknown" if {
	some p in _policies(b)
	lib.unresolved(p, "policy")
} else := "missing"

# METADATA
# title: S3 bucket policy denies requests without TLS to every principal and action
# custom:
#   id: CG_S3_004
#   severity: medium
#   controls: [CG-TLS-3]
#   fix: Add an aws_s3_bucket_policy statement Deny, Principal "*", Action s3:*, Resource [bucket ARN, bucket ARN/*], when Bool aws:SecureTransport is "false".
deny contains f if {
	some b in buckets
	_tls[b.address] == "missing"
	f := lib.finding("CG_S3_004", b, "no bucket policy denies requests made without TLS (aws:SecureTransport false)")
}

deny contains f if {
	some b in buckets
	_tls[b.address] == "partial"
	lacking := {g | some s in _plain_http_denials(b); some g in _tls_gaps(s)}
	msg := sprintf("the bucket policy denies plain HTTP only in part: it lacks %s", [concat(", ", sort(lacking))])
	f := lib.finding("CG_S3_004", b, msg)
}

deny contains f if {
	some b in buckets
	_tls[b.address] == "unknown"
	f := lib.unverifiable("CG_S3_004", b, "the bucket policy")
}

# the bucket a logging configuration delivers to: a known name, or the resources it refers to
_log_target(l) := sprintf("%q", [name]) if {
	name := lib.get(l.values, "target_bucket", "")
	name != ""
} else := concat(", ", sort(lib.refs(l, "target_bucket"))) if {
	count(lib.refs(l, "target_bucket")) > 0
}

# a logging configuration names the bucket it logs in `bucket` (it refers to its target bucket too,
# so being attached by any reference is not enough)
_logs_bucket(l, b) if b.address in lib.refs(l, "bucket")

_logs_bucket(l, b) if {
	name := lib.get(b.values, "bucket", null)
	is_string(name)
	lib.get(l.values, "bucket", null) == name
}

# [logging configuration or bucket, its target] for each way the bucket names its access-log target
_log_targets(b) := array.concat(
	[[l.address, _log_target(l)] | some l in lib.resources("aws_s3_bucket_logging"); _logs_bucket(l, b)],
	[[b.address, sprintf("%q", [lib.get(l, "target_bucket", "")])] |
		some l in lib.blocks(lib.get(b.values, "logging", []))
		lib.get(l, "target_bucket", "") != ""
	],
)

_access_logs_state(b) := "logged" if {
	count(_log_targets(b)) > 0
} else := "unknown" if {
	some l in lib.resources("aws_s3_bucket_logging")
	lib.unresolved(l, "bucket")
	count(lib.refs(l, "bucket")) == 0
} else := "missing"

# METADATA
# title: S3 bucket writes server access logs
# description: An aws_s3_bucket_logging joined to the bucket (or its inline logging block) names the bucket that receives its access logs.
# custom:
#   id: CG_S3_005
#   severity: medium
#   controls: [CG-AUD-5]
#   fix: Add aws_s3_bucket_logging for the bucket with target_bucket = the access-log bucket and a target_prefix of its own.
deny contains f if {
	some b in buckets
	_access_logs_state(b) == "missing"
	f := lib.finding("CG_S3_005", b, "bucket writes no server access logs (no aws_s3_bucket_logging names a target bucket)")
}

deny contains f if {
	some b in buckets
	_access_logs_state(b) == "unknown"
	f := lib.unverifiable("CG_S3_005", b, "the bucket an aws_s3_bucket_logging configures")
}
