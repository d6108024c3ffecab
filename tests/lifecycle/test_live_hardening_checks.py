"""Live checks of the data tier's network ACLs, the node launch templates' IMDS and the SSM parameters."""

from __future__ import annotations

from live_support import problems

from citygate.live.clients import AwsClients


def _data_tier(aws: AwsClients, name: str, open_to_internet: bool) -> tuple[str, str, dict[str, str]]:
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for cidr, zone in (("10.0.20.0/24", "us-east-1a"), ("10.0.21.0/24", "us-east-1b"))
    ]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    source = "0.0.0.0/0" if open_to_internet else "10.0.10.0/24"
    ec2.create_network_acl_entry(
        NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="allow", Egress=False, CidrBlock=source
    )
    for subnet in subnets:
        association = next(
            a["NetworkAclAssociationId"]
            for default in ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])[
                "NetworkAcls"
            ]
            for a in default["Associations"]
            if a["SubnetId"] == subnet
        )
        ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)
    aws("rds").create_db_subnet_group(DBSubnetGroupName=name, DBSubnetGroupDescription=name, SubnetIds=subnets)
    return ("aws_db_subnet_group", name, {"name": name})


def test_data_tier_acl_admitting_only_the_private_tier_passes_and_an_open_one_fails(aws: AwsClients) -> None:
    closed, open_ = _data_tier(aws, "closed", False), _data_tier(aws, "open", True)
    found = problems(aws, "CG_LIVE_NET_004", closed, open_)
    assert found["aws_db_subnet_group.closed"] == ()
    assert "ingress from the internet" in " ".join(found["aws_db_subnet_group.open"])


def _template(aws: AwsClients, name: str, options: dict[str, object]) -> tuple[str, str, dict[str, str]]:
    data = {"MetadataOptions": options} if options else {}
    created = aws("ec2").create_launch_template(LaunchTemplateName=name, LaunchTemplateData=data)
    return ("aws_launch_template", name, {"id": created["LaunchTemplate"]["LaunchTemplateId"]})


def test_launch_templates_must_require_imdsv2_within_two_hops(aws: AwsClients) -> None:
    good = _template(aws, "good", {"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"})
    imdsv1 = _template(aws, "imdsv1", {})
    far = _template(aws, "far", {"HttpTokens": "required", "HttpPutResponseHopLimit": 3})
    found = problems(aws, "CG_LIVE_EC2_001", good, imdsv1, far)
    assert found["aws_launch_template.good"] == ()
    assert "accepts IMDSv1" in " ".join(found["aws_launch_template.imdsv1"])
    assert "hop limit of 3" in " ".join(found["aws_launch_template.far"])


def test_ssm_parameters_are_secure_strings_with_our_key_or_plain_configuration(aws: AwsClients) -> None:
    ssm = aws("ssm")
    key = aws("kms").create_key()["KeyMetadata"]["Arn"]
    ssm.put_parameter(Name="/city/db-password", Value="x", Type="SecureString", KeyId=key)
    ssm.put_parameter(Name="/city/config/cluster-name", Value="city", Type="String")
    ssm.put_parameter(Name="/city/api-token", Value="x", Type="String")
    ssm.put_parameter(Name="/city/endpoint", Value="x", Type="String")
    ssm.put_parameter(Name="/city/signing-secret", Value="x", Type="SecureString")  # the AWS-managed key
    names = {"secure": "/city/db-password", "config": "/city/config/cluster-name", "token": "/city/api-token"}
    names |= {"outside": "/city/endpoint", "aws_key": "/city/signing-secret"}
    found = problems(aws, "CG_LIVE_SSM_001", *(("aws_ssm_parameter", k, {"name": v}) for k, v in names.items()))
    assert found["aws_ssm_parameter.secure"] == ()
    assert found["aws_ssm_parameter.config"] == ()
    assert "marks a secret" in found["aws_ssm_parameter.token"][0]
    assert "outside the plain configuration namespace" in found["aws_ssm_parameter.outside"][0]
    assert found["aws_ssm_parameter.aws_key"] != ()
