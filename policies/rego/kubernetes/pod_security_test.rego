# Unit tests for pod_security.rego and secrets.rego: each check passes a pod the restricted standard
# admits and fails one it refuses, on every container kind, every workload kind and Windows pods.
package citygate.pod_security_test

import data.citygate.kubernetes
import rego.v1

container := {"name": "app", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}

restricted := {
	"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
	"containers": [container],
}

# Nested objects of `changes` merge into the restricted pod spec (lists replace).
spec(changes) := object.union(restricted, changes)

with_container(changes) := spec({"containers": [object.union(container, changes)]})

with_security(changes) := with_container({"securityContext": object.union(container.securityContext, changes)})

# The restricted pod spec with the pod's or the container's securityContext replaced as a whole.
pod_security(sc) := object.union(object.remove(restricted, ["securityContext"]), {"securityContext": sc})

container_security(sc) := object.union(restricted, {"containers": [{"name": "app", "securityContext": sc}]})

windows := object.union(object.remove(restricted, ["securityContext"]), {
	"os": {"name": "windows"},
	"securityContext": {"runAsNonRoot": true},
	"containers": [{"name": "app"}],
})

object_of(kind, values) := {
	"address": sprintf("%s/prod/w", [kind]), "type": kind, "name": "w", "module": "m",
	"values": object.union({"metadata": {"name": "w", "namespace": "prod"}}, values),
}

pod(s) := object_of("Pod", {"spec": s})

pod_security_rules := {
	"CG_K8S_002", "CG_K8S_004", "CG_K8S_005", "CG_K8S_006", "CG_K8S_007", "CG_K8S_031", "CG_K8S_032",
	"CG_K8S_033", "CG_K8S_034", "CG_K8S_035", "CG_K8S_036", "CG_K8S_037", "CG_K8S_038",
}

denied(resources) := {f | some f in kubernetes.deny with input as {"kind": "kubernetes", "resources": resources}}

# The Pod Security Standard rules a pod spec breaks (the other workload rules are not asked here).
ids(s) := {f.id | some f in denied([pod(s)]); f.id in pod_security_rules}

test_a_restricted_pod_passes if ids(restricted) == set()

test_every_workload_kind_is_judged if {
	templated := {"spec": {"template": {"spec": with_security({"privileged": true})}}}
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"] {
		{f.resource | some f in denied([object_of(kind, templated)]); f.id == "CG_K8S_004"} == {sprintf("%s/prod/w", [kind])}
	}
	cron := {"spec": {"jobTemplate": {"spec": {"template": {"spec": with_security({"privileged": true})}}}}}
	{f.resource | some f in denied([object_of("CronJob", cron)]); f.id == "CG_K8S_004"} == {"CronJob/prod/w"}
}

test_init_and_ephemeral_containers_are_judged if {
	ids(spec({"initContainers": [object.union(container, {"securityContext": {"runAsUser": 0}})]})) == {"CG_K8S_002"}
	ids(spec({"ephemeralContainers": [object.union(container, {"securityContext": {"privileged": true}})]})) == {"CG_K8S_004"}
	ids(spec({"ephemeralContainers": [{"name": "debug"}]})) == {"CG_K8S_004", "CG_K8S_006"}
}

test_run_as_non_root if {
	ids(spec({"securityContext": {"runAsNonRoot": false}})) == {"CG_K8S_002"}
	ids(with_security({"runAsNonRoot": false})) == {"CG_K8S_002"}
	ids(spec({"securityContext": {"runAsNonRoot": null}})) == {"CG_K8S_002"}
	ids(spec({"securityContext": {"runAsNonRoot": "true"}})) == {"CG_K8S_002"}
	container_level := object.union(spec({"securityContext": {"runAsNonRoot": null}}), {"containers": [object.union(container, {"securityContext": {"runAsNonRoot": true}})]})
	ids(container_level) == set()
}

test_run_as_user_zero if {
	ids(spec({"securityContext": {"runAsUser": 0}})) == {"CG_K8S_002"}
	ids(with_security({"runAsUser": 0})) == {"CG_K8S_002"}
	ids(spec({"securityContext": {"runAsUser": 1000}})) == set()
}

test_privilege_escalation if {
	ids(container_security({"capabilities": {"drop": ["ALL"]}})) == {"CG_K8S_004"}
	ids(with_security({"allowPrivilegeEscalation": true})) == {"CG_K8S_004"}
	ids(with_security({"privileged": true})) == {"CG_K8S_004"}
	ids(with_security({"privileged": null})) == set()
}

test_host_namespaces if {
	ids(spec({"hostIPC": true})) == {"CG_K8S_005"}
	ids(spec({"hostNetwork": false, "hostPID": null})) == set()
}

