"""The embedded AWS's own guards (citygate.moto_patches), exercised through a real server process.

The concurrent tests run their calls beside the rest of an apply's traffic: resources being tagged and read
back by tag. moto serializes tags (every EC2 `Tags` field, every tag filter) by iterating tag dicts that
other requests grow and shrink, so without one-request-at-a-time handling these tests failed in every run
tried: HTTP 500s (`RuntimeError: dictionary changed size during iteration`) and, once the SDK retried an
authorization whose first attempt had added the rule before crashing, `InvalidPermission.Duplicate`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import botocore.parsers
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from citygate.moto_patches import FAULT_PREFIX, internal_failure
from citygate.moto_server import MotoServer, last_fault, reset

Client = Callable[..., Any]
THREADS = 8
WRITERS = 2
READERS = 2
TAGGED_GROUPS = 40  # resources whose tags every tag read walks through
TAGS_EACH = 25


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    with MotoServer(log_file=tmp_path_factory.mktemp("embedded-aws") / "moto.log") as running:
        yield running


@pytest.fixture
def client(server: MotoServer) -> Client:
    """`client(service, attempts=1)`: a boto3 client of the emptied server; `attempts` > 1 retries like the SDKs."""
    reset(server.endpoint)

    def make(service: str, attempts: int = 1) -> Any:
        retries = Config(retries={"mode": "standard", "total_max_attempts": attempts}, max_pool_connections=THREADS)
        return boto3.client(
            service,
            endpoint_url=server.endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=retries,
        )

    return make


def create_vpc(ec2: Any) -> str:
    return str(ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"])


def association_of(ec2: Any, subnet: str) -> str:
    """The subnet's network ACL association, found the way the provider finds it."""
    acls = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"]
    (association,) = [a for acl in acls for a in acl["Associations"] if a["SubnetId"] == subnet]
    return str(association["NetworkAclAssociationId"])


@contextmanager
def apply_traffic(client: Client, vpc: str) -> Iterator[list[str]]:
    """What else an apply does meanwhile: tagged resources tagged and read back by tag, until the block ends.

    Yields the error codes those background calls met, for the caller to check after the block.
    """
    ec2 = client("ec2")
    spec = [{"ResourceType": "security-group", "Tags": [{"Key": f"tag-{n}", "Value": "v"} for n in range(TAGS_EACH)]}]
    create = ec2.create_security_group
    groups = [
        create(GroupName=f"tagged-{n}", Description="d", VpcId=vpc, TagSpecifications=spec)["GroupId"]
        for n in range(TAGGED_GROUPS)
    ]
    done = threading.Event()
    errors: list[str] = []

    def tag(writer: Any) -> None:
        writer.create_tags(Resources=groups, Tags=[{"Key": "churn", "Value": "on"}])
        writer.delete_tags(Resources=groups, Tags=[{"Key": "churn"}])

    def read(reader: Any) -> None:
        reader.describe_security_groups(Filters=[{"Name": "tag:tag-0", "Values": ["v"]}])

    def repeat(call: Callable[[Any], None]) -> None:
        own = client("ec2")
        while not done.is_set():
            if error := error_of(lambda: call(own)):
                errors.append(error)

    with ThreadPoolExecutor(WRITERS + READERS) as pool:
        background = [pool.submit(repeat, call) for call in [tag] * WRITERS + [read] * READERS]
        try:
            yield errors
        finally:
            done.set()
        for future in background:
            future.result()


def error_of(call: Callable[[], object]) -> str | None:
    """The error code the call failed with, if it failed."""
    try:
        call()
    except ClientError as exc:
        return str(exc.response["Error"]["Code"])
    return None


def errors_of(calls: list[Callable[[], object]]) -> list[str]:
    """Run the calls on a thread pool; the error codes of those that failed."""
    with ThreadPoolExecutor(THREADS) as pool:
        return [error for error in pool.map(error_of, calls) if error]


def test_replacing_an_association_that_is_gone_is_not_found(client: Client) -> None:
    """The provider's retried ReplaceNetworkAclAssociation: AWS says NotFound (400), which the provider treats as done."""
    ec2 = client("ec2")
    vpc = create_vpc(ec2)
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    moved = association_of(ec2, subnet)
    ec2.replace_network_acl_association(AssociationId=moved, NetworkAclId=acl)
    with pytest.raises(ClientError) as retried:
        ec2.replace_network_acl_association(AssociationId=moved, NetworkAclId=acl)
    assert retried.value.response["Error"]["Code"] == "InvalidAssociationID.NotFound"
    assert retried.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert association_of(ec2, subnet) != moved


