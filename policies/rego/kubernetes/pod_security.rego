# Pod Security Standards, `restricted` level, as Kubernetes 1.32 enforces it (every `baseline` check
# included), on the pod template of every workload kind: Pod, Deployment, StatefulSet, DaemonSet,
# ReplicaSet, ReplicationController, Job and CronJob.
#
# Source: the upstream checks, k8s.io/pod-security-admission/policy/check_*.go in kubernetes/kubernetes
# (staging/src) with their _test.go tables, and kubernetes.io/docs/concepts/security/pod-security-standards;
# where a check has versions, the one policy version 1.32 resolves to. Semantics, as upstream at 1.32:
# - every check visits init, regular and ephemeral containers (visitor.go); a field set to null is
#   not set (the API server drops it); anything else than an allowed value is a violation;
# - where a restricted check replaces a baseline one (OverrideCheckIDs), only the restricted one
#   runs: capabilities_restricted replaces capabilities_baseline (drop ALL and add only
#   NET_BIND_SERVICE, stricter than baseline's add-list), seccompProfile_restricted replaces
#   seccompProfile_baseline, restrictedVolumes replaces hostPathVolumes;
# - a pod with spec.os.name "windows" is exempt from allowPrivilegeEscalation,
#   capabilities_restricted and seccompProfile_restricted (their 1.25 versions: Pod API validation
#   rejects those fields on a Windows pod); every other check applies to it, runAsNonRoot included;
# - a container may leave runAsNonRoot and seccompProfile unset when the pod sets an allowed value;
#   a pod-level value that is not allowed fails even where every container overrides it;
# - allowed sets: sysctls of sysctlsAllowedV1Dot32, SELinux types of selinuxAllowedTypes1_31
#   (container_engine_t since 1.31), the eight volume types of restrictedVolumes (the `image` volume
#   only from 1.33); AppArmor both as the appArmorProfile fields and the beta annotations;
# - not in 1.32: the probe/lifecycle `host` check (1.34) and the hostUsers: false relaxations, which
#   1.32 keeps behind the alpha UserNamespacesPodSecurityStandards gate (off by default).
# Conformance cases written from those checks: tests/fixtures/k8s/pod-security/cases.yaml.
package citygate.kubernetes

import rego.v1

# Who sets a securityContext field: the pod, then each container (both levels carry the same field).
setters(spec) := array.concat(
	[["the pod", security_context(spec)]],
	[[sprintf("container %s", [container_name(c)]), security_context(c)] | some c in containers(spec)],
)

windows(spec) if as_object(object.get(spec, "os", {})).name == "windows"

# The type a profile field (seccompProfile, appArmorProfile) is explicitly set to, when not allowed.
forbidden_profile(sc, field, allowed) := type if {
	is_set(sc, field)
	type := value(as_object(sc[field]), "type", "")
	not type in allowed
}

profile_types := {"RuntimeDefault", "Localhost"}

# METADATA
# title: Containers run as a non-root user
# description: >-
#   runAsNonRoot must be true on the pod or on every container (a container may not set it to
#   false), and neither the pod nor a container may ask for UID 0, so a container escape does not
#   start as root on the node (restricted checks runAsNonRoot and runAsUser).
# custom:
#   id: CG_K8S_002
#   severity: high
#   controls: [CG-K8S-2]
#   fix: "Set securityContext.runAsNonRoot: true and a non-zero runAsUser on the pod."
deny contains f if {
	some r in workloads
	some [who, sc] in setters(pod_spec(r))
	is_set(sc, "runAsNonRoot")
	sc.runAsNonRoot != true
	f := finding("CG_K8S_002", r, sprintf("%s sets runAsNonRoot: %v", [who, sc.runAsNonRoot]))
}

deny contains f if {
	some r in workloads
	spec := pod_spec(r)
	not security_context(spec).runAsNonRoot == true
	some c in containers(spec)
	not is_set(security_context(c), "runAsNonRoot")
	f := finding("CG_K8S_002", r, sprintf("container %s may run as root: neither it nor the pod sets runAsNonRoot: true", [container_name(c)]))
}

