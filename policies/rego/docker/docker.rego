# Container images as built: pinned bases, a non-root numeric user, no remote ADD, a declared health check.
#
# Input (one object for any number of Dockerfiles; `tests/api/dockerfiles.py` parses them):
#   {"kind": "dockerfiles", "dockerfiles": [{"path", "stages": [{"index", "name", "base", "final",
#    "instructions": [{"cmd" (lower case), "value" (text after the instruction, ARGs expanded), "line"}]}]}]}
package citygate.docker

import rego.v1

finding(id, dockerfile, stage, msg) := {
	"id": id,
	"resource": sprintf("Dockerfile/%s", [dockerfile.path]),
	"msg": sprintf("stage %v (%s): %s", [stage.index, stage.base, msg]),
}

stages contains [dockerfile, stage] if {
	input.kind == "dockerfiles"
	some dockerfile in input.dockerfiles
	some stage in dockerfile.stages
}

# `FROM build`: a stage built earlier in the same file, not an image pulled from a registry.
earlier_stage(dockerfile, stage) if {
	some other in dockerfile.stages
	other.index < stage.index
	lower(other.name) == lower(stage.base)
}

pulled(dockerfile, stage) if {
	not earlier_stage(dockerfile, stage)
	stage.base != "scratch"
}

# METADATA
# title: Base images are pinned by digest
# description: >-
#   A tag can be moved to other content at any time; only `@sha256:<digest>` fixes what the image is
#   built from, so the scanned and the shipped base are the same.
# custom:
#   id: CG_DOCKER_001
#   severity: high
#   controls: [CG-K8S-8]
#   fix: "FROM <image>:<tag>@sha256:<digest> (docker buildx imagetools inspect <image>:<tag> prints it)."
deny contains f if {
	some [dockerfile, stage] in stages
	pulled(dockerfile, stage)
	not regex.match(`@sha256:[0-9a-f]{64}$`, stage.base)
	f := finding("CG_DOCKER_001", dockerfile, stage, "the base image is not pinned by digest")
}

# METADATA
# title: Base images do not use the latest tag
# description: >-
#   `latest` (written or implied) says nothing about what was reviewed; even beside a digest it misleads
#   whoever refreshes the pin.
# custom:
#   id: CG_DOCKER_002
#   severity: medium
#   controls: [CG-K8S-8]
#   fix: "Name the release tag (python:3.11-slim-bookworm) beside the digest."
deny contains f if {
	some [dockerfile, stage] in stages
	pulled(dockerfile, stage)
	image := split(stage.base, "@")[0]
	not regex.match(`:[A-Za-z0-9_.-]+$`, regex.replace(image, `^[^/]+\.[^/]+(:[0-9]+)?/`, ""))
	f := finding("CG_DOCKER_002", dockerfile, stage, "the base image has no tag (latest is implied)")
}

deny contains f if {
	some [dockerfile, stage] in stages
	pulled(dockerfile, stage)
	endswith(split(stage.base, "@")[0], ":latest")
	f := finding("CG_DOCKER_002", dockerfile, stage, "the base image uses the latest tag")
}

final_user(stage) := users[count(users) - 1] if {
	users := [i.value | some i in stage.instructions; i.cmd == "user"]
	count(users) > 0
}

numeric_non_root(user) if {
	regex.match(`^[0-9]+(:[0-9]+)?$`, user)
	to_number(split(user, ":")[0]) != 0
}

# METADATA
# title: The image runs as a non-root numeric user
# description: >-
#   Kubernetes can verify `runAsNonRoot` only for a numeric user; a name (or no USER at all) leaves the
#   image's process as root unless every pod overrides it.
# custom:
#   id: CG_DOCKER_003
#   severity: high
#   controls: [CG-K8S-2]
#   fix: "Create a user with a fixed uid and end the final stage with USER 10001:10001."
deny contains f if {
	some [dockerfile, stage] in stages
	stage.final
	not final_user(stage)
	f := finding("CG_DOCKER_003", dockerfile, stage, "the final stage sets no USER (the image runs as root)")
}

deny contains f if {
	some [dockerfile, stage] in stages
	stage.final
	user := final_user(stage)
	not numeric_non_root(user)
	f := finding("CG_DOCKER_003", dockerfile, stage, sprintf("USER %s is not a numeric non-root uid", [user]))
}

# METADATA
# title: Nothing is added from a URL
# description: >-
#   ADD <url> fetches content at build time without a checksum a reviewer can see; COPY from the build
#   context (or a download verified against a pinned hash) keeps the build reproducible.
# custom:
#   id: CG_DOCKER_004
#   severity: high
#   controls: [CG-K8S-8]
#   fix: "COPY the file from the build context, or ADD --checksum=sha256:<hash> <url> <dest>."
deny contains f if {
	some [dockerfile, stage] in stages
	some instruction in stage.instructions
	instruction.cmd == "add"
	regex.match(`(^|\s)(https?|git)://|(^|\s)git@`, instruction.value)
	not contains(instruction.value, "--checksum=sha256:")
	f := finding("CG_DOCKER_004", dockerfile, stage, sprintf("line %v adds content from a URL without a checksum", [instruction.line]))
}

# METADATA
# title: The image declares its health check
# description: >-
#   A HEALTHCHECK (or an explicit HEALTHCHECK NONE for a batch image with nothing to probe) records how the
#   image is known to be alive; an image that says nothing leaves it to guesswork.
# custom:
#   id: CG_DOCKER_005
#   severity: low
#   controls: [CG-K8S-14]
#   fix: "Add HEALTHCHECK CMD <probe of /healthz>, or HEALTHCHECK NONE with a comment saying why."
deny contains f if {
	some [dockerfile, stage] in stages
	stage.final
	not any_healthcheck(stage)
	f := finding("CG_DOCKER_005", dockerfile, stage, "the final stage declares no HEALTHCHECK")
}

any_healthcheck(stage) if {
	some instruction in stage.instructions
	instruction.cmd == "healthcheck"
}
