package citygate.kms_key_policy_test

import data.citygate.kms
import data.citygate.testing as t
import rego.v1

key(statement) := t.plan([t.resource("aws_kms_key.k", {"policy": json.marshal({"Statement": [statement]})})])

open := {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}

flagged(statement) if t.flagged(kms.deny, "CG_KMS_002", "aws_kms_key.k") with input as key(statement)

test_named_principals_deny_and_pinned_wildcards_pass if {
	every statement in [
		{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"},
		{"Effect": "Allow", "Principal": {"Service": "logs.eu-west-1.amazonaws.com"}, "Action": "kms:Decrypt", "Resource": "*"},
		{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"},
		object.union(open, {"Condition": {"StringEquals": {"kms:CallerAccount": "123456789012", "kms:ViaService": "s3.eu-west-1.amazonaws.com"}}}),
		object.union(open, {"Principal": {"AWS": "*"}, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}),
		object.union(open, {"Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:logs:eu-west-1:123456789012:*"}}}),
	] {
		not flagged(statement)
	}
	not t.flagged(kms.deny, "CG_KMS_002", "aws_kms_key.default") with input as t.plan([t.resource("aws_kms_key.default", {})])
}

test_wildcard_principal_without_a_pinning_condition_fails if {
	every statement in [
		open,
		object.union(open, {"Principal": {"AWS": ["*"]}, "Action": ["kms:Decrypt"]}),
		object.union(open, {"Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}}),
		object.union(open, {"Condition": {"StringLike": {"kms:CallerAccount": "*"}}}),
		object.union(open, {"Condition": {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}}}),
		object.union(open, {"Condition": {"StringNotEquals": {"kms:CallerAccount": "123456789012"}}}),
	] {
		flagged(statement)
	}
}

test_key_policy_resources_and_policy_documents_are_judged if {
	doc := t.resource("data.aws_iam_policy_document.open", {"statement": [{
		"effect": "Allow", "actions": ["kms:*"], "resources": ["*"],
		"principals": [{"type": "AWS", "identifiers": ["*"]}],
	}]})
	attached := t.r("aws_kms_key_policy.k", {}, {"policy": ["data.aws_iam_policy_document.open"]}, ["policy"])
	t.flagged(kms.deny, "CG_KMS_002", "aws_kms_key_policy.k") with input as t.plan([doc, attached])
	later := t.r("aws_kms_key.later", {}, {}, ["policy"])
	some f in kms.deny with input as t.plan([later])
	f.id == "CG_KMS_002"
	contains(f.msg, "cannot be verified before apply")
}