deny contains f if {
	some r in workloads
	some [who, sc] in setters(pod_spec(r))
	sc.runAsUser == 0
	f := finding("CG_K8S_002", r, sprintf("%s sets runAsUser: 0", [who]))
}

# METADATA
# title: Containers cannot escalate privileges
# description: >-
#   Every container sets allowPrivilegeEscalation false (Windows pods exempt: the field does not
#   exist there) and none is privileged, so setuid binaries and the node's devices stay out of reach.
# custom:
#   id: CG_K8S_004
#   severity: high
#   controls: [CG-K8S-4]
#   fix: "Set securityContext.allowPrivilegeEscalation: false and remove privileged: true."
deny contains f if {
	some r in workloads
	spec := pod_spec(r)
	not windows(spec)
	some c in containers(spec)
	not security_context(c).allowPrivilegeEscalation == false
	f := finding("CG_K8S_004", r, sprintf("container %s does not set allowPrivilegeEscalation: false", [container_name(c)]))
}

deny contains f if {
	some r in workloads
	some c in containers(pod_spec(r))
	is_set(security_context(c), "privileged")
	security_context(c).privileged != false
	f := finding("CG_K8S_004", r, sprintf("container %s is privileged", [container_name(c)]))
}

# METADATA
# title: Pods do not share the node's namespaces
# description: hostNetwork, hostPID and hostIPC expose the node's network stack, processes and IPC to the pod.
# custom:
#   id: CG_K8S_005
#   severity: high
#   controls: [CG-K8S-4]
#   fix: "Remove hostNetwork, hostPID and hostIPC from the pod spec."
deny contains f if {
	some r in workloads
	spec := pod_spec(r)
	some key in ["hostNetwork", "hostPID", "hostIPC"]
	is_set(spec, key)
	spec[key] != false
	f := finding("CG_K8S_005", r, sprintf("the pod sets %s: %v", [key, spec[key]]))
}

capabilities(c, key) := as_array(object.get(as_object(object.get(security_context(c), "capabilities", {})), key, []))

# METADATA
# title: Containers drop every Linux capability
# description: >-
#   capabilities.drop must contain ALL and only NET_BIND_SERVICE may be added back (restricted
#   check capabilities_restricted; Windows pods exempt).
# custom:
#   id: CG_K8S_006
#   severity: medium
#   controls: [CG-K8S-5]
#   fix: "Set securityContext.capabilities.drop: [ALL] and add nothing back but NET_BIND_SERVICE."
deny contains f if {
	some r in workloads
	spec := pod_spec(r)
	not windows(spec)
	some c in containers(spec)
	not "ALL" in capabilities(c, "drop")
	f := finding("CG_K8S_006", r, sprintf("container %s does not drop ALL capabilities", [container_name(c)]))
}

deny contains f if {
	some r in workloads
	spec := pod_spec(r)
	not windows(spec)
	some c in containers(spec)
	some added in capabilities(c, "add")
	added != "NET_BIND_SERVICE"
	f := finding("CG_K8S_006", r, sprintf("container %s adds capability %v", [container_name(c), added]))
}

# METADATA
# title: Containers run under the RuntimeDefault or a Localhost seccomp profile
# description: >-
#   The pod, or else every container, sets seccompProfile.type RuntimeDefault or Localhost, and
#   nobody sets another type (restricted check seccompProfile_restricted; Windows pods exempt).
# custom:
#   id: CG_K8S_007
#   severity: medium
#   controls: [CG-K8S-6]
#   fix: "Set securityContext.seccompProfile.type: RuntimeDefault on the pod."
deny contains f if {
	some r in workloads
	spec := pod_spec(r)
	not windows(spec)
	some [who, sc] in setters(spec)
	type := forbidden_profile(sc, "seccompProfile", profile_types)
	f := finding("CG_K8S_007", r, sprintf("%s sets seccompProfile.type %q", [who, type]))
}

