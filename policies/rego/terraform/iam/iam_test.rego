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
		t.flagged(iam.deny, "CG_IAM_003", "aws_iam_role.api") with input as t.plan([t.resource("aws_iam_role.api", {"assume_role_policy": trust(conditions)})])
	}
}

test_trust_from_policy_document_with_unknown_issuer if {
	doc := t.resource("data.aws_iam_policy_document.trust", {"statement": [{
		"actions": ["sts:AssumeRoleWithWebIdentity"],
		"condition": [{"test": "StringEquals", "values": ["system:serviceaccount:inference:api"]}, {"test": "StringEquals", "values": ["sts.amazonaws.com"]}],
	}]})
	role := t.r("aws_iam_role.api", {}, {"assume_role_policy": ["data.aws_iam_policy_document.trust"]}, ["assume_role_policy"])
	count(iam.deny) == 0 with input as t.plan([doc, role])
}

# a JSON-syntax configuration's template: the issuer is known only after apply, the structure now
template(conditions) := json.marshal({"Statement": [{
	"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
	"Principal": {"Federated": "${aws_iam_openid_connect_provider.eks.arn}"}, "Condition": conditions,
}]})

issuer := "${local.eks_oidc_issuer_host}"

template_role(conditions) := t.r("aws_iam_role.api", {"assume_role_policy": template(conditions)}, {"assume_role_policy": ["aws_iam_openid_connect_provider.eks"]}, [])

test_trust_from_a_configuration_template_is_judged if {
	scoped := {"StringEquals": {sprintf("%s:sub", [issuer]): "system:serviceaccount:production:api", sprintf("%s:aud", [issuer]): "sts.amazonaws.com"}}
	count(iam.deny) == 0 with input as t.plan([template_role(scoped)])
	every conditions in [
		{"StringEquals": {sprintf("%s:aud", [issuer]): "sts.amazonaws.com"}},
		{"StringEquals": {sprintf("%s:sub", [issuer]): "system:serviceaccount:production:api", sprintf("%s:aud", [issuer]): "sts.amazonaws.com.evil"}},
		{"StringLike": {sprintf("%s:sub", [issuer]): "system:serviceaccount:production:*", sprintf("%s:aud", [issuer]): "sts.amazonaws.com"}},
	] {
		t.flagged(iam.deny, "CG_IAM_003", "aws_iam_role.api") with input as t.plan([template_role(conditions)])
		not t.unverified(iam.deny, "CG_IAM_003", "aws_iam_role.api") with input as t.plan([template_role(conditions)])
	}
	unknown_subject := {"StringEquals": {sprintf("%s:sub", [issuer]): "system:serviceaccount:${var.namespace}:api", sprintf("%s:aud", [issuer]): "sts.amazonaws.com"}}
	t.unverified(iam.deny, "CG_IAM_003", "aws_iam_role.api") with input as t.plan([template_role(unknown_subject)])
}

test_trust_of_any_principal_fails if {
	open := json.marshal({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": "*", "Condition": good}]})
	t.flagged(iam.deny, "CG_IAM_003", "aws_iam_role.api") with input as t.plan([t.resource("aws_iam_role.api", {"assume_role_policy": open})])
}

test_trust_policy_nothing_resolves_is_unverifiable if {
	role := t.r("aws_iam_role.api", {}, {}, ["assume_role_policy"])
	t.unverified(iam.deny, "CG_IAM_003", "aws_iam_role.api") with input as t.plan([role])
	t.unverified(iam.deny, "CG_IAM_003", "aws_iam_role.api") with input as t.plan([t.configured(role, ["name", "assume_role_policy"])])
}

test_admin_and_passrole_fail if {
	admin := t.resource("aws_iam_policy.p", {"policy": json.marshal({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})})
	pass := t.resource("aws_iam_role_policy.q", {"policy": json.marshal({"Statement": [{"Effect": "Allow", "Action": "iam:Pass*", "Resource": "*"}]})})
	attach := t.resource("aws_iam_role_policy_attachment.a", {"policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"})
	t.flagged(iam.deny, "CG_IAM_001", "aws_iam_policy.p") with input as t.plan([admin, pass, attach])
	t.flagged(iam.deny, "CG_IAM_002", "aws_iam_role_policy.q") with input as t.plan([admin, pass, attach])
	t.flagged(iam.deny, "CG_IAM_001", "aws_iam_role_policy_attachment.a") with input as t.plan([admin, pass, attach])
}

test_scoped_policy_passes if {
	ok := t.resource("aws_iam_policy.p", {"policy": json.marshal({"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::1:role/x"}]})})
	count(iam.deny) == 0 with input as t.plan([ok])
}
