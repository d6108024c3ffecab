# Shared views of the normalized Kubernetes input: objects, workloads and their pod specs, containers,
# label selectors. Rules in this package look only at inputs of kind "kubernetes". Objects are compared
# only within one bundle (`module`: one overlay or one file), so two environments never mix. This file
# sorts first on purpose: regorus applies a `with input` override (as the unit tests use) only to rules
# defined in modules loaded before the rules that use them.
package citygate.kubernetes

import rego.v1

resources contains r if {
	input.kind == "kubernetes"
	some r in input.resources
}

objects(kind) := {r | some r in resources; r.type == kind}

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}

# The pod spec a workload runs (a bare Pod's own spec).
pod_spec(r) := r.values.spec if r.type == "Pod"

pod_spec(r) := r.values.spec.template.spec if r.type in workload_kinds

pod_spec(r) := r.values.spec.jobTemplate.spec.template.spec if r.type == "CronJob"

pod_labels(r) := as_object(r.values.metadata.labels) if r.type == "Pod"

pod_labels(r) := as_object(r.values.spec.template.metadata.labels) if r.type in workload_kinds

pod_labels(r) := as_object(r.values.spec.jobTemplate.spec.template.metadata.labels) if r.type == "CronJob"

workloads contains r if {
	some r in resources
	pod_spec(r)
}

as_object(x) := x if is_object(x)

else := {}

as_array(x) := x if is_array(x)

else := []

namespace(r) := object.get(r.values.metadata, "namespace", "default")

labels(r) := as_object(object.get(r.values.metadata, "labels", {}))

annotations(r) := as_object(object.get(r.values.metadata, "annotations", {}))

same_place(a, b) if {
	a.module == b.module
	namespace(a) == namespace(b)
}

# Every container of a pod spec, init containers included.
containers(spec) := array.concat(as_array(object.get(spec, "initContainers", [])), as_array(object.get(spec, "containers", [])))

security_context(x) := as_object(object.get(x, "securityContext", {}))

# A container setting, falling back to the pod-level securityContext as the kubelet does.
effective(spec, container, key) := security_context(container)[key]

effective(spec, container, key) := security_context(spec)[key] if not has_key(security_context(container), key)

has_key(obj, key) if _ = obj[key]

service_account_name(spec) := object.get(spec, "serviceAccountName", "default")

# Label selectors: matchLabels AND every matchExpression; an empty selector selects everything.
selector_matches(selector, pod) if {
	every key, value in as_object(object.get(as_object(selector), "matchLabels", {})) {
		pod[key] == value
	}
	every expression in as_array(object.get(as_object(selector), "matchExpressions", [])) {
		expression_matches(expression, pod)
	}
}

expression_matches(e, pod) if {
	e.operator == "In"
	pod[e.key] in e.values
}

expression_matches(e, pod) if {
	e.operator == "NotIn"
	not pod[e.key] in e.values
}

expression_matches(e, pod) if {
	e.operator == "Exists"
	has_key(pod, e.key)
}

expression_matches(e, pod) if {
	e.operator == "DoesNotExist"
	not has_key(pod, e.key)
}

# Namespaces that belong to the platform (not kube-system, not a tenant's).
platform_namespace(module, name) if {
	some ns in objects("Namespace")
	ns.module == module
	ns.name == name
	labels(ns)["app.kubernetes.io/part-of"] == "citygate"
}

finding(id, r, msg) := {"id": id, "resource": r.address, "msg": msg}
