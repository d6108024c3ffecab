# CG_IAM_004 (iam.rego): GitHub Actions trust policies.
package citygate.iam_github_test

import data.citygate.iam
import data.citygate.testing as t
import rego.v1

gh := "token.actions.githubusercontent.com"

# the provider of the plan, referenced before apply: the statement is GitHub's by its provider's url
gh_provider := t.resource("aws_iam_openid_connect_provider.github", {"url": "https://token.actions.githubusercontent.com"})

gh_role(conditions) := t.r(
	"aws_iam_role.ci",
	{"assume_role_policy": json.marshal({"Statement": [{
		"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
		"Principal": {"Federated": "${aws_iam_openid_connect_provider.github.arn}"}, "Condition": conditions,
	}]})},
	{"assume_role_policy": ["aws_iam_openid_connect_provider.github"]},
	[],
)

# the repository is the catalogue's parameter of CG-IAM-8
plan(conditions) := t.plan([gh_provider, gh_role(conditions)])

test_a_github_environment_of_this_repository_passes_and_is_not_an_irsa_role if {
	every sub in ["repo:citygate-city/citygate:environment:production", "repo:citygate-city/citygate:ref:refs/heads/main"] {
		count(iam.deny) == 0 with input as plan({"StringEquals": {sprintf("%s:sub", [gh]): sub, sprintf("%s:aud", [gh]): "sts.amazonaws.com"}})
	}
}

test_broad_github_trusts_fail if {
	every conditions in [
		{"StringEquals": {sprintf("%s:aud", [gh]): "sts.amazonaws.com"}},
		{"StringLike": {sprintf("%s:sub", [gh]): "repo:city/*", sprintf("%s:aud", [gh]): "sts.amazonaws.com"}},
		{"StringEquals": {sprintf("%s:sub", [gh]): "repo:citygate-city/citygate-fork:environment:production", sprintf("%s:aud", [gh]): "sts.amazonaws.com"}},
		{"StringEquals": {sprintf("%s:sub", [gh]): "repo:citygate-city/citygate:ref:refs/heads/feature", sprintf("%s:aud", [gh]): "sts.amazonaws.com"}},
		{"StringEquals": {sprintf("%s:sub", [gh]): "repo:citygate-city/citygate:pull_request", sprintf("%s:aud", [gh]): "sts.amazonaws.com"}},
		{"StringEquals": {sprintf("%s:sub", [gh]): "repo:citygate-city/citygate:environment:production"}},
		{"StringEquals": {sprintf("%s:sub", [gh]): "repo:citygate-city/citygate:environment:production", sprintf("%s:aud", [gh]): "sts.amazonaws.com.evil"}},
	] {
		t.flagged(iam.deny, "CG_IAM_004", "aws_iam_role.ci") with input as plan(conditions)
		not t.flagged(iam.deny, "CG_IAM_003", "aws_iam_role.ci") with input as plan(conditions)
	}
}

test_a_subject_known_only_after_apply_cannot_be_verified if {
	unknown := {"StringEquals": {sprintf("%s:sub", [gh]): "repo:citygate-city/citygate:environment:${var.env}", sprintf("%s:aud", [gh]): "sts.amazonaws.com"}}
	t.unverified(iam.deny, "CG_IAM_004", "aws_iam_role.ci") with input as plan(unknown)
}

test_values_known_only_after_apply_do_not_break_the_rule if {
	unknown_url := t.r("aws_iam_openid_connect_provider.github", {"url": null}, {}, ["url"])
	unknown_principal := t.resource("aws_iam_role.ci", {"assume_role_policy": json.marshal({"Statement": [{
		"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": null},
		"Condition": {"StringEquals": {sprintf("%s:sub", [gh]): "repo:citygate-city/citygate:environment:dev", sprintf("%s:aud", [gh]): "sts.amazonaws.com"}},
	}]})})
	count(iam.deny) == 0 with input as t.plan([unknown_url, unknown_principal])
}
