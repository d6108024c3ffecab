package citygate.iam_test

import data.citygate.iam
import data.citygate.testing as t
import rego.v1

trust(conditions) := json.marshal({"Statement": [{
	"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
	"Principal": {"Federated": "arn:aws:iam::1:oidc-provider/x"}, "Condition": conditions,
}]})

good := {"StringEquals": {"x:sub": "system:serviceaccount:inference:api", "x:aud": "sts.amazonaws.com"}}

test_scoped_irsa_role_passes if {
	count(iam.deny) == 0 with input as t.plan([t.resource("aws_iam_role.api", {"assume_role_policy": trust(good)})])
}

test_broad_irsa_trusts_fail if {
	every conditions in [
		{"StringLike": {"x:sub": "system:serviceaccount:*:*", "x:aud": "sts.amazonaws.com"}},
		{"StringEquals": {"x:aud": "sts.amazonaws.com"}},
		{"StringEquals": {"x:sub": ["system:serviceaccount:a:b", "system:serviceaccount:a:c"], "x:aud": "sts.amazonaws.com"}},
		{"StringEquals": {"x:sub": "system:serviceaccount:inference:api"}},
	] {
		t.flagged(iam.deny, "CG-IAM-003", "aws_iam_role.api") with input as t.plan([t.resource("aws_iam_role.api", {"assume_role_policy": trust(conditions)})])
	}
}

test_trust_from_policy_document_with_unknown_issuer if {
	doc := t.resource("data.aws_iam_policy_document.trust", {"statement": [{
		"actions": ["sts:AssumeRoleWithWebIdentity"],
		"condition": [{"test": "StringEquals", "values": ["system:serviceaccount:inference:api"]}, {"test": "StringEquals", "values": ["sts.amazonaws.com"]}],
	}]})
	role := t.r("aws_iam_role.api", {}, {"assume_role_policy": ["data.aws_iam_policy_document.trust"]}, ["assume_role_policy"])
	count(iam.deny) == 0 with input as t.plan([doc, role])
	count(iam.warn) == 0 with input as t.plan([doc, role])
}

test_admin_and_passrole_fail if {
	admin := t.resource("aws_iam_policy.p", {"policy": json.marshal({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})})
	pass := t.resource("aws_iam_role_policy.q", {"policy": json.marshal({"Statement": [{"Effect": "Allow", "Action": "iam:Pass*", "Resource": "*"}]})})
	attach := t.resource("aws_iam_role_policy_attachment.a", {"policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"})
	t.flagged(iam.deny, "CG-IAM-001", "aws_iam_policy.p") with input as t.plan([admin, pass, attach])
	t.flagged(iam.deny, "CG-IAM-002", "aws_iam_role_policy.q") with input as t.plan([admin, pass, attach])
	t.flagged(iam.deny, "CG-IAM-001", "aws_iam_role_policy_attachment.a") with input as t.plan([admin, pass, attach])
}

test_scoped_policy_passes if {
	ok := t.resource("aws_iam_policy.p", {"policy": json.marshal({"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::1:role/x"}]})})
	count(iam.deny) == 0 with input as t.plan([ok])
}
