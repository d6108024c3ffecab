# EKS: private API endpoint, KMS envelope encryption of secrets, control-plane logs, IRSA's OIDC provider.
package citygate.eks

import data.citygate.lib
import rego.v1

clusters := lib.resources("aws_eks_cluster")

required_log_types := {"api", "audit", "authenticator"}

# METADATA
# title: EKS API endpoint is private
# custom:
#   id: CG_EKS_001
#   severity: high
#   controls: [CG-NET-2]
#   fix: In vpc_config set endpoint_private_access = true and endpoint_public_access = false.
deny contains f if {
	some c in clusters
	vpc := lib.block(c.values, "vpc_config")
	lib.get(vpc, "endpoint_public_access", true) != false
	not lib.unresolved(c, "vpc_config.endpoint_public_access")
	f := lib.finding("CG_EKS_001", c, "the cluster API endpoint is public")
}

deny contains f if {
	some c in clusters
	some path in ["vpc_config.endpoint_public_access", "vpc_config.endpoint_private_access"]
	lib.unresolved(c, path)
	f := lib.unverifiable("CG_EKS_001", c, path)
}

deny contains f if {
	some c in clusters
	vpc := lib.block(c.values, "vpc_config")
	lib.bool_state(c, "vpc_config.endpoint_private_access", lib.get(vpc, "endpoint_private_access", null)) in {"false", "missing"}
	f := lib.finding("CG_EKS_001", c, "the cluster API has no private endpoint")
}

_secrets_key_state(c) := lib.key_state(c, "encryption_config.provider.key_arn", lib.get(lib.block(lib.block(c.values, "encryption_config"), "provider"), "key_arn", null)) if {
	"secrets" in lib.get(lib.block(c.values, "encryption_config"), "resources", [])
} else := "unknown" if {
	lib.unresolved(c, "encryption_config")
} else := "missing"

# METADATA
# title: EKS secrets are envelope-encrypted with a customer-managed KMS key
# custom:
#   id: CG_EKS_002
#   severity: high
#   controls: [CG-ENC-9]
#   fix: Add encryption_config { resources = ["secrets"], provider { key_arn = aws_kms_key.<key>.arn } }.
deny contains f if {
	some c in clusters
	_secrets_key_state(c) == "missing"
	f := lib.finding("CG_EKS_002", c, "Kubernetes secrets are not encrypted with a customer-managed KMS key")
}

deny contains f if {
	some c in clusters
	_secrets_key_state(c) == "unknown"
	f := lib.unverifiable("CG_EKS_002", c, "the secrets encryption key")
}

# METADATA
# title: EKS control-plane audit logs are enabled
# custom:
#   id: CG_EKS_003
#   severity: high
#   controls: [CG-AUD-4]
#   fix: Set enabled_cluster_log_types to include "api", "audit" and "authenticator".
deny contains f if {
	some c in clusters
	not lib.unresolved(c, "enabled_cluster_log_types")
	missing := required_log_types - {t | some t in lib.get(c.values, "enabled_cluster_log_types", [])}
	count(missing) > 0
	f := lib.finding("CG_EKS_003", c, sprintf("control-plane log types not enabled: %v", [concat(", ", sort(missing))]))
}

deny contains f if {
	some c in clusters
	lib.unresolved(c, "enabled_cluster_log_types")
	f := lib.unverifiable("CG_EKS_003", c, "enabled_cluster_log_types")
}

_irsa_providers := [p |
	some p in lib.resources("aws_iam_openid_connect_provider")
	"sts.amazonaws.com" in lib.blocks(lib.get(p.values, "client_id_list", []))
]

# clusters an IRSA provider is bound to by reference (its url is the cluster's OIDC issuer)
_bound_clusters contains c if {
	some p in _irsa_providers
	some c in lib.refs(p, "url")
	lib.address_type(c) == "aws_eks_cluster"
}

# a provider whose url is a literal (or a variable) may serve any cluster
_unbound_provider if {
	some p in _irsa_providers
	not _refers_to_a_cluster(p)
}

_refers_to_a_cluster(p) if {
	some t in lib.refs(p, "url")
	lib.address_type(t) == "aws_eks_cluster"
}

_has_oidc_provider(c) if c.address in _bound_clusters

_has_oidc_provider(_) if _unbound_provider

# METADATA
# title: The EKS cluster has an IAM OIDC provider for IRSA
# custom:
#   id: CG_EKS_004
#   severity: high
#   controls: [CG-IAM-1]
#   fix: Add aws_iam_openid_connect_provider with url = the cluster's identity[0].oidc[0].issuer and client_id_list = ["sts.amazonaws.com"].
deny contains f if {
	some c in clusters
	not _has_oidc_provider(c)
	f := lib.finding("CG_EKS_004", c, "no IAM OIDC provider (audience sts.amazonaws.com) for the cluster: pods cannot use IRSA")
}
