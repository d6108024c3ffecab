"""Live checks on the cluster, identity, audit, network, edge and registry controls."""

from __future__ import annotations

import json

import pytest
from live_support import problems

from citygate.live.checks.cluster import irsa_trust_problems
from citygate.live.clients import AwsClients

ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
ROLE_ARN = "arn:aws:iam::123456789012:role/eks"


def cluster(aws: AwsClients, name: str, hardened: bool) -> tuple[str, str, dict[str, str]]:
    kms_arn = aws("kms").create_key()["KeyMetadata"]["Arn"]
    aws("eks").create_cluster(
        name=name,
        roleArn=ROLE_ARN,
        resourcesVpcConfig={
            "subnetIds": ["subnet-1", "subnet-2"],
            "endpointPublicAccess": not hardened,
            "endpointPrivateAccess": hardened,
        },
        encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": kms_arn}}] if hardened else [],
        logging={"clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": hardened}]},
    )
    return ("aws_eks_cluster", name, {"name": name})


def test_eks_rules_pass_a_hardened_cluster_and_fail_an_open_one(aws: AwsClients) -> None:
    good, bad = cluster(aws, "good", True), cluster(aws, "bad", False)
    for rule_id, message in {
        "CG_LIVE_EKS_001": "the API endpoint is public",
        "CG_LIVE_EKS_002": "not encrypted with a KMS key",
        "CG_LIVE_EKS_003": "control-plane log types off: api, audit, authenticator",
    }.items():
        found = problems(aws, rule_id, good, bad)
        assert found["aws_eks_cluster.good"] == (), rule_id
        assert message in " ".join(found["aws_eks_cluster.bad"]), rule_id


def test_eks_oidc_provider_must_be_registered(aws: AwsClients) -> None:
    resource = cluster(aws, "c", True)
    assert "no IAM OIDC provider" in problems(aws, "CG_LIVE_EKS_004", resource)["aws_eks_cluster.c"][0]
    issuer = aws("eks").describe_cluster(name="c")["cluster"]["identity"]["oidc"]["issuer"]
    aws("iam").create_open_id_connect_provider(
        Url=issuer, ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40]
    )
    assert problems(aws, "CG_LIVE_EKS_004", resource) == {"aws_eks_cluster.c": ()}


def trust(sub: object, aud: object = "sts.amazonaws.com", operator: str = "StringEquals") -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{ISSUER}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {operator: {f"{ISSUER}:sub": sub, f"{ISSUER}:aud": aud}},
            }
        ],
    }


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (trust("system:serviceaccount:production:api"), None),
        (trust("system:serviceaccount:production:*"), "wildcard"),
        (trust(["system:serviceaccount:a:x", "system:serviceaccount:b:y"]), "exactly one"),
        (trust("system:serviceaccount:production:*", operator="StringLike"), "StringLike"),
        (trust("system:serviceaccount:production:api", aud="*"), ":aud"),
    ],
)
def test_irsa_trust_pins_one_service_account(document: dict[str, object], problem: str | None) -> None:
    found = irsa_trust_problems(document)
    assert found is not None
    assert (not found) if problem is None else any(problem in p for p in found)


def test_roles_without_web_identity_are_not_irsa() -> None:
    service_role = {
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
    assert irsa_trust_problems(service_role) is None


def test_github_actions_trusts_are_not_irsa() -> None:
    """A CI role's trust is CG-IAM-8's to judge (CG_IAM_004), not the IRSA rule's."""
    github = "token.actions.githubusercontent.com"
    ci_role = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{github}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{github}:sub": "repo:o/r:environment:prod", f"{github}:aud": "sts.amazonaws.com"}
                },
            }
        ]
    }
    assert irsa_trust_problems(ci_role) is None


def test_irsa_rule_reads_trust_policies_back(aws: AwsClients) -> None:
    iam = aws("iam")
    iam.create_role(RoleName="api", AssumeRolePolicyDocument=json.dumps(trust("system:serviceaccount:production:api")))
    iam.create_role(RoleName="any", AssumeRolePolicyDocument=json.dumps(trust("system:serviceaccount:*:*")))
    found = problems(
        aws, "CG_LIVE_IAM_003", ("aws_iam_role", "api", {"name": "api"}), ("aws_iam_role", "any", {"name": "any"})
    )
    assert found["aws_iam_role.api"] == ()
    assert found["aws_iam_role.any"] == ("trust :sub holds a wildcard",)


