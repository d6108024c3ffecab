# Shared views of the normalized workflows input: jobs, steps, the actions they use, the shell they run,
# the environments they touch and the jobs they wait for. Rules in this package match only github_workflow and
# github_job resources. This file sorts first on purpose: regorus applies a `with input` override (as the unit
# tests use) only to rules defined in modules loaded before the rules that use them.
package citygate.cicd

import rego.v1

workflows contains r if {
	some r in input.resources
	r.type == "github_workflow"
}

jobs contains r if {
	some r in input.resources
	r.type == "github_job"
}

# The workflow file a job belongs to.
workflow_of(job) := w if {
	some w in workflows
	w.file == job.file
}

steps(job) := object.get(job.values, "steps", [])

step_with(step) := object.get(step, "with", {})

# Every action or reusable workflow a job refers to: job-level `uses` and step-level `uses`.
uses_of(job) := {u | some u in [job.values.uses]; is_string(u)} | {s.uses | some s in steps(job); is_string(s.uses)}

uses_action(step, action) if startswith(object.get(step, "uses", ""), sprintf("%s@", [action]))

# All the shell a job runs, one step after another.
script(job) := concat("\n", [s.run | some s in steps(job); is_string(s.run)])

# Environments a job names on the command line (`--env staging`).
envs(job) := {m[1] | some m in regex.find_all_string_submatch_n(`--env[ =]+([A-Za-z0-9_-]+)`, script(job), -1)}

# Jobs that change an environment: infrastructure applies/destroys and workload deploys.
changes_environment(job) if regex.match(`main\.py\s+(apply|deploy|destroy)\b|terraform\s+(apply|destroy)\b`, script(job))

runs_gate(job) if regex.match(`main\.py\s+check\b`, script(job))

runs_loadtest(job) if regex.match(`main\.py\s+loadtest\b`, script(job))

assumes_aws(job) if {
	some step in steps(job)
	uses_action(step, "aws-actions/configure-aws-credentials")
}

deployment_environment(job) := job.values.environment if is_string(job.values.environment)

deployment_environment(job) := job.values.environment.name if is_object(job.values.environment)

production_job(job) if deployment_environment(job) == "production"

# job address -> addresses of the jobs it `needs`, across every workflow (addresses are unique).
needs_graph[job.address] := object.get(job.references, "needs", []) if some job in jobs

# Every job that finishes before `job` starts: its `needs`, transitively.
upstream(job) := graph.reachable(needs_graph, object.get(job.references, "needs", []))

upstream_jobs(job) := {j | some j in jobs; j.address in upstream(job)}

triggered_by(w, event) if w.values.on == event

triggered_by(w, event) if {
	is_array(w.values.on)
	event in w.values.on
}

triggered_by(w, event) if {
	is_object(w.values.on)
	event in object.keys(w.values.on)
}

has_concurrency_group(values) if is_string(values.concurrency)

has_concurrency_group(values) if is_string(values.concurrency.group)

finding(id, resource, msg) := {"id": id, "resource": resource, "msg": msg}