deny contains f if {
	some r in workloads
	spec := pod_spec(r)
	not windows(spec)
	not value(as_object(value(security_context(spec), "seccompProfile", {})), "type", "") in profile_types
	some c in containers(spec)
	not is_set(security_context(c), "seccompProfile")
	f := finding("CG_K8S_007", r, sprintf("container %s has no seccomp profile: neither it nor the pod sets RuntimeDefault or Localhost", [container_name(c)]))
}

# METADATA
# title: No Windows HostProcess containers
# description: >-
#   A HostProcess container runs as a process on the Windows node with the node's privileges;
#   windowsOptions.hostProcess must be unset or false on the pod and every container.
# custom:
#   id: CG_K8S_031
#   severity: high
#   controls: [CG-K8S-4]
#   fix: "Remove securityContext.windowsOptions.hostProcess (or set it to false)."
deny contains f if {
	some r in workloads
	some [who, sc] in setters(pod_spec(r))
	options := as_object(object.get(sc, "windowsOptions", {}))
	is_set(options, "hostProcess")
	options.hostProcess != false
	f := finding("CG_K8S_031", r, sprintf("%s sets windowsOptions.hostProcess: %v", [who, options.hostProcess]))
}

volumes(spec) := [as_object(v) | some v in as_array(object.get(spec, "volumes", []))]

# METADATA
# title: Pods mount no path of the node
# description: >-
#   A hostPath volume gives the pod the node's files (credentials, the container runtime socket,
#   other pods' logs); no volume may be of type hostPath.
# custom:
#   id: CG_K8S_032
#   severity: high
#   controls: [CG-K8S-17]
#   fix: "Replace the hostPath volume with an emptyDir, a configMap/secret or a PersistentVolumeClaim."
deny contains f if {
	some r in workloads
	some v in volumes(pod_spec(r))
	is_set(v, "hostPath")
	f := finding("CG_K8S_032", r, sprintf("volume %v mounts the node path %v", [object.get(v, "name", "(unnamed)"), object.get(as_object(v.hostPath), "path", "")]))
}

# The volume sources restrictedVolumes accepts at 1.32; a volume naming no source is an emptyDir.
restricted_volume_sources := {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}

# METADATA
# title: Pods mount only the volume types the restricted standard allows
# description: >-
#   Besides hostPath, volume types the kubelet mounts with the node's own credentials (nfs, iscsi,
#   gitRepo, awsElasticBlockStore, ...) are refused; storage comes through PersistentVolumeClaims,
#   ephemeral or CSI volumes, and configuration through configMap, secret, downwardAPI or projected.
# custom:
#   id: CG_K8S_033
#   severity: medium
#   controls: [CG-K8S-17]
#   fix: "Claim the storage through a PersistentVolumeClaim (or an ephemeral/CSI volume) instead of an in-line volume source."
deny contains f if {
	some r in workloads
	some v in volumes(pod_spec(r))
	not is_set(v, "hostPath")
	sources := {key | some key, source in v; key != "name"; source != null}
	count(sources) > 0
	count(sources & restricted_volume_sources) == 0
	f := finding("CG_K8S_033", r, sprintf("volume %v has restricted type %s", [object.get(v, "name", "(unnamed)"), concat(", ", sort(sources))]))
}

# METADATA
# title: Containers open no port on the node
# description: A hostPort binds the node's own address, outside every NetworkPolicy and Service; it must be unset or 0.
# custom:
#   id: CG_K8S_034
#   severity: medium
#   controls: [CG-K8S-4]
#   fix: "Remove ports[].hostPort and expose the port through a Service."
deny contains f if {
	some r in workloads
	some c in containers(pod_spec(r))
	some port in as_array(object.get(c, "ports", []))
	host_port := value(as_object(port), "hostPort", 0)
	host_port != 0
	f := finding("CG_K8S_034", r, sprintf("container %s uses hostPort %v", [container_name(c), host_port]))
}

apparmor_annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

allowed_apparmor_annotation(profile) if profile in {"", "runtime/default"}

allowed_apparmor_annotation(profile) if {
	is_string(profile)
	startswith(profile, "localhost/")
}

