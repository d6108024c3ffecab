# Secrets: no secret value is committed with the manifests. Secret objects stay empty in Git and are
# filled in the cluster (an external secrets operator syncing from AWS Secrets Manager, or IRSA
# removing the need for a key at all); anyone who can read the repository could read a committed one.
package citygate.kubernetes

import rego.v1

# An AWS access key id (long-term AKIA, temporary ASIA): the half of a key pair a scanner can recognise.
aws_access_key_id := `^(AKIA|ASIA)[A-Z0-9]{16}$`

# Secret values as written: stringData in clear, data base64-encoded.
secret_values(r) := array.concat(
	[v | some v in as_object(object.get(r.values, "stringData", {}))],
	[base64.decode(v) | some v in as_object(object.get(r.values, "data", {})); is_string(v); base64.is_valid(v)],
)

committed_keys(r) := {key | some field in ["data", "stringData"]; some key, _ in as_object(object.get(r.values, field, {}))}

aws_key_note(r) := " including an AWS access key id" if {
	some v in secret_values(r)
	regex.match(aws_access_key_id, trim_space(sprintf("%v", [v])))
} else := ""

# METADATA
# title: No secret values are committed in manifests
# description: >-
#   A Secret with data or stringData puts a credential in the repository and in every clone, CI log
#   and rendered bundle; Secrets in manifests carry no values, which the cluster gets from AWS
#   Secrets Manager (an ExternalSecret) or never needs (IRSA instead of access keys).
# custom:
#   id: CG_K8S_039
#   severity: critical
#   controls: [CG-K8S-18]
#   fix: "Remove data/stringData, rotate the exposed credential, and sync the value from AWS Secrets Manager (ExternalSecret) or use IRSA."
deny contains f if {
	some r in objects("Secret")
	keys := committed_keys(r)
	count(keys) > 0
	f := finding("CG_K8S_039", r, sprintf("Secret commits values for %s%s", [concat(", ", sort(keys)), aws_key_note(r)]))
}
