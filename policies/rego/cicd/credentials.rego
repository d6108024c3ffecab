# Cloud credentials and secrets: short-lived by OIDC only, never printed.
package citygate.cicd

import rego.v1

long_lived_key_names := {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "aws-access-key-id", "aws-secret-access-key"}

# Where an AWS access key appears in a workflow or job: an env/with key, or a secret referenced by name.
long_lived_key_use(values) := {concat(".", [sprintf("%v", [p]) | some p in path]) |
	walk(values, [path, value])
	count(path) > 0
	long_lived_key_at(path, value)
}

long_lived_key_at(path, _) if path[count(path) - 1] in long_lived_key_names

long_lived_key_at(_, value) if {
	is_string(value)
	regex.match(`secrets\.AWS_(SECRET_)?ACCESS_KEY`, value)
}

# What a resource itself declares: a workflow without its jobs (each job is judged as its own resource).
own_values(r) := object.remove(r.values, ["jobs"]) if r.type == "github_workflow"

own_values(r) := r.values if r.type == "github_job"

# METADATA
# title: No long-lived AWS keys in the pipeline
# description: >-
#   Stored access keys never expire and work from anywhere; the pipeline assumes a role per environment by OIDC,
#   so no AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY may appear as env, action input or secret.
# custom:
#   id: CG_CICD_004
#   severity: critical
#   controls: [CG-CICD-4]
#   fix: "Delete the key secrets and use aws-actions/configure-aws-credentials with `role-to-assume` and `id-token: write`."
deny contains f if {
	some r in input.resources
	some where in long_lived_key_use(own_values(r))
	f := finding("CG_CICD_004", r.address, sprintf("long-lived AWS key at %s", [where]))
}

# METADATA
# title: AWS is assumed by role, never by stored keys
# description: aws-actions/configure-aws-credentials without `role-to-assume` falls back to stored keys.
# custom:
#   id: CG_CICD_005
#   severity: high
#   controls: [CG-CICD-4]
#   fix: "Set `role-to-assume: ${{ vars.AWS_ROLE_ARN_<ENV> }}` and grant the job `id-token: write`."
deny contains f if {
	some job in jobs
	some step in steps(job)
	uses_action(step, "aws-actions/configure-aws-credentials")
	not step_with(step)["role-to-assume"]
	f := finding("CG_CICD_005", job.address, "configure-aws-credentials without role-to-assume")
}

prints_secret(step) if regex.match(`(?m)\b(echo|printf)\b[^\n]*\$\{\{\s*secrets\.`, step.run)

prints_secret(step) if {
	some name, value in object.get(step, "env", {})
	contains(sprintf("%v", [value]), "secrets.")
	regex.match(sprintf(`(?m)\b(echo|printf)\b[^\n]*\$\{?%s\b`, [name]), step.run)
}

# METADATA
# title: Secrets are never echoed
# description: >-
#   Log masking is best effort (it misses encoded or split values); a secret printed by a step can end up in logs
#   and artifacts readable by everyone with read access.
# custom:
#   id: CG_CICD_012
#   severity: high
#   controls: [CG-CICD-10]
#   fix: "Pass the secret to the tool through env or stdin and never print it."
deny contains f if {
	some job in jobs
	some step in steps(job)
	is_string(step.run)
	prints_secret(step)
	f := finding("CG_CICD_012", job.address, sprintf("step %q prints a secret", [object.get(step, "name", step.run)]))
}
