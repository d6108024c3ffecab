# Unit tests for package citygate.cicd: for each rule a compliant and a noncompliant input.
package citygate.cicd_test

import data.citygate.cicd
import rego.v1

sha := "8e8c483db84b4bee98b60c0593521ed34d9990e8"

checkout := {"uses": sprintf("actions/checkout@%s", [sha]), "with": {"persist-credentials": false}}

aws_role(role) := {"uses": sprintf("aws-actions/configure-aws-credentials@%s", [sha]), "with": {"role-to-assume": role}}

workflow(values) := bare_workflow(object.union({"on": "push", "permissions": {}, "concurrency": {"group": "g"}}, values))

bare_workflow(values) := {
	"address": "Workflow/w.yml", "type": "github_workflow", "name": "w.yml", "file": "w.yml",
	"values": values, "references": {},
}

job(id, values, needs) := {
	"address": sprintf("Workflow/w.yml/jobs/%s", [id]), "type": "github_job", "name": id, "file": "w.yml",
	"values": object.union({"runs-on": "ubuntu-24.04", "steps": [checkout]}, values),
	"references": {"needs": [sprintf("Workflow/w.yml/jobs/%s", [n]) | some n in needs]},
}

run(script) := {"steps": [checkout, {"run": script}]}

serial := {"group": "deploy", "cancel-in-progress": false}

denied(resources) := {f.id | some f in cicd.deny with input as {"resources": resources}}

# A compliant release: gate, apply, load test, then production (approval, apply) after its own gate.
release := [
	workflow({}),
	job("gate", {"steps": [checkout, {"run": "python main.py check --env staging"}]}, []),
	job("apply", {"concurrency": serial, "steps": [checkout, {"run": "python main.py apply --env staging"}]}, ["gate"]),
	job("load", run("python main.py loadtest --host h --profile staging"), ["apply"]),
	job("prod-gate", run("python main.py check --env prod"), ["load"]),
	job("prod", {
		"environment": {"name": "production"}, "concurrency": serial,
		"permissions": {"contents": "read", "id-token": "write"},
		"steps": [checkout, aws_role("${{ vars.AWS_ROLE_ARN_PROD }}"), {"run": "python main.py apply --env prod"}],
	}, ["prod-gate"]),
]

test_compliant_release_has_no_findings if {
	count(denied(release)) == 0
}

# CG_CICD_001 pinning
test_tag_pinned_action_denied if "CG_CICD_001" in denied([workflow({}), job("a", {"steps": [{"uses": "actions/checkout@v4"}]}, [])])

test_short_sha_denied if "CG_CICD_001" in denied([workflow({}), job("a", {"steps": [{"uses": "actions/checkout@11bd719"}]}, [])])

test_unpinned_reusable_workflow_denied if {
	"CG_CICD_001" in denied([workflow({}), job("a", {"uses": "org/repo/.github/workflows/x.yml@main", "steps": []}, [])])
}

test_docker_tag_denied if "CG_CICD_001" in denied([workflow({}), job("a", {"steps": [{"uses": "docker://alpine:3"}]}, [])])

test_sha_local_and_digest_allowed if {
	digest := concat("", ["docker://alpine@sha256:", concat("", array.concat([sha], [substring(sha, 0, 24)]))])
	steps := [checkout, {"uses": "./.github/actions/setup"}, {"uses": digest}]
	not "CG_CICD_001" in denied([workflow({}), job("a", {"steps": steps}, [])])
}

# CG_CICD_002 token permissions
test_missing_top_level_permissions_denied if {
	"CG_CICD_002" in denied([bare_workflow({"on": "push", "concurrency": "g"})])
}

test_top_level_write_denied if "CG_CICD_002" in denied([workflow({"permissions": {"contents": "write"}})])

test_top_level_read_all_allowed if not "CG_CICD_002" in denied([workflow({"permissions": "read-all"})])

test_job_write_all_denied if "CG_CICD_002" in denied([workflow({}), job("a", {"permissions": "write-all"}, [])])

# CG_CICD_003 OIDC token scope
test_workflow_id_token_denied if "CG_CICD_003" in denied([workflow({"permissions": {"id-token": "write"}})])

test_job_id_token_without_aws_denied if {
	"CG_CICD_003" in denied([workflow({}), job("a", {"permissions": {"id-token": "write"}}, [])])
}

test_job_id_token_with_aws_allowed if {
	values := {"permissions": {"id-token": "write"}, "steps": [aws_role("${{ vars.AWS_ROLE_ARN_DEV }}")]}
	not "CG_CICD_003" in denied([workflow({}), job("a", values, [])])
}

# CG_CICD_004 / 005 long-lived AWS keys
test_key_in_workflow_env_denied if {
	"CG_CICD_004" in denied([workflow({"env": {"AWS_ACCESS_KEY_ID": "${{ secrets.KEY }}"}})])
}

test_key_input_denied if {
	step := {"uses": sprintf("aws-actions/configure-aws-credentials@%s", [sha]), "with": {"aws-secret-access-key": "x"}}
	found := denied([workflow({}), job("a", {"steps": [step]}, [])])
	"CG_CICD_004" in found
	"CG_CICD_005" in found
}

test_key_secret_in_script_denied if {
	"CG_CICD_004" in denied([workflow({}), job("a", run("aws --profile ${{ secrets.AWS_SECRET_ACCESS_KEY }} s3 ls"), [])])
}

test_role_by_oidc_allowed if {
	found := denied([workflow({}), job("a", {"steps": [aws_role("${{ vars.AWS_ROLE_ARN_DEV }}")]}, [])])
	not "CG_CICD_004" in found
	not "CG_CICD_005" in found
}