# METADATA
# title: Containers keep an AppArmor profile
# description: >-
#   The appArmorProfile fields may only be RuntimeDefault or Localhost, and the beta annotations
#   container.apparmor.security.beta.kubernetes.io/* only runtime/default or localhost/*:
#   Unconfined lifts the mandatory access control around the container.
# custom:
#   id: CG_K8S_035
#   severity: medium
#   controls: [CG-K8S-16]
#   fix: "Remove the Unconfined AppArmor profile (the runtime default applies), or name a Localhost profile."
deny contains f if {
	some r in workloads
	some [who, sc] in setters(pod_spec(r))
	type := forbidden_profile(sc, "appArmorProfile", profile_types)
	f := finding("CG_K8S_035", r, sprintf("%s sets appArmorProfile.type %q", [who, type]))
}

deny contains f if {
	some r in workloads
	some key, profile in pod_annotations(r)
	startswith(key, apparmor_annotation_prefix)
	not allowed_apparmor_annotation(profile)
	f := finding("CG_K8S_035", r, sprintf("annotation %s is %q", [key, profile]))
}

selinux_types := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

# METADATA
# title: Containers keep the default SELinux user, role and an allowed type
# description: >-
#   seLinuxOptions.type may only be container_t, container_init_t, container_kvm_t or
#   container_engine_t, and seLinuxOptions.user and .role must be empty: a custom type such as
#   spc_t runs the container unconfined.
# custom:
#   id: CG_K8S_036
#   severity: medium
#   controls: [CG-K8S-16]
#   fix: "Remove seLinuxOptions, or keep only a level and an allowed container_* type."
deny contains f if {
	some r in workloads
	some [who, sc] in setters(pod_spec(r))
	options := as_object(value(sc, "seLinuxOptions", {}))
	type := value(options, "type", "")
	not type in selinux_types
	f := finding("CG_K8S_036", r, sprintf("%s sets seLinuxOptions.type %q", [who, type]))
}

deny contains f if {
	some r in workloads
	some [who, sc] in setters(pod_spec(r))
	options := as_object(value(sc, "seLinuxOptions", {}))
	some key in ["user", "role"]
	value(options, key, "") != ""
	f := finding("CG_K8S_036", r, sprintf("%s sets seLinuxOptions.%s %q", [who, key, options[key]]))
}

# METADATA
# title: Containers keep the default /proc masks
# description: securityContext.procMount may only be Default; Unmasked exposes the node's kernel settings under /proc.
# custom:
#   id: CG_K8S_037
#   severity: medium
#   controls: [CG-K8S-16]
#   fix: "Remove securityContext.procMount (or set it to Default)."
deny contains f if {
	some r in workloads
	some c in containers(pod_spec(r))
	proc_mount := value(security_context(c), "procMount", "Default")
	proc_mount != "Default"
	f := finding("CG_K8S_037", r, sprintf("container %s sets procMount %q", [container_name(c), proc_mount]))
}

# The namespaced sysctls that are isolated per pod (sysctlsAllowedV1Dot32).
safe_sysctls := {
	"kernel.shm_rmid_forced",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.tcp_syncookies",
	"net.ipv4.ping_group_range",
	"net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time",
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
	"net.ipv4.tcp_rmem",
	"net.ipv4.tcp_wmem",
}

# METADATA
# title: Pods set only safe sysctls
# description: >-
#   A sysctl outside the safe set is either shared with the node or not isolated from other pods,
#   and can switch off kernel protections; spec.securityContext.sysctls may name only the safe set.
# custom:
#   id: CG_K8S_038
#   severity: medium
#   controls: [CG-K8S-16]
#   fix: "Remove the sysctl from the pod, or tune it on the node group instead."
deny contains f if {
	some r in workloads
	some sysctl in as_array(value(security_context(pod_spec(r)), "sysctls", []))
	name := value(as_object(sysctl), "name", "")
	not name in safe_sysctls
	f := finding("CG_K8S_038", r, sprintf("the pod sets sysctl %q, outside the safe set", [name]))
}
