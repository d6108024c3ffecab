# Proofs for the EKS rules: the secrets key known only after apply, resolved through its reference, and
# the endpoint and log settings scanners also read, as the values that satisfy them.
package citygate.eks

import data.citygate.evidence
import data.citygate.lib
import rego.v1

proof contains {"id": "CG_EKS_001", "resource": c.address, "evidence": text} if {
	some c in clusters
	vpc := lib.block(c.values, "vpc_config")
	vpc.endpoint_public_access == false
	vpc.endpoint_private_access == true
	evidence.upheld(deny, "CG_EKS_001", c.address)
	text := sprintf("%s, %s", [evidence.literal("vpc_config.endpoint_public_access", false), evidence.literal("vpc_config.endpoint_private_access", true)])
}

proof contains {"id": "CG_EKS_002", "resource": c.address, "evidence": text} if {
	some c in clusters
	_secrets_key_state(c) == "cmk"
	evidence.upheld(deny, "CG_EKS_002", c.address)
	config := lib.block(c.values, "encryption_config")
	path := "encryption_config.provider.key_arn"
	key := evidence.customer_managed_key(c, path, lib.get(lib.block(config, "provider"), "key_arn", null))
	text := sprintf("%s, provider.%s", [evidence.literal("encryption_config.resources", config.resources), key])
}

proof contains {"id": "CG_EKS_003", "resource": c.address, "evidence": evidence.literal("enabled_cluster_log_types", logged)} if {
	some c in clusters
	logged := lib.get(c.values, "enabled_cluster_log_types", [])
	every t in required_log_types {
		t in logged
	}
	evidence.upheld(deny, "CG_EKS_003", c.address)
}
