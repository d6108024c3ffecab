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

# The pod template a workload stamps its pods from (a bare Pod is its own template).
pod_template(r) := r.values if r.type == "Pod"

pod_template(r) := r.values.spec.template if r.type in workload_kinds

pod_template(r) := r.values.spec.jobTemplate.spec.template if r.type == "CronJob"

# The pod spec a workload runs, and its pods' labels and annotations.
pod_spec(r) := pod_template(r).spec

pod_metadata(r) := as_object(object.get(as_object(pod_template(r)), "metadata", {}))

pod_labels(r) := as_object(object.get(pod_metadata(r), "labels", {}))

pod_annotations(r) := as_object(object.get(pod_metadata(r), "annotations", {}))

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

containers_of(spec, lists) := [c | some key in lists; some c in as_array(object.get(spec, key, []))]

# Every container of a pod spec: init, regular and ephemeral (a debug container must be as safe as the app).
containers(spec) := containers_of(spec, ["initContainers", "containers", "ephemeralContainers"])

# The containers that take resource requests and limits: the API refuses them on ephemeral containers.
resourced_containers(spec) := containers_of(spec, ["initContainers", "containers"])

security_context(x) := as_object(object.get(x, "securityContext", {}))

# A field holding a value: absent and null both mean "not set", as they do to the API server.
is_set(obj, key) if obj[key] != null

# A field's value, or `fallback` when it is absent or null.
value(obj, key, fallback) := obj[key] if is_set(obj, key)

else := fallback

container_name(c) := object.get(c, "name", "(unnamed)")

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
