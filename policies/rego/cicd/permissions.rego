# The workflow token and the OIDC token: least privilege, job by job.
package citygate.cicd

import rego.v1

read_only(p) if p == "read-all"

read_only(p) if {
	is_object(p)
	every _, level in p {
		level in {"read", "none"}
	}
}

# The level a permissions block grants one scope, when it lists scopes one by one.
scope_level(values, scope) := values.permissions[scope] if is_object(values.permissions)

# METADATA
# title: The workflow-level token is read-only and no job takes every permission
# description: >-
#   Without top-level `permissions:` every job inherits the repository's default token, often read/write on
#   everything; the workflow default must be empty or read-only and each job asks for what it needs. A
#   job-level `write-all` token can push code, releases and packages whatever the job does.
# custom:
#   id: CG_CICD_002
#   severity: high
#   controls: [CG-CICD-2]
#   fix: "Add `permissions: {}` (or read-only scopes) at the top of the workflow and grant each job only the scopes it needs, e.g. `permissions: {contents: read}`, never `write-all`."
deny contains f if {
	some w in workflows
	not read_only(object.get(w.values, "permissions", "unset"))
	f := finding("CG_CICD_002", w.address, "top-level permissions are missing or grant write access")
}

deny contains f if {
	some job in jobs
	job.values.permissions == "write-all"
	f := finding("CG_CICD_002", job.address, "the job's token has write-all permissions")
}

# METADATA
# title: The OIDC token is granted only where AWS is assumed
# description: >-
#   `id-token: write` lets a job mint a token that AWS trusts for a role; only the jobs that assume a role with
#   aws-actions/configure-aws-credentials may have it, never the whole workflow.
# custom:
#   id: CG_CICD_003
#   severity: medium
#   controls: [CG-CICD-3]
#   fix: "Grant `id-token: write` only to the jobs that run aws-actions/configure-aws-credentials, never at the workflow level."
deny contains f if {
	some w in workflows
	scope_level(w.values, "id-token") == "write"
	f := finding("CG_CICD_003", w.address, "id-token: write is granted to every job of the workflow")
}

deny contains f if {
	some job in jobs
	scope_level(job.values, "id-token") == "write"
	not assumes_aws(job)
	f := finding("CG_CICD_003", job.address, "id-token: write without assuming an AWS role")
}

# METADATA
# title: Checkout does not leave the token in the workspace
# description: >-
#   actions/checkout keeps the job's token in .git/config unless told not to, where every later step, including
#   third-party code, can read it.
# custom:
#   id: CG_CICD_013
#   severity: low
#   controls: [CG-CICD-2]
#   fix: "Add `with: {persist-credentials: false}` to actions/checkout."
deny contains f if {
	some job in jobs
	some step in steps(job)
	uses_action(step, "actions/checkout")
	object.get(step_with(step), "persist-credentials", true) != false
	f := finding("CG_CICD_013", job.address, "actions/checkout persists the job's token in .git/config")
}
