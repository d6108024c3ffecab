# IAM: no admin policies, no iam:PassRole on "*", IRSA trust policies scoped to one service account, GitHub
# Actions trust policies scoped to this repository's protected environments.
package citygate.iam

import data.citygate.lib
import rego.v1

policy_holders := lib.any_of({"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"})

attachments := lib.any_of({
	"aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment",
	"aws_iam_group_policy_attachment", "aws_iam_policy_attachment",
})

admin_policy_arn := "arn:aws:iam::aws:policy/AdministratorAccess"

_allows(s) if s.effect == "Allow"

_everything(values) if {
	some v in values
	v in {"*", "*:*"}
}

# METADATA
# title: No IAM policy grants full administrative access
# custom:
#   id: CG_IAM_001
#   severity: critical
#   controls: [CG-IAM-3]
#   fix: Replace Action "*" / Resource "*" with the actions and resource ARNs the workload needs.
deny contains f if {
	some p in policy_holders
	some s in lib.statements(p, "policy")
	_allows(s)
	_everything(s.actions)
	"*" in s.resources
	f := lib.finding("CG_IAM_001", p, "policy allows Action \"*\" on Resource \"*\" (full admin)")
}

deny contains f if {
	some a in attachments
	lib.get(a.values, "policy_arn", "") == admin_policy_arn
	f := lib.finding("CG_IAM_001", a, "attaches the AdministratorAccess managed policy")
}

deny contains f if {
	some r in lib.resources("aws_iam_role")
	admin_policy_arn in lib.get(r.values, "managed_policy_arns", [])
	f := lib.finding("CG_IAM_001", r, "role has the AdministratorAccess managed policy")
}

_passes_any_role(s) if {
	_allows(s)
	some a in s.actions
	glob.match(lower(a), [], "iam:passrole")
	"*" in s.resources
}

# METADATA
# title: No IAM policy allows iam:PassRole on every role
# custom:
#   id: CG_IAM_002
#   severity: high
#   controls: [CG-IAM-4]
#   fix: Grant iam:PassRole only on the ARNs of the roles the workload hands to a service.
deny contains f if {
	some p in policy_holders
	some s in lib.statements(p, "policy")
	_passes_any_role(s)
	f := lib.finding("CG_IAM_002", p, "policy allows iam:PassRole on Resource \"*\"")
}

# ------------------------------------------------------------------ IRSA trust policies

_web_identity(s) if {
	_allows(s)
	some a in s.actions
	lower(a) == "sts:assumerolewithwebidentity"
}

# the web-identity statements of each role's trust policy, parsed once (GitHub's are CG_IAM_004's, below)
_web_identity_statements[r.address] := statements if {
	some r in lib.resources("aws_iam_role")
	statements := [s | some s in lib.statements(r, "assume_role_policy"); _web_identity(s); not github_statement(s)]
	count(statements) > 0
}

irsa_roles contains r if {
	some address, _ in _web_identity_statements
	r := lib.by_address[address]
}

# the subject condition: by its variable (<issuer>:sub), or by its values when the issuer is known only after apply
_subject_condition(c) if endswith(c.variable, ":sub")

_subject_condition(c) if {
	not endswith(c.variable, ":aud")
	count(c.values) > 0
	every v in c.values {
		startswith(sprintf("%v", [v]), "system:serviceaccount:")
	}
}

_audience_ok(s) if {
	some c in s.conditions
	c.test == "StringEquals"
	not _subject_condition(c)
	c.values == ["sts.amazonaws.com"]
}

_subjects_of[address] := [sprintf("%v", [v]) |
	some s in statements
	some c in s.conditions
	_subject_condition(c)
	some v in c.values
] if {
	some address, statements in _web_identity_statements
}

_subjects(r) := _subjects_of[r.address]

_irsa_problem(r) := "it trusts any principal (\"*\")" if {
	some s in _web_identity_statements[r.address]
	some p in s.principals
	"*" in p.identifiers
} else := "it trusts no system:serviceaccount:NAMESPACE:NAME subject (any pod of the cluster may assume it)" if {
	count(_subjects(r)) == 0
} else := sprintf("it trusts %d subjects %v; exactly one is allowed", [count(_subjects(r)), _subjects(r)]) if {
	count(_subjects(r)) > 1
} else := sprintf("subject %q cannot be verified before apply (known only after apply)", [_subjects(r)[0]]) if {
	contains(_subjects(r)[0], "${")
} else := sprintf("subject %q is a wildcard or not of the form system:serviceaccount:NAMESPACE:NAME", [_subjects(r)[0]]) if {
	not regex.match(`^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-.a-z0-9]*[a-z0-9])?$`, _subjects(r)[0])
} else := "the subject is matched with a test other than StringEquals (StringLike allows wildcards)" if {
	some s in _web_identity_statements[r.address]
	some c in s.conditions
	_subject_condition(c)
	c.test != "StringEquals"
} else := "it does not require the audience sts.amazonaws.com (StringEquals <issuer>:aud)" if {
	some s in _web_identity_statements[r.address]
	not _audience_ok(s)
}

