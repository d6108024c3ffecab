package citygate.rds_test

import data.citygate.rds
import data.citygate.testing as t
import rego.v1

params := t.resource("aws_rds_cluster_parameter_group.tls", {"name": "tls", "parameter": [{"name": "rds.force_ssl", "value": "1"}]})

cluster(values) := t.r("aws_rds_cluster.db", values, {"kms_key_id": ["aws_kms_key.k"], "db_cluster_parameter_group_name": ["aws_rds_cluster_parameter_group.tls"]}, ["kms_key_id"])

good := {"storage_encrypted": true, "backup_retention_period": 7, "deletion_protection": true}

test_compliant_cluster_passes if {
	count(rds.deny) == 0 with input as t.plan([params, cluster(good), t.resource("aws_rds_cluster_instance.i", {"publicly_accessible": false})])
}

test_each_weakness_is_flagged if {
	inp := t.plan([
		cluster({"storage_encrypted": false, "backup_retention_period": 1, "deletion_protection": false}),
		t.resource("aws_db_instance.pub", {"publicly_accessible": true, "storage_encrypted": true, "kms_key_id": "arn:k", "backup_retention_period": 7, "deletion_protection": true, "parameter_group_name": "tls"}),
		params,
	])
	t.ids(rds.deny) == {"CG_RDS_001", "CG_RDS_002", "CG_RDS_003", "CG_RDS_004", "CG_RDS_005"} with input as inp
	t.flagged(rds.deny, "CG_RDS_002", "aws_db_instance.pub") with input as inp
}

test_database_without_a_tls_parameter_group_fails if {
	t.flagged(rds.deny, "CG_RDS_005", "aws_rds_cluster.db") with input as t.plan([t.r("aws_rds_cluster.db", good, {"kms_key_id": ["aws_kms_key.k"]}, [])])
	weak := t.resource("aws_rds_cluster_parameter_group.tls", {"name": "tls", "parameter": [{"name": "rds.force_ssl", "value": "0"}]})
	t.flagged(rds.deny, "CG_RDS_005", "aws_rds_cluster.db") with input as t.plan([weak, cluster(good)])
}

test_deletion_protection_only_required_in_prod if {
	inp := object.union(t.plan([params, cluster(object.union(good, {"deletion_protection": false}))]), {"environment": "dev"})
	count(rds.deny) == 0 with input as inp
}

test_unknown_public_access_is_unverifiable_unless_unwritten if {
	instance := t.r("aws_rds_cluster_instance.i", {}, {}, ["publicly_accessible"])
	t.unverified(rds.deny, "CG_RDS_002", "aws_rds_cluster_instance.i") with input as t.plan([instance])
	# never written: instances are private by default
	count(rds.deny) == 0 with input as t.plan([t.configured(instance, ["cluster_identifier"])])
}

test_unknown_encryption_and_retention_are_unverifiable if {
	db := t.r("aws_rds_cluster.db", {"storage_encrypted": true, "deletion_protection": true}, {"db_cluster_parameter_group_name": ["aws_rds_cluster_parameter_group.tls"]}, ["kms_key_id", "backup_retention_period"])
	t.unverified(rds.deny, "CG_RDS_001", "aws_rds_cluster.db") with input as t.plan([params, db])
	t.unverified(rds.deny, "CG_RDS_003", "aws_rds_cluster.db") with input as t.plan([params, db])
	# never written: the AWS-managed aws/rds key, and one day of backups
	unwritten := t.configured(db, ["storage_encrypted", "deletion_protection", "db_cluster_parameter_group_name"])
	t.ids(rds.deny) == {"CG_RDS_001", "CG_RDS_003"} with input as t.plan([params, unwritten])
	not t.unverified(rds.deny, "CG_RDS_001", "aws_rds_cluster.db") with input as t.plan([params, unwritten])
	not t.unverified(rds.deny, "CG_RDS_003", "aws_rds_cluster.db") with input as t.plan([params, unwritten])
}

insights(values, refs) := t.r("aws_rds_cluster_instance.i", object.union({"publicly_accessible": false, "performance_insights_enabled": true}, values), refs, [k | some k, _ in refs])

test_performance_insights_needs_a_customer_managed_key if {
	count({f | some f in rds.deny; f.id == "CG_RDS_006"}) == 0 with input as t.plan([insights({}, {"performance_insights_kms_key_id": ["aws_kms_key.k"]})])
	t.flagged(rds.deny, "CG_RDS_006", "aws_rds_cluster_instance.i") with input as t.plan([insights({}, {})])
	t.flagged(rds.deny, "CG_RDS_006", "aws_rds_cluster_instance.i") with input as t.plan([insights({"performance_insights_kms_key_id": "alias/aws/rds"}, {})])
	off := t.resource("aws_rds_cluster_instance.i", {"publicly_accessible": false, "performance_insights_enabled": false})
	count({f | some f in rds.deny; f.id == "CG_RDS_006"}) == 0 with input as t.plan([off])
}

test_unknown_performance_insights_key_is_unverifiable if {
	instance := t.r("aws_rds_cluster_instance.i", {"publicly_accessible": false, "performance_insights_enabled": true}, {}, ["performance_insights_kms_key_id"])
	t.unverified(rds.deny, "CG_RDS_006", "aws_rds_cluster_instance.i") with input as t.plan([instance])
}