def test_subnets_moved_between_acls_from_many_threads_end_in_one_acl_each(client: Client) -> None:
    ec2 = client("ec2")
    vpc = create_vpc(ec2)
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24")["Subnet"]["SubnetId"] for n in range(32)]
    acls = [ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"] for _ in range(4)]
    target = {subnet: acls[n % len(acls)] for n, subnet in enumerate(subnets)}

    def move(subnet: str) -> Callable[[], object]:
        return lambda: ec2.replace_network_acl_association(
            AssociationId=association_of(ec2, subnet), NetworkAclId=target[subnet]
        )

    with apply_traffic(client, vpc) as background_errors:
        assert errors_of([move(subnet) for subnet in subnets]) == []
    assert background_errors == []
    listed = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]
    associations = [(a["SubnetId"], acl["NetworkAclId"]) for acl in listed for a in acl["Associations"]]
    assert sorted(associations) == sorted(target.items())


def test_rules_authorized_on_one_group_from_many_threads_are_each_added_once(client: Client) -> None:
    ec2 = client("ec2", attempts=3)  # a 500 after the rule was added would come back as a Duplicate
    vpc = create_vpc(ec2)
    group = ec2.create_security_group(GroupName="alb", Description="d", VpcId=vpc)["GroupId"]
    ports = range(1000, 1048)  # AWS allows 60 rules per group and direction

    def authorize(port: int) -> Callable[[], object]:
        rule = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}
        return lambda: ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[rule])

    with apply_traffic(client, vpc) as background_errors:
        assert errors_of([authorize(port) for port in ports]) == []
    assert background_errors == []
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    assert sorted(r["FromPort"] for r in rules if not r["IsEgress"]) == list(ports)


@pytest.mark.parametrize(
    ("service", "action", "unimplemented"),
    [
        ("ec2", "DescribeByoipCidrs", lambda ec2: ec2.describe_byoip_cidrs(MaxResults=5)),
        ("iam", "GetMFADevice", lambda iam: iam.get_mfa_device(SerialNumber="arn:aws:iam::123456789012:mfa/x")),
        ("kms", "DescribeCustomKeyStores", lambda kms: kms.describe_custom_key_stores()),
    ],
    ids=["ec2-protocol", "query-protocol", "json-protocol"],
)
def test_a_crash_is_one_fault_line_and_an_aws_style_500(
    client: Client, server: MotoServer, service: str, action: str, unimplemented: Callable[[Any], object]
) -> None:
    """An action moto does not implement raises NotImplementedError inside moto: a crash, as any other."""
    assert server.log_file is not None
    logged = fault_lines(server.log_file)
    with pytest.raises(ClientError) as crashed:
        unimplemented(client(service))
    error = crashed.value.response["Error"]
    assert crashed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert error["Code"] == "InternalFailure"
    assert "NotImplementedError: The " in error["Message"]
    assert fault_lines(server.log_file) == logged + 1
    fault = last_fault(server.log_file)
    assert fault is not None and fault.startswith(f"500 {service}.{action}: NotImplementedError: The ")
    assert fault.endswith(")") and "(moto/core/responses.py:" in fault


def fault_lines(log_file: Path) -> int:
    return sum(line.startswith(FAULT_PREFIX) for line in log_file.read_text().splitlines())


@pytest.mark.parametrize(
    ("protocol", "operation"),
    [("ec2", "ec2.A"), ("query", "iam.A"), ("json", "kms.A"), ("rest-json", "eks.A"), ("rest-xml", "s3.A")],
)
def test_the_500_body_is_what_the_service_sdk_parses(protocol: str, operation: str) -> None:
    status, headers, body = internal_failure(protocol, operation, "crashed: <KeyError> & more")
    parsed = botocore.parsers.create_parser(protocol).parse(
        {"status_code": 500, "headers": dict(headers), "body": body}, None
    )
    assert status.startswith("500 ")
    assert (parsed["Error"]["Code"], parsed["Error"]["Message"]) == ("InternalFailure", "crashed: <KeyError> & more")


