# Pod security: every container of every workload runs as the restricted Pod Security Standard requires.
package citygate.kubernetes

import rego.v1

# METADATA
# title: Containers run as a non-root user
# description: >-
#   runAsNonRoot must be true (on the container or the pod) and no container may ask for UID 0, so a
#   container escape does not start as root on the node.
# custom:
#   id: CG-K8S-002
#   severity: high
#   controls: [CG-K8S-2]
#   fix: "Set securityContext.runAsNonRoot: true and a non-zero runAsUser on the pod."
deny contains f if {
	some r in workloads
	spec := pod_spec(r)
	some c in containers(spec)
	not effective(spec, c, "runAsNonRoot") == true
	f := finding("CG-K8S-002", r, sprintf("container %s may run as root (runAsNonRoot is not true)", [c.name]))
}

deny contains f if {
	some r in workloads
	spec := pod_spec(r)
	some c in containers(spec)
	effective(spec, c, "runAsUser") == 0
	f := finding("CG-K8S-002", r, sprintf("container %s runs as UID 0", [c.name]))
}

# METADATA
# title: Containers have a read-only root filesystem
# description: An immutable root filesystem stops an intruder from dropping tools or changing binaries.
# custom:
#   id: CG-K8S-003
#   severity: medium
#   controls: [CG-K8S-3]
#   fix: "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes."
deny contains f if {
	some r in workloads
	some c in containers(pod_spec(r))
	not security_context(c).readOnlyRootFilesystem == true
	f := finding("CG-K8S-003", r, sprintf("container %s has a writable root filesystem", [c.name]))
}

# METADATA
# title: Containers cannot escalate privileges
# description: >-
#   allowPrivilegeEscalation must be false and no container is privileged, so setuid binaries and
#   the node's devices stay out of reach.
# custom:
#   id: CG-K8S-004
#   severity: high
#   controls: [CG-K8S-4]
#   fix: "Set securityContext.allowPrivilegeEscalation: false and remove privileged: true."
deny contains f if {
	some r in workloads
	some c in containers(pod_spec(r))
	not security_context(c).allowPrivilegeEscalation == false
	f := finding("CG-K8S-004", r, sprintf("container %s allows privilege escalation", [c.name]))
}

deny contains f if {
	some r in workloads
	some c in containers(pod_spec(r))
	security_context(c).privileged == true
	f := finding("CG-K8S-004", r, sprintf("container %s is privileged", [c.name]))
}

# METADATA
# title: Pods do not share the node's namespaces
# description: hostNetwork, hostPID and hostIPC expose the node's network stack, processes and IPC to the pod.
# custom:
#   id: CG-K8S-005
#   severity: high
#   controls: [CG-K8S-4]
#   fix: "Remove hostNetwork, hostPID and hostIPC from the pod spec."
deny contains f if {
	some r in workloads
	some key in ["hostNetwork", "hostPID", "hostIPC"]
	pod_spec(r)[key] == true
	f := finding("CG-K8S-005", r, sprintf("the pod sets %s: true", [key]))
}

# METADATA
# title: Containers drop every Linux capability
# description: >-
#   capabilities.drop must contain ALL; only NET_BIND_SERVICE may be added back, as the restricted
#   Pod Security Standard allows.
# custom:
#   id: CG-K8S-006
#   severity: medium
#   controls: [CG-K8S-5]
#   fix: "Set securityContext.capabilities.drop: [ALL] and add nothing back."
deny contains f if {
	some r in workloads
	some c in containers(pod_spec(r))
	not "ALL" in as_array(object.get(as_object(security_context(c).capabilities), "drop", []))
	f := finding("CG-K8S-006", r, sprintf("container %s does not drop ALL capabilities", [c.name]))
}

deny contains f if {
	some r in workloads
	some c in containers(pod_spec(r))
	some added in as_array(object.get(as_object(security_context(c).capabilities), "add", []))
	added != "NET_BIND_SERVICE"
	f := finding("CG-K8S-006", r, sprintf("container %s adds capability %s", [c.name, added]))
}

# METADATA
# title: Containers run under the RuntimeDefault seccomp profile
# description: The runtime's default seccomp profile blocks the system calls containers never need.
# custom:
#   id: CG-K8S-007
#   severity: medium
#   controls: [CG-K8S-6]
#   fix: "Set securityContext.seccompProfile.type: RuntimeDefault on the pod."
deny contains f if {
	some r in workloads
	spec := pod_spec(r)
	some c in containers(spec)
	not as_object(effective(spec, c, "seccompProfile")).type in {"RuntimeDefault", "Localhost"}
	f := finding("CG-K8S-007", r, sprintf("container %s has no RuntimeDefault seccomp profile", [c.name]))
}

# METADATA
# title: Containers declare CPU and memory requests and limits
# description: Requests let the scheduler place pods honestly; limits stop one pod from starving the node.
# custom:
#   id: CG-K8S-008
#   severity: medium
#   controls: [CG-K8S-7]
#   fix: "Set resources.requests and resources.limits for cpu and memory on every container."
deny contains f if {
	some r in workloads
	some c in containers(pod_spec(r))
	missing := [sprintf("%s.%s", [kind, res]) |
		some kind in ["requests", "limits"]
		some res in ["cpu", "memory"]
		not has_key(as_object(object.get(as_object(object.get(c, "resources", {})), kind, {})), res)
	]
	count(missing) > 0
	f := finding("CG-K8S-008", r, sprintf("container %s lacks resources %s", [c.name, concat(", ", missing)]))
}
