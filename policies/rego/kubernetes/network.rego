# The public edge: Ingresses served by the AWS Load Balancer Controller on HTTPS only, behind WAF.
package citygate.kubernetes

import rego.v1

alb_annotation(r, key) := object.get(annotations(r), sprintf("alb.ingress.kubernetes.io/%s", [key]), "")

# TLS 1.2+ policies with forward secrecy only (the TLS 1.3 family and the FS 1.2 policy).
tls_policies := {
	"ELBSecurityPolicy-TLS13-1-2-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
	"ELBSecurityPolicy-TLS13-1-3-2021-06",
	"ELBSecurityPolicy-FS-1-2-Res-2020-10",
}

alb_ingress(r) if object.get(r.values.spec, "ingressClassName", "") == "alb"

alb_ingress(r) if object.get(annotations(r), "kubernetes.io/ingress.class", "") == "alb"

listen_ports(r) := ports if {
	text := alb_annotation(r, "listen-ports")
	json.is_valid(text)
	ports := json.unmarshal(text)
	is_array(ports)
}

https_only(r) if {
	ports := listen_ports(r)
	count(ports) > 0
	every entry in ports {
		object.keys(entry) == {"HTTPS"}
	}
}

ingress_problems(r) := [msg |
	some check, msg in {
		"alb": "it is not served by the AWS Load Balancer Controller (ingressClassName alb)",
		"https": "its listen-ports are not HTTPS only",
		"tls": "its ssl-policy is not an approved TLS 1.2+/1.3 policy",
		"cert": "it names no ACM certificate",
	}
	not ingress_ok(r, check)
]

ingress_ok(r, "alb") if alb_ingress(r)

ingress_ok(r, "https") if https_only(r)

ingress_ok(r, "tls") if alb_annotation(r, "ssl-policy") in tls_policies

ingress_ok(r, "cert") if regex.match(`^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$`, alb_annotation(r, "certificate-arn"))

# METADATA
# title: Ingresses listen on HTTPS only with an approved TLS policy
# description: >-
#   The public load balancer terminates TLS with an ACM certificate and a TLS 1.2+/1.3 security
#   policy, and has no plain-HTTP listener at all.
# custom:
#   id: CG_K8S_018
#   severity: high
#   controls: [CG-K8S-13]
#   fix: "Use ingressClassName alb with listen-ports '[{\"HTTPS\": 443}]', ssl-policy ELBSecurityPolicy-TLS13-1-2-2021-06 and certificate-arn."
deny contains f if {
	some r in objects("Ingress")
	problems := ingress_problems(r)
	count(problems) > 0
	f := finding("CG_K8S_018", r, concat("; ", problems))
}

# METADATA
# title: Ingresses are protected by the environment's WAF web ACL
# description: The ALB an Ingress creates must carry the WAFv2 web ACL (managed rules and rate limit).
# custom:
#   id: CG_K8S_019
#   severity: high
#   controls: [CG-K8S-13]
#   fix: "Set alb.ingress.kubernetes.io/wafv2-acl-arn to the environment's web ACL ARN."
deny contains f if {
	some r in objects("Ingress")
	not regex.match(`^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:[0-9]{12}:regional/webacl/[^/]+/[^/]+$`, alb_annotation(r, "wafv2-acl-arn"))
	f := finding("CG_K8S_019", r, "no WAFv2 web ACL ARN annotation")
}
