package citygate.redshift_test

import data.citygate.redshift
import data.citygate.testing as t
import rego.v1

good := {
	"cluster_identifier": "wh",
	"encrypted": true,
	"kms_key_id": "arn:aws:kms:eu-central-1:123456789012:key/k",
	"publicly_accessible": false,
	"enhanced_vpc_routing": true,
}

cluster := t.resource("aws_redshift_cluster.wh", good)

logging(values, unknown) := t.r("aws_redshift_logging.wh", values, {"cluster_identifier": ["aws_redshift_cluster.wh"]}, unknown)

exports := {"log_destination_type": "cloudwatch", "log_exports": ["connectionlog", "userlog", "useractivitylog"]}

test_a_private_routed_audited_cluster_passes_and_proves_its_logging if {
	inp := t.plan([cluster, logging(exports, ["cluster_identifier"])])
	count(redshift.deny) == 0 with input as inp
	proofs := redshift.proof with input as inp
	some p in proofs
	p.id == "CG_RS_003"
	contains(p.evidence, "cluster_identifier → aws_redshift_cluster.wh")
}

test_the_deprecated_logging_block_counts if {
	inp := t.plan([t.resource("aws_redshift_cluster.wh", object.union(good, {"logging": [{"enable": true}]}))])
	not t.flagged(redshift.deny, "CG_RS_003", "aws_redshift_cluster.wh") with input as inp
}

test_missing_audit_logs_are_named if {
	partial := logging({"log_destination_type": "cloudwatch", "log_exports": ["userlog"]}, [])
	found := redshift.deny with input as t.plan([cluster, partial])
	some f in found
	f.id == "CG_RS_003"
	contains(f.msg, "connectionlog, useractivitylog")
}

test_s3_logging_without_a_bucket_fails if {
	t.flagged(redshift.deny, "CG_RS_003", "aws_redshift_cluster.wh") with input as t.plan([cluster, logging({"log_destination_type": "s3"}, [])])
}

test_a_logging_resource_naming_no_known_cluster_is_unverifiable if {
	loose := t.r("aws_redshift_logging.x", exports, {}, ["cluster_identifier"])
	t.unverified(redshift.deny, "CG_RS_003", "aws_redshift_cluster.wh") with input as t.plan([cluster, loose])
}

test_unknown_routing_and_public_access_are_unverifiable if {
	unknown := t.r("aws_redshift_cluster.wh", {"encrypted": true, "kms_key_id": "arn:k"}, {}, ["publicly_accessible", "enhanced_vpc_routing"])
	inp := t.plan([unknown, logging(exports, [])])
	t.unverified(redshift.deny, "CG_RS_002", "aws_redshift_cluster.wh") with input as inp
	t.unverified(redshift.deny, "CG_RS_004", "aws_redshift_cluster.wh") with input as inp
}