# CG_CICD_006 / 007 concurrency
test_workflow_without_concurrency_denied if {
	"CG_CICD_006" in denied([bare_workflow({"on": "push", "permissions": {}})])
}

test_deploy_without_job_concurrency_denied if {
	"CG_CICD_007" in denied([workflow({}), job("g", run("python main.py check --env dev"), []), job("d", run("python main.py deploy --env dev"), ["g"])])
}

test_deploy_with_cancelling_concurrency_denied if {
	values := object.union(run("python main.py deploy --env dev"), {"concurrency": {"group": "d", "cancel-in-progress": true}})
	"CG_CICD_007" in denied([workflow({}), job("g", run("python main.py check --env dev"), []), job("d", values, ["g"])])
}

# CG_CICD_008 gate before apply
test_apply_without_gate_denied if {
	"CG_CICD_008" in denied([workflow({}), job("apply", {"concurrency": serial, "steps": [{"run": "python main.py apply --env dev"}]}, [])])
}

test_apply_gated_for_another_env_denied if {
	resources := [
		workflow({}),
		job("gate", run("python main.py check --env dev"), []),
		job("apply", object.union(run("python main.py apply --env prod"), {"concurrency": serial}), ["gate"]),
	]
	"CG_CICD_008" in denied(resources)
}

test_gate_after_apply_denied if {
	resources := [
		workflow({}),
		job("apply", object.union(run("terraform apply plan.tfplan"), {"concurrency": serial}), []),
		job("gate", run("python main.py check --env dev"), ["apply"]),
	]
	"CG_CICD_008" in denied(resources)
}

test_transitive_gate_allowed if not "CG_CICD_008" in denied(release)

# CG_CICD_009 load test before the production approval
test_production_without_load_test_denied if {
	resources := [r | some r in release; r.name != "load"]
	"CG_CICD_009" in denied(resources)
}

# CG_CICD_010 production only from the production environment
test_prod_apply_outside_production_denied if {
	resources := [
		workflow({}),
		job("load", run("python main.py loadtest --host h"), []),
		job("gate", run("python main.py check --env prod"), ["load"]),
		job("prod", object.union(run("python main.py apply --env prod"), {"concurrency": serial}), ["gate"]),
	]
	"CG_CICD_010" in denied(resources)
}

test_prod_role_outside_production_denied if {
	values := {"permissions": {"id-token": "write"}, "steps": [aws_role("${{ vars.AWS_ROLE_ARN_PROD }}")]}
	"CG_CICD_010" in denied([workflow({}), job("a", values, [])])
}

test_prod_plan_role_allowed_outside_production if {
	values := {"permissions": {"id-token": "write"}, "steps": [aws_role("${{ vars.AWS_ROLE_ARN_PROD_PLAN }}")]}
	not "CG_CICD_010" in denied([workflow({}), job("a", values, [])])
}

# CG_CICD_011 pull_request_target
head_checkout := {"steps": [{"uses": sprintf("actions/checkout@%s", [sha]), "with": {"ref": "${{ github.event.pull_request.head.sha }}", "persist-credentials": false}}]}

test_pull_request_target_head_checkout_denied if {
	"CG_CICD_011" in denied([workflow({"on": {"pull_request_target": null}}), job("a", head_checkout, [])])
}

test_pull_request_head_checkout_allowed if {
	not "CG_CICD_011" in denied([workflow({"on": ["pull_request"]}), job("a", head_checkout, [])])
}

# CG_CICD_012 secrets echoed
test_echoed_secret_denied if "CG_CICD_012" in denied([workflow({}), job("a", run("echo ${{ secrets.TOKEN }}"), [])])

test_echoed_secret_env_denied if {
	step := {"env": {"TOKEN": "${{ secrets.TOKEN }}"}, "run": "printf '%s' \"$TOKEN\" > out"}
	"CG_CICD_012" in denied([workflow({}), job("a", {"steps": [step]}, [])])
}

test_secret_passed_not_printed_allowed if {
	step := {"env": {"TOKEN": "${{ secrets.TOKEN }}"}, "run": "echo building; tool --token-from-env TOKEN"}
	not "CG_CICD_012" in denied([workflow({}), job("a", {"steps": [step]}, [])])
}

# CG_CICD_013 checkout credentials
test_checkout_persisting_token_denied if {
	"CG_CICD_013" in denied([workflow({}), job("a", {"steps": [{"uses": sprintf("actions/checkout@%s", [sha])}]}, [])])
}

test_checkout_without_persisted_token_allowed if {
	not "CG_CICD_013" in denied([workflow({}), job("a", {"steps": [checkout]}, [])])
}

# CG_CICD_014 pushed images are signed and attested
push_step := {"uses": sprintf("docker/build-push-action@%s", [sha]), "with": {"push": true}}

test_unsigned_push_denied if "CG_CICD_014" in denied([workflow({}), job("i", {"steps": [push_step]}, [])])

test_docker_push_without_attestation_denied if {
	found := {f.msg | some f in cicd.deny with input as {"resources": [workflow({}), job("i", run("docker push r/i:1\ncosign sign --yes r/i@d"), [])]}}
	found == {"pushes an image without an SBOM attestation"}
}

test_signed_and_attested_push_allowed if {
	steps := [push_step, {"run": "cosign sign --yes r/i@d\ncosign attest --yes --type cyclonedx --predicate s.json r/i@d"}]
	not "CG_CICD_014" in denied([workflow({}), job("i", {"steps": steps}, [])])
}

test_build_without_push_allowed if {
	step := {"uses": sprintf("docker/build-push-action@%s", [sha]), "with": {"push": false, "load": true}}
	not "CG_CICD_014" in denied([workflow({}), job("i", {"steps": [step]}, [])])
}
