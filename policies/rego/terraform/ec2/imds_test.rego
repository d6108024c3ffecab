package citygate.ec2_test

import data.citygate.ec2
import data.citygate.testing as t
import rego.v1

template(options) := t.r("aws_launch_template.nodes", {"name": "nodes", "metadata_options": options}, {"image_id": ["data.aws_ami.eks"]}, [])

required := [{"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1}]

nodes(template_refs) := t.r("aws_eks_node_group.nodes", {"launch_template": [{}]}, template_refs, ["launch_template.0.id"])

test_imdsv2_template_and_its_node_group_pass if {
	inp := t.plan([template(required), nodes({"launch_template.0.id": ["aws_launch_template.nodes"]})])
	count(ec2.deny) == 0 with input as inp
	some p in ec2.proof with input as inp
	p.resource == "aws_launch_template.nodes"
	contains(p.evidence, `http_tokens = "required"`)
}

test_hop_limit_two_and_unwritten_hop_limit_pass if {
	count(ec2.deny) == 0 with input as t.plan([template([{"http_tokens": "required", "http_put_response_hop_limit": 2}])])
	count(ec2.deny) == 0 with input as t.plan([template([{"http_tokens": "required"}])])
}

test_disabled_metadata_service_passes if {
	count(ec2.deny) == 0 with input as t.plan([template([{"http_endpoint": "disabled"}])])
}

test_template_without_imdsv2_fails if {
	t.flagged(ec2.deny, "CG_EC2_001", "aws_launch_template.nodes") with input as t.plan([template([])])
	t.flagged(ec2.deny, "CG_EC2_001", "aws_launch_template.nodes") with input as t.plan([template([{"http_tokens": "optional"}])])
	t.flagged(ec2.deny, "CG_EC2_001", "aws_launch_template.nodes") with input as t.plan([template([{"http_endpoint": "enabled"}])])
}

test_hop_limit_above_two_fails if {
	t.flagged(ec2.deny, "CG_EC2_001", "aws_launch_template.nodes") with input as t.plan([template([{"http_tokens": "required", "http_put_response_hop_limit": 3}])])
}

test_node_group_without_a_template_of_the_plan_fails if {
	t.flagged(ec2.deny, "CG_EC2_001", "aws_eks_node_group.nodes") with input as t.plan([template(required), t.resource("aws_eks_node_group.nodes", {})])
}

test_node_group_naming_its_template_passes if {
	named := t.resource("aws_eks_node_group.nodes", {"launch_template": [{"name": "nodes", "version": "1"}]})
	count(ec2.deny) == 0 with input as t.plan([template(required), named])
}