# METADATA
# title: Workload roles trust exactly one Kubernetes service account
# custom:
#   id: CG_IAM_003
#   severity: critical
#   controls: [CG-IAM-2]
#   fix: Trust condition StringEquals {"<issuer>:sub" = "system:serviceaccount:NS:NAME", "<issuer>:aud" = "sts.amazonaws.com"}.
deny contains f if {
	some r in irsa_roles
	problem := _irsa_problem(r)
	f := lib.finding("CG_IAM_003", r, sprintf("web-identity trust policy is too broad: %s", [problem]))
}

# a trust policy neither known, nor a JSON template in the configuration, nor policy documents referenced
deny contains f if {
	some r in lib.resources("aws_iam_role")
	count(lib.statements(r, "assume_role_policy")) == 0
	lib.unresolved(r, "assume_role_policy")
	f := lib.unverifiable("CG_IAM_003", r, "the trust policy")
}

# ------------------------------------------------------------------ GitHub Actions (OIDC) trust policies

github_issuer := "token.actions.githubusercontent.com"

# the repository the CI roles may trust: the catalogue's parameter of CG-IAM-8
repository := data.citygate.parameters["CG-IAM-8"].repository

# a subject names the repository and one GitHub environment, or its main branch; nothing matches by pattern
_protected_subject := sprintf(`^repo:%s:(environment:[A-Za-z0-9_.-]+|ref:refs/heads/main)$`, [regex.replace(repository, `([.])`, `\$1`)])

# (values known only after apply are null here: every built-in below is given strings only)
_github_provider(id) if {
	is_string(id)
	contains(id, sprintf("oidc-provider/%s", [github_issuer]))
}

_github_provider(id) if {
	is_string(id)
	some p in lib.resources("aws_iam_openid_connect_provider")
	url := lib.get(p.values, "url", "")
	is_string(url)
	contains(url, github_issuer)
	contains(id, sprintf("${%s.", [p.address]))
}

# a trust statement for GitHub's tokens: by its provider, or by its condition keys when the provider is a reference
github_statement(s) if {
	some p in s.principals
	some id in p.identifiers
	_github_provider(id)
}

github_statement(s) if {
	some c in s.conditions
	is_string(c.variable)
	startswith(lower(c.variable), github_issuer)
}

_github_statements[r.address] := statements if {
	some r in lib.resources("aws_iam_role")
	statements := [s | some s in lib.statements(r, "assume_role_policy"); _web_identity(s); github_statement(s)]
	count(statements) > 0
}

_claim(c, name) if {
	is_string(c.variable)
	lower(c.variable) == sprintf("%s:%s", [github_issuer, name])
}

_github_problem(s) := "it has no token.actions.githubusercontent.com:sub condition (any repository's workflow may assume it)" if {
	not _has_claim(s, "sub")
} else := sprintf("the subject is matched with %s (only StringEquals pins it)", [c.test]) if {
	some c in s.conditions
	_claim(c, "sub")
	c.test != "StringEquals"
} else := sprintf("subject %q cannot be verified before apply (known only after apply)", [v]) if {
	some v in _github_subjects(s)
	contains(v, "${")
} else := sprintf("subject %q is not repo:%s:environment:<name> or repo:%s:ref:refs/heads/main", [v, repository, repository]) if {
	some v in _github_subjects(s)
	not regex.match(_protected_subject, v)
} else := "it does not require the audience sts.amazonaws.com (StringEquals token.actions.githubusercontent.com:aud)" if {
	not _github_audience_ok(s)
}

_has_claim(s, name) if {
	some c in s.conditions
	_claim(c, name)
}

_github_subjects(s) := [sprintf("%v", [v]) | some c in s.conditions; _claim(c, "sub"); some v in c.values]

_github_audience_ok(s) if {
	some c in s.conditions
	_claim(c, "aud")
	c.test == "StringEquals"
	c.values == ["sts.amazonaws.com"]
}

# METADATA
# title: CI roles trust only this repository's protected environments
# custom:
#   id: CG_IAM_004
#   severity: critical
#   controls: [CG-IAM-8]
#   fix: Trust condition StringEquals {"token.actions.githubusercontent.com:sub" = "repo:<owner>/<name>:environment:<env>", "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"}.
deny contains f if {
	some address, statements in _github_statements
	some s in statements
	problem := _github_problem(s)
	f := lib.finding("CG_IAM_004", lib.by_address[address], sprintf("GitHub Actions trust policy is too broad: %s", [problem]))
}
