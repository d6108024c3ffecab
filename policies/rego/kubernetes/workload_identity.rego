# Workload identity: dedicated service accounts, IRSA roles for AWS access, no API token where unused.
package citygate.kubernetes

import rego.v1

role_arn_annotation := "eks.amazonaws.com/role-arn"

# A service account whose pods call no AWS API says so instead of carrying a role: `citygate.io/aws-access: none`.
aws_access_annotation := "citygate.io/aws-access"

iam_role_arn := `^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$`

# METADATA
# title: Workloads run as a dedicated service account
# description: >-
#   The namespace's `default` service account is shared by everything that names none; each workload
#   gets its own so its IRSA role and RBAC grants are its alone.
# custom:
#   id: CG_K8S_010
#   severity: medium
#   controls: [CG-K8S-9]
#   fix: "Create a ServiceAccount for the workload and set serviceAccountName."
deny contains f if {
	some r in workloads
	service_account_name(pod_spec(r)) == "default"
	f := finding("CG_K8S_010", r, "the pods run as the namespace's default service account")
}

platform_service_account(sa) if platform_namespace(sa.module, namespace(sa))

platform_service_account(sa) if labels(sa)["app.kubernetes.io/part-of"] == "citygate"

# METADATA
# title: Platform service accounts carry their IRSA role ARN
# description: >-
#   AWS access from pods goes through IAM Roles for Service Accounts only (no node role, no keys):
#   every platform service account names its role with the eks.amazonaws.com/role-arn annotation,
#   unless it declares citygate.io/aws-access: none, and then it names no role at all.
# custom:
#   id: CG_K8S_011
#   severity: high
#   controls: [CG-K8S-9]
#   fix: "Annotate the service account with eks.amazonaws.com/role-arn: <the stack's IRSA role ARN> (or citygate.io/aws-access: none when its pods call no AWS API)."
deny contains f if {
	some sa in objects("ServiceAccount")
	platform_service_account(sa)
	not no_aws_access(sa)
	not regex.match(iam_role_arn, object.get(annotations(sa), role_arn_annotation, ""))
	f := finding("CG_K8S_011", sa, sprintf("annotation %s is missing or not an IAM role ARN", [role_arn_annotation]))
}

deny contains f if {
	some sa in objects("ServiceAccount")
	no_aws_access(sa)
	has_key(annotations(sa), role_arn_annotation)
	f := finding("CG_K8S_011", sa, sprintf("declares %s: none but names an IAM role", [aws_access_annotation]))
}

no_aws_access(sa) if annotations(sa)[aws_access_annotation] == "none"

deny contains f if {
	some r in workloads
	platform_namespace(r.module, namespace(r))
	name := service_account_name(pod_spec(r))
	not service_account(r, name)
	f := finding("CG_K8S_011", r, sprintf("service account %s is not defined with the workload", [name]))
}

service_account(r, name) := sa if {
	some sa in objects("ServiceAccount")
	same_place(sa, r)
	sa.name == name
}

# Service accounts an RBAC binding grants something to: their pods do call the Kubernetes API.
bound(r, name) if {
	some binding in resources
	binding.type in {"RoleBinding", "ClusterRoleBinding"}
	binding.module == r.module
	some subject in as_array(object.get(binding.values, "subjects", []))
	subject.kind == "ServiceAccount"
	subject.name == name
	object.get(subject, "namespace", namespace(binding)) == namespace(r)
}

# The pod setting wins; without one the service account's; without that the token is mounted.
token_mounted(r, spec) if spec.automountServiceAccountToken == true

token_mounted(r, spec) if {
	not has_key(spec, "automountServiceAccountToken")
	not service_account(r, service_account_name(spec)).values.automountServiceAccountToken == false
}

# METADATA
# title: The Kubernetes API token is mounted only where the API is used
# description: >-
#   A mounted service-account token lets anyone inside the pod call the API server. Pods whose
#   service account has no RBAC binding set automountServiceAccountToken false (IRSA's projected
#   token is separate and unaffected).
# custom:
#   id: CG_K8S_013
#   severity: medium
#   controls: [CG-K8S-10]
#   fix: "Set automountServiceAccountToken: false on the pod spec (or the service account)."
deny contains f if {
	some r in workloads
	spec := pod_spec(r)
	token_mounted(r, spec)
	name := service_account_name(spec)
	not bound(r, name)
	f := finding("CG_K8S_013", r, sprintf("the API token of %s is mounted but no RBAC binding uses it", [name]))
}
