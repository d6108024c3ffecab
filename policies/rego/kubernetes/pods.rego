# Pod hardening beyond the Pod Security Standards (those are pod_security.rego): an immutable root
# filesystem and declared resources for every container of every workload.
package citygate.kubernetes

import rego.v1

# METADATA
# title: Containers have a read-only root filesystem
# description: An immutable root filesystem stops an intruder from dropping tools or changing binaries.
# custom:
#   id: CG_K8S_003
#   severity: medium
#   controls: [CG-K8S-3]
#   fix: "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes."
deny contains f if {
	some r in workloads
	some c in containers(pod_spec(r))
	not security_context(c).readOnlyRootFilesystem == true
	f := finding("CG_K8S_003", r, sprintf("container %s has a writable root filesystem", [c.name]))
}

# METADATA
# title: Containers declare CPU and memory requests and limits
# description: Requests let the scheduler place pods honestly; limits stop one pod from starving the node.
# custom:
#   id: CG_K8S_008
#   severity: medium
#   controls: [CG-K8S-7]
#   fix: "Set resources.requests and resources.limits for cpu and memory on every container."
deny contains f if {
	some r in workloads
	some c in resourced_containers(pod_spec(r))
	missing := [sprintf("%s.%s", [kind, res]) |
		some kind in ["requests", "limits"]
		some res in ["cpu", "memory"]
		not has_key(as_object(object.get(as_object(object.get(c, "resources", {})), kind, {})), res)
	]
	count(missing) > 0
	f := finding("CG_K8S_008", r, sprintf("container %s lacks resources %s", [c.name, concat(", ", missing)]))
}
