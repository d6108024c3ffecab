# Unit tests for package citygate.kubernetes: for each rule a compliant and a noncompliant input.
package citygate.kubernetes_test

import data.citygate.kubernetes
import rego.v1

digest := "sha256:0000000000000000000000000000000000000000000000000000000000000000"

image := sprintf("123456789012.dkr.ecr.us-east-1.amazonaws.com/citygate/local/api@%s", [digest])

container := {
	"name": "app",
	"image": image,
	"securityContext": {
		"allowPrivilegeEscalation": false,
		"readOnlyRootFilesystem": true,
		"capabilities": {"drop": ["ALL"]},
	},
	"resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}},
}

pod_spec := {
	"serviceAccountName": "app",
	"automountServiceAccountToken": false,
	"securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
	"containers": [container],
}

obj(kind, name, values) := {
	"address": sprintf("%s/prod/%s", [kind, name]), "type": kind, "name": name, "module": "m",
	"values": object.union({"metadata": {"name": name, "namespace": "prod"}}, values),
}

cluster_obj(kind, name, values) := {
	"address": sprintf("%s/%s", [kind, name]), "type": kind, "name": name, "module": "m",
	"values": object.union({"metadata": {"name": name}}, values),
}

deployment(spec) := obj("Deployment", "app", {"spec": {
	"selector": {"matchLabels": {"app": "app"}},
	"template": {"metadata": {"labels": {"app": "app"}}, "spec": spec},
}})

# Top-level keys of `changes` replace those of `x` (object.union would merge nested objects).
replace(x, changes) := object.union(object.remove(x, object.keys(changes)), changes)

with_container(changes) := replace(pod_spec, {"containers": [replace(container, changes)]})

service_account := obj("ServiceAccount", "app", {"metadata": {"annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/citygate-local-irsa-prod-app"}}})

psa_labels := {
	"app.kubernetes.io/part-of": "citygate",
	"pod-security.kubernetes.io/enforce": "restricted",
	"pod-security.kubernetes.io/audit": "restricted",
	"pod-security.kubernetes.io/warn": "restricted",
}

namespace := cluster_obj("Namespace", "prod", {"metadata": {"labels": psa_labels}})

