# Promotion order: nothing changes an environment before its gate, nothing reaches production before the
# load test and the production approval, and changes to one environment never interleave.
package citygate.cicd

import rego.v1

gated_for(job, env) if {
	some gate in upstream_jobs(job)
	runs_gate(gate)
	env in envs(gate)
}

gated(job) if {
	some gate in upstream_jobs(job)
	runs_gate(gate)
}

# METADATA
# title: The gate runs before anything changes an environment
# description: >-
#   A job that applies infrastructure or deploys workloads to an environment must wait (`needs`, directly or
#   transitively) for a job that runs the gate (`main.py check`) for that same environment; one that names
#   no environment must still wait for a gate job.
# custom:
#   id: CG_CICD_008
#   severity: critical
#   controls: [CG-CICD-6]
#   fix: "Add the environment's gate job (`python main.py check`) to the apply job's `needs`."
deny contains f if {
	some job in jobs
	changes_environment(job)
	some env in envs(job)
	not gated_for(job, env)
	f := finding("CG_CICD_008", job.address, sprintf("changes %s without a gate job for %s before it", [env, env]))
}

deny contains f if {
	some job in jobs
	changes_environment(job)
	count(envs(job)) == 0
	not gated(job)
	f := finding("CG_CICD_008", job.address, "changes an environment without a gate job before it")
}

# METADATA
# title: The load test passes before production is approved
# description: >-
#   Reviewers are asked to approve production only after the Locust SLO gate has passed against staging: a job in
#   the `production` environment must wait for a job that runs `main.py loadtest`.
# custom:
#   id: CG_CICD_009
#   severity: high
#   controls: [CG-CICD-7]
#   fix: "Add the load-test job to the production job's `needs` chain."
deny contains f if {
	some job in jobs
	production_job(job)
	not loadtested(job)
	f := finding("CG_CICD_009", job.address, "production approval is not preceded by the load test")
}

loadtested(job) if {
	some j in upstream_jobs(job)
	runs_loadtest(j)
}

# METADATA
# title: Production changes only from the approved production environment
# description: >-
#   The GitHub environment `production` carries the required reviewers and is what the production role's OIDC
#   trust names; a job that changes prod or assumes the production role outside it bypasses the approval.
# custom:
#   id: CG_CICD_010
#   severity: high
#   controls: [CG-CICD-8]
#   fix: "Set `environment: production` on the job."
deny contains f if {
	some job in jobs
	touches_production(job)
	not production_job(job)
	f := finding("CG_CICD_010", job.address, "changes production outside the `production` environment")
}

touches_production(job) if {
	changes_environment(job)
	"prod" in envs(job)
}

touches_production(job) if {
	some step in steps(job)
	regex.match(`AWS_ROLE_ARN_PROD\b`, object.get(step_with(step), "role-to-assume", ""))
}

# METADATA
# title: Every workflow run belongs to a concurrency group
# description: Without a group, two runs of the same ref race each other through the same stages.
# custom:
#   id: CG_CICD_006
#   severity: medium
#   controls: [CG-CICD-5]
#   fix: "Add `concurrency: {group: <workflow>-${{ github.ref }}}` at the top of the workflow."
deny contains f if {
	some w in workflows
	not has_concurrency_group(w.values)
	f := finding("CG_CICD_006", w.address, "the workflow has no concurrency group")
}

# METADATA
# title: Changes to an environment are serialized and never cancelled half-way
# description: >-
#   A job that applies or deploys needs its own concurrency group (one change per environment at a time) that
#   does not cancel a running job, or a Terraform apply can be killed mid-way and leave state locked.
# custom:
#   id: CG_CICD_007
#   severity: medium
#   controls: [CG-CICD-5]
#   fix: "Add `concurrency: {group: deploy-<env>, cancel-in-progress: false}` to the job."
deny contains f if {
	some job in jobs
	changes_environment(job)
	not serialized(job)
	f := finding("CG_CICD_007", job.address, "changes an environment without a non-cancelling concurrency group")
}

serialized(job) if is_string(job.values.concurrency)

serialized(job) if {
	is_string(job.values.concurrency.group)
	object.get(job.values.concurrency, "cancel-in-progress", false) == false
}