test_capabilities if {
	ids(with_security({"capabilities": {"drop": ["NET_RAW"]}})) == {"CG_K8S_006"}
	ids(with_security({"capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}})) == {"CG_K8S_006"}
	ids(with_security({"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}})) == set()
}

test_seccomp if {
	ids(spec({"securityContext": {"seccompProfile": {"type": "Unconfined"}}})) == {"CG_K8S_007"}
	ids(pod_security({"runAsNonRoot": true, "seccompProfile": {}})) == {"CG_K8S_007"}
	ids(spec({"securityContext": {"seccompProfile": null}})) == {"CG_K8S_007"}
	ids(with_security({"seccompProfile": {"type": "Unconfined"}})) == {"CG_K8S_007"}
	container_level := object.union(spec({"securityContext": {"seccompProfile": null}}), {"containers": [object.union(container, {"securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}})]})
	ids(container_level) == set()
	overridden_pod := object.union(container_level, {"securityContext": {"seccompProfile": {"type": "Unconfined"}}})
	ids(overridden_pod) == {"CG_K8S_007"}
}

test_windows_pods_are_exempt_from_linux_only_checks if {
	ids(windows) == set()
	ids(object.union(windows, {"securityContext": {"runAsNonRoot": null}})) == {"CG_K8S_002"}
	ids(object.union(windows, {"securityContext": {"windowsOptions": {"hostProcess": true}}})) == {"CG_K8S_031"}
	ids(object.union(windows, {"containers": [{"name": "app", "securityContext": {"privileged": true}}]})) == {"CG_K8S_004"}
	ids(spec({"os": {"name": "linux"}, "securityContext": {"seccompProfile": null}})) == {"CG_K8S_007"}
}

test_host_process if {
	ids(with_security({"windowsOptions": {"hostProcess": true}})) == {"CG_K8S_031"}
	ids(with_security({"windowsOptions": {"hostProcess": false, "runAsUserName": "app"}})) == set()
}

test_volumes if {
	ids(spec({"volumes": [{"name": "h", "hostPath": {"path": "/var/run/docker.sock"}}]})) == {"CG_K8S_032"}
	ids(spec({"volumes": [{"name": "n", "nfs": {"server": "nfs", "path": "/"}}]})) == {"CG_K8S_033"}
	ids(spec({"volumes": [{"name": "g", "gitRepo": {"repository": "https://example.com/r.git"}}]})) == {"CG_K8S_033"}
	allowed := [
		{"name": "a", "configMap": {"name": "c"}}, {"name": "b", "secret": {"secretName": "s"}},
		{"name": "c", "emptyDir": {}}, {"name": "d", "projected": {"sources": []}},
		{"name": "e", "downwardAPI": {"items": []}}, {"name": "f", "persistentVolumeClaim": {"claimName": "p"}},
		{"name": "g", "ephemeral": {"volumeClaimTemplate": {}}}, {"name": "h", "csi": {"driver": "d"}},
		{"name": "defaults-to-empty-dir"}, {"name": "i", "hostPath": null, "emptyDir": {}},
	]
	ids(spec({"volumes": allowed})) == set()
}

test_host_ports if {
	ids(with_container({"ports": [{"containerPort": 8080, "hostPort": 8080}]})) == {"CG_K8S_034"}
	ids(with_container({"ports": [{"containerPort": 8080, "hostPort": 0}, {"containerPort": 9090}]})) == set()
}

annotated(profile) := object_of("Pod", {
	"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/app": profile, "other/x": "unconfined"}},
	"spec": restricted,
})

test_apparmor if {
	ids(spec({"securityContext": {"appArmorProfile": {"type": "Unconfined"}}})) == {"CG_K8S_035"}
	ids(with_security({"appArmorProfile": {"type": "Localhost", "localhostProfile": "k8s-app"}})) == set()
	{f.id | some f in denied([annotated("unconfined")]); f.id in pod_security_rules} == {"CG_K8S_035"}
	every allowed in ["", "runtime/default", "localhost/k8s-app"] {
		{f.id | some f in denied([annotated(allowed)]); f.id in pod_security_rules} == set()
	}
}

test_selinux if {
	ids(spec({"securityContext": {"seLinuxOptions": {"type": "spc_t"}}})) == {"CG_K8S_036"}
	ids(with_security({"seLinuxOptions": {"user": "system_u"}})) == {"CG_K8S_036"}
	ids(with_security({"seLinuxOptions": {"type": "container_engine_t", "level": "s0:c123,c456"}})) == set()
}

test_proc_mount if {
	ids(with_security({"procMount": "Unmasked"})) == {"CG_K8S_037"}
	ids(with_security({"procMount": "Default"})) == set()
}

test_sysctls if {
	ids(spec({"securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "65536"}]}})) == {"CG_K8S_038"}
	ids(spec({"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_rmem", "value": "4096 87380 6291456"}]}})) == set()
}

secret(values) := object_of("Secret", values)

secret_findings(values) := [f | some f in denied([secret(values)]); f.id == "CG_K8S_039"]

test_committed_secrets_fail if {
	[aws] := secret_findings({"stringData": {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}})
	contains(aws.msg, "AWS access key id")
	[encoded] := secret_findings({"data": {"key": base64.encode("AKIAIOSFODNN7EXAMPLE"), "binary": "%%"}})
	contains(encoded.msg, "AWS access key id")
	[plain] := secret_findings({"data": {"password": base64.encode("hunter2")}})
	not contains(plain.msg, "AWS")
}

test_empty_and_external_secrets_pass if {
	secret_findings({"type": "Opaque", "metadata": {"annotations": {"reconcile.external-secrets.io/managed": "true"}}}) == []
	secret_findings({"data": {}, "stringData": null}) == []
	external := object_of("ExternalSecret", {"spec": {"secretStoreRef": {"name": "aws", "kind": "ClusterSecretStore"}, "dataFrom": [{"extract": {"key": "prod/app"}}]}})
	count(denied([external])) == 0
}