def test_ecr_settings(aws: AwsClients) -> None:
    ecr = aws("ecr")
    kms_arn = aws("kms").create_key()["KeyMetadata"]["Arn"]
    ecr.create_repository(
        repositoryName="good",
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": kms_arn},
    )
    expire = {
        "rulePriority": 1,
        "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 10},
        "action": {"type": "expire"},
    }
    ecr.put_lifecycle_policy(repositoryName="good", lifecyclePolicyText=json.dumps({"rules": [expire]}))
    ecr.create_repository(repositoryName="bad")
    repos = (("aws_ecr_repository", "good", {"name": "good"}), ("aws_ecr_repository", "bad", {"name": "bad"}))
    for rule_id in ("CG_LIVE_ECR_001", "CG_LIVE_ECR_002", "CG_LIVE_ECR_003", "CG_LIVE_ECR_004"):
        found = problems(aws, rule_id, *repos)
        assert found["aws_ecr_repository.good"] == (), rule_id
        assert found["aws_ecr_repository.bad"], rule_id


def test_account_wide_audit_controls_fail_on_an_empty_account(aws: AwsClients) -> None:
    for rule_id in ("CG_LIVE_CT_001", "CG_LIVE_GD_001", "CG_LIVE_CFG_001", "CG_LIVE_EBS_001"):
        (outcome,) = problems(aws, rule_id).values()
        assert outcome, rule_id


def test_account_wide_audit_controls_pass_when_configured(aws: AwsClients) -> None:
    aws("s3").create_bucket(Bucket="trail")
    kms_arn = aws("kms").create_key()["KeyMetadata"]["Arn"]
    trail = aws("cloudtrail").create_trail(
        Name="main", S3BucketName="trail", IsMultiRegionTrail=True, EnableLogFileValidation=True, KmsKeyId=kms_arn
    )
    aws("cloudtrail").start_logging(Name="main")
    detector = aws("guardduty").create_detector(
        Enable=True, DataSources={"Kubernetes": {"AuditLogs": {"Enable": True}}}
    )["DetectorId"]
    config = aws("config")
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "main", "roleARN": ROLE_ARN, "recordingGroup": {"allSupported": True}}
    )
    config.put_delivery_channel(DeliveryChannel={"name": "main", "s3BucketName": "trail"})
    config.start_configuration_recorder(ConfigurationRecorderName="main")
    aws("ec2").enable_ebs_encryption_by_default()
    aws("ec2").modify_ebs_default_kms_key_id(KmsKeyId=kms_arn)
    state = {
        "CG_LIVE_CT_001": ("aws_cloudtrail", "main", {"arn": trail["TrailARN"]}),
        "CG_LIVE_GD_001": ("aws_guardduty_detector", "main", {"id": detector}),
        "CG_LIVE_CFG_001": ("aws_config_configuration_recorder", "main", {"name": "main"}),
        "CG_LIVE_EBS_001": ("aws_ebs_encryption_by_default", "main", {"enabled": True}),
    }
    for rule_id, resource in state.items():
        assert problems(aws, rule_id, resource) == {f"{resource[0]}.main": ()}, rule_id


def test_ebs_default_encryption_with_the_aws_managed_key_fails(aws: AwsClients) -> None:
    aws("ec2").enable_ebs_encryption_by_default()
    (problem,) = problems(aws, "CG_LIVE_EBS_001").values()
    assert "default EBS encryption" in problem[0]


def test_vpc_flow_logs_and_default_security_group(aws: AwsClients) -> None:
    ec2 = aws("ec2")
    logged = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    silent = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    aws("s3").create_bucket(Bucket="flow-logs")
    ec2.create_flow_logs(
        ResourceIds=[logged],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-logs",
    )
    vpcs = (("aws_vpc", "logged", {"id": logged}), ("aws_vpc", "silent", {"id": silent}))
    flow = problems(aws, "CG_LIVE_NET_002", *vpcs)
    assert flow == {"aws_vpc.logged": (), "aws_vpc.silent": ("no flow log captures ALL traffic",)}
    # A new VPC's default group allows all egress and intra-group ingress: closing it is the control.
    default_sg = problems(aws, "CG_LIVE_NET_003", *vpcs)
    assert default_sg["aws_vpc.logged"]


