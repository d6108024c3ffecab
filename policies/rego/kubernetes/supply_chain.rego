# Supply chain: every image comes from our ECR, pinned by digest, so what runs is what was scanned.
package citygate.kubernetes

import rego.v1

ecr_image_by_digest := `^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/[a-z0-9][a-z0-9._/-]*@sha256:[a-f0-9]{64}$`

# METADATA
# title: Images come from our ECR and are pinned by digest
# description: >-
#   A tag can be moved to other content; a digest cannot. Our ECR repositories scan on push and keep
#   tags immutable, so only images pulled from them by digest are the images the pipeline checked.
# custom:
#   id: CG_K8S_009
#   severity: high
#   controls: [CG-K8S-8]
#   fix: "Reference the image as <account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:<digest> (kustomize images: digest)."
deny contains f if {
	some r in workloads
	some c in containers(pod_spec(r))
	not regex.match(ecr_image_by_digest, object.get(c, "image", ""))
	f := finding("CG_K8S_009", r, sprintf("container %s image %q is not an ECR image pinned by digest", [c.name, object.get(c, "image", "")]))
}