default_deny := obj("NetworkPolicy", "default-deny", {"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}})

compliant := [namespace, default_deny, service_account, deployment(pod_spec)]

denied(resources) := {[f.id, f.resource] | some f in kubernetes.deny with input as {"kind": "kubernetes", "resources": resources}}

ids(resources) := {id | some [id, _] in denied(resources)}

# Replace the Deployment of the compliant set.
with_pod(spec) := [namespace, default_deny, service_account, deployment(spec)]

test_compliant_set_passes if count(denied(compliant)) == 0

test_only_kubernetes_inputs if count(kubernetes.deny) == 0 with input as {"kind": "terraform", "resources": [deployment(object.union(pod_spec, {"hostNetwork": true}))]}

test_psa_labels_required if {
	weak := cluster_obj("Namespace", "prod", {"metadata": {"labels": object.union(psa_labels, {"pod-security.kubernetes.io/warn": "baseline"})}})
	denied([weak, default_deny]) == {["CG_K8S_001", "Namespace/prod"]}
}

test_non_root_required if {
	ids(with_pod(with_container({"securityContext": object.union(container.securityContext, {"runAsNonRoot": false})}))) == {"CG_K8S_002"}
	ids(with_pod(object.union(pod_spec, {"securityContext": object.union(pod_spec.securityContext, {"runAsUser": 0})}))) == {"CG_K8S_002"}
}

test_read_only_root_fs_required if {
	ids(with_pod(with_container({"securityContext": object.remove(container.securityContext, ["readOnlyRootFilesystem"])}))) == {"CG_K8S_003"}
}

test_privilege_escalation_denied if {
	ids(with_pod(with_container({"securityContext": object.remove(container.securityContext, ["allowPrivilegeEscalation"])}))) == {"CG_K8S_004"}
	ids(with_pod(with_container({"securityContext": object.union(container.securityContext, {"privileged": true})}))) == {"CG_K8S_004"}
}

test_host_namespaces_denied if {
	ids(with_pod(object.union(pod_spec, {"hostPID": true}))) == {"CG_K8S_005"}
}

test_capabilities_dropped if {
	ids(with_pod(with_container({"securityContext": object.union(container.securityContext, {"capabilities": {"drop": ["NET_RAW"]}})}))) == {"CG_K8S_006"}
	ids(with_pod(with_container({"securityContext": object.union(container.securityContext, {"capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}})}))) == {"CG_K8S_006"}
	ids(with_pod(with_container({"securityContext": object.union(container.securityContext, {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}})}))) == set()
}

test_seccomp_runtime_default if {
	ids(with_pod(replace(pod_spec, {"securityContext": object.remove(pod_spec.securityContext, ["seccompProfile"])}))) == {"CG_K8S_007"}
	ids(with_pod(with_container({"securityContext": object.union(container.securityContext, {"seccompProfile": {"type": "Unconfined"}})}))) == {"CG_K8S_007"}
}

test_resources_required if {
	ids(with_pod(with_container({"resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}))) == {"CG_K8S_008"}
}

test_ephemeral_containers_are_judged_but_take_no_resources if {
	debug := object.union(object.remove(container, ["resources"]), {"name": "debug"})
	ids(with_pod(object.union(pod_spec, {"ephemeralContainers": [debug]}))) == set()
	ids(with_pod(object.union(pod_spec, {"ephemeralContainers": [object.union(debug, {"image": "busybox"})]}))) == {"CG_K8S_009"}
}

test_images_by_digest_from_ecr if {
	ids(with_pod(with_container({"image": "nginx:1.27"}))) == {"CG_K8S_009"}
	ids(with_pod(with_container({"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/citygate/local/api:1.0"}))) == {"CG_K8S_009"}
}

test_dedicated_service_account if {
	ids([namespace, default_deny, deployment(object.remove(pod_spec, ["serviceAccountName"]))]) == {"CG_K8S_010", "CG_K8S_011"}
}

test_role_arn_annotation_required if {
	bare := obj("ServiceAccount", "app", {})
	denied([namespace, default_deny, bare, deployment(pod_spec)]) == {["CG_K8S_011", "ServiceAccount/prod/app"]}
}

test_no_aws_access_declared_instead_of_a_role if {
	none := obj("ServiceAccount", "app", {"metadata": {"annotations": {"citygate.io/aws-access": "none"}}})
	denied([namespace, default_deny, none, deployment(pod_spec)]) == set()
	other := obj("ServiceAccount", "app", {"metadata": {"annotations": {"citygate.io/aws-access": "some"}}})
	denied([namespace, default_deny, other, deployment(pod_spec)]) == {["CG_K8S_011", "ServiceAccount/prod/app"]}
	both := object.union(service_account, {"values": {"metadata": {"annotations": {"citygate.io/aws-access": "none"}}}})
	denied([namespace, default_deny, both, deployment(pod_spec)]) == {["CG_K8S_011", "ServiceAccount/prod/app"]}
}

test_token_mounted_only_when_bound if {
	mounted := object.remove(pod_spec, ["automountServiceAccountToken"])
	ids(with_pod(mounted)) == {"CG_K8S_013"}
	binding := obj("RoleBinding", "app-reads", {
		"roleRef": {"kind": "Role", "name": "reader"},
		"subjects": [{"kind": "ServiceAccount", "name": "app", "namespace": "prod"}],
	})
	ids(array.concat(with_pod(mounted), [binding])) == set()
	sa_off := obj("ServiceAccount", "app", object.union(service_account.values, {"automountServiceAccountToken": false}))
	ids([namespace, default_deny, sa_off, deployment(mounted)]) == set()
}

test_no_cluster_admin_binding if {
	binding := cluster_obj("ClusterRoleBinding", "app-admin", {
		"roleRef": {"kind": "ClusterRole", "name": "cluster-admin"},
		"subjects": [{"kind": "ServiceAccount", "name": "app", "namespace": "prod"}],
	})
	denied([binding]) == {["CG_K8S_014", "ClusterRoleBinding/app-admin"]}
	system := cluster_obj("ClusterRoleBinding", "masters", {
		"roleRef": {"kind": "ClusterRole", "name": "cluster-admin"},
		"subjects": [{"kind": "Group", "name": "system:masters"}],
	})
	denied([system]) == set()
}

test_no_wildcard_roles if {
	role := obj("Role", "r", {"rules": [{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}]})
	denied([role]) == {["CG_K8S_015", "Role/prod/r"]}
	denied([obj("Role", "r", {"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]})]) == set()
}

test_default_deny_per_namespace if {
	allow_all := obj("NetworkPolicy", "default-deny", {"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [{}]}})
	denied([namespace, allow_all]) == {["CG_K8S_016", "Namespace/prod"]}
	ingress_only := obj("NetworkPolicy", "default-deny", {"spec": {"podSelector": {"matchLabels": null}, "policyTypes": ["Ingress"]}})
	denied([namespace, ingress_only]) == {["CG_K8S_016", "Namespace/prod"]}
	other_bundle := object.union(default_deny, {"module": "other"})
	denied([namespace, other_bundle]) == {["CG_K8S_016", "Namespace/prod"]}
}

alb_annotations := {
	"alb.ingress.kubernetes.io/listen-ports": "[{\"HTTPS\": 443}]",
	"alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
	"alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
	"alb.ingress.kubernetes.io/wafv2-acl-arn": "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/edge/abc",
}

ingress(annotations) := obj("Ingress", "edge", {"metadata": {"annotations": annotations}, "spec": {"ingressClassName": "alb"}})

test_ingress_https_only if {
	denied([ingress(alb_annotations)]) == set()
	http := object.union(alb_annotations, {"alb.ingress.kubernetes.io/listen-ports": "[{\"HTTP\": 80}, {\"HTTPS\": 443}]"})
	denied([ingress(http)]) == {["CG_K8S_018", "Ingress/prod/edge"]}
	old_tls := object.union(alb_annotations, {"alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-2016-08"})
	denied([ingress(old_tls)]) == {["CG_K8S_018", "Ingress/prod/edge"]}
	not_json := object.union(alb_annotations, {"alb.ingress.kubernetes.io/listen-ports": "HTTPS:443"})
	denied([ingress(not_json)]) == {["CG_K8S_018", "Ingress/prod/edge"]}
}

test_ingress_waf if {
	denied([ingress(object.remove(alb_annotations, ["alb.ingress.kubernetes.io/wafv2-acl-arn"]))]) == {["CG_K8S_019", "Ingress/prod/edge"]}
}

service := obj("Service", "app", {"spec": {"selector": {"app": "app"}, "ports": [{"port": 80}]}})

pdb(selector) := obj("PodDisruptionBudget", "app", {"spec": {"maxUnavailable": 1, "selector": selector}})

hpa(target) := obj("HorizontalPodAutoscaler", "app", {"spec": {"scaleTargetRef": {"kind": "Deployment", "name": target}}})

test_serving_pods_have_pdb_and_hpa if {
	ids(array.concat(compliant, [service, pdb({"matchLabels": {"app": "app"}}), hpa("app")])) == set()
	ids(array.concat(compliant, [service, pdb({"matchExpressions": [{"key": "app", "operator": "In", "values": ["app"]}]}), hpa("app")])) == set()
	denied(array.concat(compliant, [service, pdb({"matchLabels": {"app": "other"}}), hpa("app")])) == {["CG_K8S_022", "Deployment/prod/app"]}
	denied(array.concat(compliant, [service, pdb({"matchLabels": {"app": "app"}}), hpa("other")])) == {["CG_K8S_023", "Deployment/prod/app"]}
	ids(compliant) == set() # without a Service the pods are not serving
}

test_cronjob_pod_spec_is_checked if {
	cron := obj("CronJob", "job", {"spec": {"jobTemplate": {"spec": {"template": {"spec": with_container({"image": "busybox"})}}}}})
	denied([namespace, default_deny, service_account, cron]) == {["CG_K8S_009", "CronJob/prod/job"]}
}

test_bare_pod_is_checked if {
	bare := obj("Pod", "debug", {"metadata": {"labels": {"app": "debug"}}, "spec": with_container({"securityContext": {}})})
	ids([namespace, default_deny, service_account, bare]) == {"CG_K8S_003", "CG_K8S_004", "CG_K8S_006"}
}

test_selector_expressions if {
	labels := {"app": "app", "tier": "web"}
	kubernetes.selector_matches({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]}, labels)
	kubernetes.selector_matches({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, labels)
	kubernetes.selector_matches({"matchExpressions": [{"key": "env", "operator": "DoesNotExist"}]}, labels)
	not kubernetes.selector_matches({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, labels)
	not kubernetes.selector_matches({"matchLabels": {"app": "other"}}, labels)
}
