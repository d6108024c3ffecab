# Supply chain of the pipeline itself: what code runs, and with which checkout.
package citygate.cicd

import rego.v1

pinned(u) if startswith(u, "./")

pinned(u) if regex.match(`^[^@\s]+@[0-9a-f]{40}$`, u)

pinned(u) if regex.match(`^docker://[^@\s]+@sha256:[0-9a-f]{64}$`, u)

# METADATA
# title: Actions are pinned to a full commit SHA
# description: >-
#   A tag or branch of a third-party action can be moved to new code at any time; only a full 40-hex
#   commit SHA (or a docker image digest) fixes what runs with the job's token and cloud role.
# custom:
#   id: CG_CICD_001
#   severity: high
#   controls: [CG-CICD-1]
#   fix: "Pin `uses:` to the release's full commit SHA with the tag as a comment: `owner/action@<40-hex sha> # vX.Y.Z`."
deny contains f if {
	some job in jobs
	some u in uses_of(job)
	not pinned(u)
	f := finding("CG_CICD_001", job.address, sprintf("%s is not pinned to a full commit SHA", [u]))
}

checks_out_untrusted_head(step) if {
	uses_action(step, "actions/checkout")
	ref := object.get(step_with(step), "ref", "")
	regex.match(`pull_request\.head\.|head_ref|refs/pull/`, ref)
}

# METADATA
# title: pull_request_target never checks out the pull request's code
# description: >-
#   pull_request_target runs with the base repository's secrets and a write token; checking out and running the
#   pull request's head there hands both to whoever opened the pull request.
# custom:
#   id: CG_CICD_011
#   severity: critical
#   controls: [CG-CICD-9]
#   fix: "Use the `pull_request` event for code from the pull request, or keep pull_request_target to the base ref."
deny contains f if {
	some job in jobs
	triggered_by(workflow_of(job), "pull_request_target")
	some step in steps(job)
	checks_out_untrusted_head(step)
	f := finding("CG_CICD_011", job.address, "pull_request_target checks out the pull request head")
}

pushes_image(step) if {
	uses_action(step, "docker/build-push-action")
	step_with(step).push in {true, "true"}
}

pushes_image(step) if regex.match(`\bdocker\s+(image\s+)?push\b`, object.get(step, "run", ""))

pushes_images(job) if {
	some step in steps(job)
	pushes_image(step)
}

# METADATA
# title: Pushed images are signed and carry an SBOM attestation
# description: >-
#   An image the pipeline pushes is signed by digest (cosign, keyless through the job's OIDC identity), so a
#   cluster or an auditor can tell an image this pipeline built from one pushed by anyone else, and has a
#   signed SBOM attached, so what it contains can be audited later.
# custom:
#   id: CG_CICD_014
#   severity: medium
#   controls: [CG-CICD-12]
#   fix: "After the push, in the same job, run `cosign sign --yes <registry>/<image>@<digest>`, generate an SBOM (trivy image --format cyclonedx) and run `cosign attest --type cyclonedx` on the digest."
deny contains f if {
	some job in jobs
	pushes_images(job)
	not regex.match(`\bcosign\s+sign\b`, script(job))
	f := finding("CG_CICD_014", job.address, "pushes an image without signing it")
}

deny contains f if {
	some job in jobs
	pushes_images(job)
	not regex.match(`\bcosign\s+attest\b`, script(job))
	f := finding("CG_CICD_014", job.address, "pushes an image without an SBOM attestation")
}
