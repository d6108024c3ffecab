# Serving pods stay up through node drains and load: a PodDisruptionBudget and an autoscaler each.
package citygate.kubernetes

import rego.v1

# Workloads behind a Service are the serving ones.
serving contains r if {
	some r in workloads
	r.type in {"Deployment", "StatefulSet"}
	some svc in objects("Service")
	same_place(svc, r)
	selector := as_object(object.get(svc.values.spec, "selector", {}))
	count(selector) > 0
	selector_matches({"matchLabels": selector}, pod_labels(r))
}

# METADATA
# title: Serving workloads have a PodDisruptionBudget
# description: Without a PDB a node drain or upgrade may evict every replica at once.
# custom:
#   id: CG_K8S_022
#   severity: medium
#   controls: [CG-K8S-14]
#   fix: "Add a policy/v1 PodDisruptionBudget (maxUnavailable: 1) selecting the workload's pods."
deny contains f if {
	some r in serving
	not has_pdb(r)
	f := finding("CG_K8S_022", r, "serving pods have no PodDisruptionBudget")
}

has_pdb(r) if {
	some pdb in objects("PodDisruptionBudget")
	same_place(pdb, r)
	selector_matches(pdb.values.spec.selector, pod_labels(r))
}

# METADATA
# title: Serving workloads have a HorizontalPodAutoscaler
# description: Serving capacity follows load instead of a fixed replica count.
# custom:
#   id: CG_K8S_023
#   severity: low
#   controls: [CG-K8S-14]
#   fix: "Add an autoscaling/v2 HorizontalPodAutoscaler whose scaleTargetRef names the workload."
deny contains f if {
	some r in serving
	not has_hpa(r)
	f := finding("CG_K8S_023", r, "serving pods have no HorizontalPodAutoscaler")
}

has_hpa(r) if {
	some hpa in objects("HorizontalPodAutoscaler")
	same_place(hpa, r)
	hpa.values.spec.scaleTargetRef.kind == r.type
	hpa.values.spec.scaleTargetRef.name == r.name
}