def test_a_closed_default_security_group_passes(aws: AwsClients) -> None:
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
    (default,) = [g for g in groups if g["GroupName"] == "default"]
    if default["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=default["GroupId"], IpPermissions=default["IpPermissions"])
    if default["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(GroupId=default["GroupId"], IpPermissions=default["IpPermissionsEgress"])
    assert problems(aws, "CG_LIVE_NET_003", ("aws_vpc", "main", {"id": vpc})) == {"aws_vpc.main": ()}


def load_balancer(aws: AwsClients, name: str) -> str:
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in ((1, "a"), (2, "b"))
    ]
    return str(aws("elbv2").create_load_balancer(Name=name, Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"])


def test_edge_rules_pass_a_guarded_load_balancer_and_fail_a_bare_one(aws: AwsClients) -> None:
    elbv2 = aws("elbv2")
    guarded, bare = load_balancer(aws, "guarded"), load_balancer(aws, "bare")
    certificate = [{"CertificateArn": aws("acm").request_certificate(DomainName="city.example")["CertificateArn"]}]
    forward = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}]
    redirect = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
    elbv2.create_listener(
        LoadBalancerArn=guarded,
        Protocol="HTTPS",
        Port=443,
        SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        Certificates=certificate,
        DefaultActions=forward,
    )
    elbv2.create_listener(LoadBalancerArn=guarded, Protocol="HTTP", Port=80, DefaultActions=redirect)
    elbv2.create_listener(
        LoadBalancerArn=bare,
        Protocol="HTTPS",
        Port=443,
        SslPolicy="ELBSecurityPolicy-2016-08",
        Certificates=certificate,
        DefaultActions=forward,
    )
    elbv2.create_listener(LoadBalancerArn=bare, Protocol="HTTP", Port=80, DefaultActions=forward)
    acl = aws("wafv2").create_web_acl(
        Name="edge",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig={"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "edge"},
    )["Summary"]["ARN"]
    aws("wafv2").associate_web_acl(WebACLArn=acl, ResourceArn=guarded)
    lbs = (("aws_lb", "guarded", {"arn": guarded}), ("aws_lb", "bare", {"arn": bare}))
    expected = {
        "CG_LIVE_WAF_001": "no WAF web ACL",
        "CG_LIVE_ALB_001": "ELBSecurityPolicy-2016-08",
        "CG_LIVE_ALB_002": "serve content on ports 80",
    }
    for rule_id, message in expected.items():
        found = problems(aws, rule_id, *lbs)
        assert found["aws_lb.guarded"] == (), rule_id
        assert message in " ".join(found["aws_lb.bare"]), rule_id


def test_a_tls12_only_listener_fails_and_rate_limits_stay_within_the_catalogue_bounds(aws: AwsClients) -> None:
    tls12 = load_balancer(aws, "tls12")
    certificate = [{"CertificateArn": aws("acm").request_certificate(DomainName="city.example")["CertificateArn"]}]
    aws("elbv2").create_listener(
        LoadBalancerArn=tls12,
        Protocol="HTTPS",
        Port=443,
        SslPolicy="ELBSecurityPolicy-TLS-1-2-2017-01",
        Certificates=certificate,
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}],
    )
    found = problems(aws, "CG_LIVE_ALB_001", ("aws_lb", "tls12", {"arn": tls12}))
    assert "ELBSecurityPolicy-TLS-1-2-2017-01" in " ".join(found["aws_lb.tls12"])

    visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "edge"}

    def acl(name: str, limit: int) -> tuple[str, str, dict[str, str]]:
        rule = {
            "Name": "rate",
            "Priority": 1,
            "Action": {"Block": {}},
            "Statement": {"RateBasedStatement": {"Limit": limit, "AggregateKeyType": "IP"}},
            "VisibilityConfig": visibility,
        }
        created = aws("wafv2").create_web_acl(
            Name=name, Scope="REGIONAL", DefaultAction={"Allow": {}}, Rules=[rule], VisibilityConfig=visibility
        )["Summary"]
        return ("aws_wafv2_web_acl", name, {"name": name, "scope": "REGIONAL", "id": created["Id"]})

    found = problems(aws, "CG_LIVE_WAF_003", acl("bounded", 2000), acl("unreachable", 2_000_000_000))
    assert found == {
        "aws_wafv2_web_acl.bounded": (),
        "aws_wafv2_web_acl.unreachable": ("rate-based rule limits outside 100..10000: 2000000000",),
    }
