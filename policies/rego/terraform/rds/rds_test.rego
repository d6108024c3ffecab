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
	t.ids(rds.deny) == {"CG-RDS-001", "CG-RDS-002", "CG-RDS-003", "CG-RDS-004", "CG-RDS-005"} with input as inp
	t.flagged(rds.deny, "CG-RDS-002", "aws_db_instance.pub") with input as inp
}

test_database_without_a_tls_parameter_group_fails if {
	t.flagged(rds.deny, "CG-RDS-005", "aws_rds_cluster.db") with input as t.plan([t.r("aws_rds_cluster.db", good, {"kms_key_id": ["aws_kms_key.k"]}, [])])
	weak := t.resource("aws_rds_cluster_parameter_group.tls", {"name": "tls", "parameter": [{"name": "rds.force_ssl", "value": "0"}]})
	t.flagged(rds.deny, "CG-RDS-005", "aws_rds_cluster.db") with input as t.plan([weak, cluster(good)])
}

test_deletion_protection_only_required_in_prod if {
	inp := object.union(t.plan([params, cluster(object.union(good, {"deletion_protection": false}))]), {"environment": "dev"})
	count(rds.deny) == 0 with input as inp
}

test_unknown_public_access_warns if {
	t.flagged(rds.warn, "CG-RDS-002", "aws_rds_cluster_instance.i") with input as t.plan([t.r("aws_rds_cluster_instance.i", {}, {}, ["publicly_accessible"])])
}
