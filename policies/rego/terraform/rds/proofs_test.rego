package citygate.rds_proofs_test

import data.citygate.rds
import data.citygate.testing as t
import rego.v1

key := t.resource("aws_kms_key.db", {})

cluster(values) := t.r("aws_rds_cluster.db", values, {"kms_key_id": ["aws_kms_key.db"]}, ["kms_key_id"])

good := {"storage_encrypted": true, "backup_retention_period": 35, "deletion_protection": true}

instance(public) := t.resource("aws_rds_cluster_instance.i", {"publicly_accessible": public})

test_compliant_cluster_is_proven if {
	inp := t.plan([key, cluster(good), instance(false)])
	cmk := "storage_encrypted = true, kms_key_id → aws_kms_key.db (a customer-managed key in this plan)"
	{"id": "CG_RDS_001", "resource": "aws_rds_cluster.db", "evidence": cmk} in rds.proof with input as inp
	{"id": "CG_RDS_002", "resource": "aws_rds_cluster_instance.i", "evidence": "publicly_accessible = false"} in rds.proof with input as inp
	{"id": "CG_RDS_003", "resource": "aws_rds_cluster.db", "evidence": "backup_retention_period = 35 (at least 7)"} in rds.proof with input as inp
	{"id": "CG_RDS_004", "resource": "aws_rds_cluster.db", "evidence": "deletion_protection = true"} in rds.proof with input as inp
}

test_weak_cluster_is_not_proven if {
	inp := t.plan([key, cluster({"storage_encrypted": false, "backup_retention_period": 1, "deletion_protection": false}), instance(true)])
	count(rds.proof) == 0 with input as inp
}

test_deletion_protection_is_proven_out_of_production_only_by_the_environment if {
	unprotected := cluster(object.union(good, {"deletion_protection": false}))
	local := object.union(t.plan([key, unprotected]), {"environment": "local"})
	text := `deletion protection is required in production only; environment "local"`
	{"id": "CG_RDS_004", "resource": "aws_rds_cluster.db", "evidence": text} in rds.proof with input as local
	not t.flagged(rds.proof, "CG_RDS_004", "aws_rds_cluster.db") with input as t.plan([key, unprotected])
	not t.flagged(rds.proof, "CG_RDS_004", "aws_rds_cluster.db") with input as object.union(local, {"environment": ""})
}

insights(refs, values) := t.r("aws_rds_cluster_instance.pi", object.union({"publicly_accessible": false, "performance_insights_enabled": true}, values), refs, [k | some k, _ in refs])

test_performance_insights_key_is_proven_only_when_ours if {
	inp := t.plan([key, insights({"performance_insights_kms_key_id": ["aws_kms_key.db"]}, {})])
	text := "performance_insights_kms_key_id → aws_kms_key.db (a customer-managed key in this plan)"
	{"id": "CG_RDS_006", "resource": "aws_rds_cluster_instance.pi", "evidence": text} in rds.proof with input as inp
	aws_managed := t.plan([insights({}, {"performance_insights_kms_key_id": "alias/aws/rds"})])
	count({p | some p in rds.proof; p.id == "CG_RDS_006"}) == 0 with input as aws_managed
}
