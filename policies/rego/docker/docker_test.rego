package citygate.docker_test

import data.citygate.docker
import rego.v1

digest := "@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91"

i(cmd, value) := {"cmd": cmd, "value": value, "line": 1}

stage(index, name, base, final, instructions) := {"index": index, "name": name, "base": base, "final": final, "instructions": instructions}

files(stages) := {"kind": "dockerfiles", "dockerfiles": [{"path": "workloads/x/Dockerfile", "stages": stages}]}

good_final := [i("copy", "app/ /app/"), i("user", "10001:10001"), i("healthcheck", "CMD [\"true\"]")]

good := files([
	stage(0, "build", concat("", ["python:3.11-slim", digest]), false, [i("run", "pip install x")]),
	stage(1, "", concat("", ["python:3.11-slim", digest]), true, array.concat([i("copy", "--from=build /opt /opt")], good_final)),
])

ids(stages) := {f.id | some f in docker.deny} if true

test_a_pinned_non_root_health_checked_image_passes if {
	count(docker.deny) == 0 with input as good
}

test_other_inputs_are_ignored if {
	count(docker.deny) == 0 with input as {"kind": "kubernetes", "dockerfiles": good.dockerfiles}
}

test_a_base_without_digest_is_denied if {
	inp := files([stage(0, "", "python:3.11-slim", true, good_final)])
	{f.id | some f in docker.deny} == {"CG_DOCKER_001"} with input as inp
}

test_an_earlier_stage_and_scratch_need_no_digest if {
	inp := files([
		stage(0, "Build", concat("", ["golang:1.23", digest]), false, []),
		stage(1, "", "build", false, []),
		stage(2, "", "scratch", true, good_final),
	])
	count(docker.deny) == 0 with input as inp
}

test_latest_written_or_implied_is_denied if {
	implied := files([stage(0, "", concat("", ["registry.example:5000/team/python", digest]), true, good_final)])
	{f.id | some f in docker.deny} == {"CG_DOCKER_002"} with input as implied
	written := files([stage(0, "", concat("", ["python:latest", digest]), true, good_final)])
	{f.id | some f in docker.deny} == {"CG_DOCKER_002"} with input as written
}

test_a_missing_named_or_root_user_is_denied if {
	no_user := files([stage(0, "", concat("", ["python:3.11", digest]), true, [i("healthcheck", "NONE")])])
	{f.id | some f in docker.deny} == {"CG_DOCKER_003"} with input as no_user
	some user in ["app", "0", "0:0", "root"]
	named := files([stage(0, "", concat("", ["python:3.11", digest]), true, [i("user", user), i("healthcheck", "NONE")])])
	{f.id | some f in docker.deny} == {"CG_DOCKER_003"} with input as named
}

test_the_last_user_of_the_final_stage_counts if {
	back_to_root := files([stage(0, "", concat("", ["python:3.11", digest]), true, [i("user", "10001"), i("user", "root"), i("healthcheck", "NONE")])])
	{f.id | some f in docker.deny} == {"CG_DOCKER_003"} with input as back_to_root
}

test_add_from_a_url_without_checksum_is_denied if {
	remote := array.concat([i("add", "https://example.com/tool.tgz /opt/")], good_final)
	{f.id | some f in docker.deny} == {"CG_DOCKER_004"} with input as files([stage(0, "", concat("", ["python:3.11", digest]), true, remote)])
	checked := array.concat([i("add", "--checksum=sha256:abc https://example.com/tool.tgz /opt/")], good_final)
	count(docker.deny) == 0 with input as files([stage(0, "", concat("", ["python:3.11", digest]), true, checked)])
}

test_a_final_stage_without_healthcheck_is_denied if {
	inp := files([stage(0, "", concat("", ["python:3.11", digest]), true, [i("user", "10001")])])
	{f.id | some f in docker.deny} == {"CG_DOCKER_005"} with input as inp
}