def test_last_fault_is_none_without_a_log_or_a_fault(tmp_path: Path) -> None:
    log = tmp_path / "moto.log"
    assert last_fault(log) is None
    log.write_text('127.0.0.1 - - [01/Jan/2026 00:00:00] "POST / HTTP/1.1" 200 -\n')
    assert last_fault(log) is None
    log.write_text(
        f"{FAULT_PREFIX}500 ec2.A: KeyError: 'x' (a.py:1)\n{FAULT_PREFIX}500 iam.B: StopIteration (b.py:2)\n"
    )
    assert last_fault(log) == "500 iam.B: StopIteration (b.py:2)"


def resent(client: Any, operation: str) -> None:
    """Make every call of `operation` on `client` look like the SDK's second attempt of one invocation."""

    def second_attempt(request: Any, **_: Any) -> None:
        request.headers["amz-sdk-invocation-id"] = f"citygate-test-{operation}"
        request.headers["amz-sdk-request"] = "attempt=2; max=3"

    client.meta.events.register(f"before-send.ec2.{operation}", second_attempt)


def test_a_resent_create_gets_its_first_answer_and_a_new_call_still_meets_aws_errors(
    client: Client, server: MotoServer
) -> None:
    ec2 = client("ec2")
    template = {"LaunchTemplateName": "nodes", "LaunchTemplateData": {"InstanceType": "t3.medium"}}
    first_attempt = client("ec2")
    first_attempt.meta.events.register(
        "before-send.ec2.CreateLaunchTemplate",
        lambda request, **_: request.headers.__setitem__("amz-sdk-invocation-id", "citygate-test-CreateLaunchTemplate"),
    )
    created = first_attempt.create_launch_template(**template)["LaunchTemplate"]
    resent(ec2, "CreateLaunchTemplate")
    again = ec2.create_launch_template(**template)["LaunchTemplate"]  # the SDK re-sending an answered request
    assert again["LaunchTemplateId"] == created["LaunchTemplateId"]
    assert len(ec2.describe_launch_templates()["LaunchTemplates"]) == 1
    assert server.log_file is not None and "retry replayed: attempt=2; max=3" in server.log_file.read_text()
    with pytest.raises(ClientError, match="AlreadyExists"):
        client("ec2").create_launch_template(**template)  # a new invocation: AWS's answer


def test_a_resent_request_is_noted_in_the_log_and_is_no_fault(client: Client, server: MotoServer) -> None:
    ec2 = client("ec2")

    def resend(request: Any, **_: Any) -> None:
        request.headers["amz-sdk-request"] = "attempt=2; max=3"

    ec2.meta.events.register("before-send.ec2.DescribeVpcs", resend)
    ec2.describe_vpcs()
    assert server.log_file is not None and "note: retry: attempt=2; max=3" in server.log_file.read_text()
    assert last_fault(server.log_file) is None or "retry" not in (last_fault(server.log_file) or "")


def test_an_efs_policy_can_be_deleted_as_destroy_does(client: Client) -> None:
    """`terraform destroy` deletes an aws_efs_file_system_policy; afterwards the file system has none."""
    efs = client("efs")
    fs = efs.create_file_system(CreationToken="citygate-policy-deletion")["FileSystemId"]
    efs.put_file_system_policy(FileSystemId=fs, Policy='{"Version": "2012-10-17", "Statement": []}')
    efs.delete_file_system_policy(FileSystemId=fs)
    assert error_of(lambda: efs.describe_file_system_policy(FileSystemId=fs)) == "PolicyNotFound"


def test_a_tls_only_bucket_serves_objects_and_its_other_denies_still_hold(client: Client) -> None:
    """The TLS-only deny is judged as the HTTPS request it stands for; any other deny is still enforced."""
    s3, bucket = client("s3"), "citygate-tls-only"
    s3.create_bucket(Bucket=bucket)
    arns = [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    tls_only = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": arns,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    no_deletes = {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": arns[1]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [tls_only]}))
    s3.put_object(Bucket=bucket, Key="raw/reading.json", Body=b"{}")
    assert s3.get_object(Bucket=bucket, Key="raw/reading.json")["Body"].read() == b"{}"
    s3.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [tls_only, no_deletes]})
    )
    assert error_of(lambda: s3.delete_object(Bucket=bucket, Key="raw/reading.json")) == "403"
