"""What runs inside the embedded AWS process: moto's server, made to behave like AWS where the platform needs it.

`citygate.moto_server.MotoServer` starts this module as a child process
(`python -m citygate.moto_patches -H HOST -p PORT`, moto's own flags). `main` applies the fixes listed in
`_fix_moto` and docs/local-differences.md, then serves moto's WSGI application behind three middlewares:

- `serialized`: one request at a time. moto's backends are plain dicts and lists shared by the server's
  request threads, and concurrent requests corrupt them or crash on them;
- `answering_retries`: a request an SDK re-sends after its first attempt succeeded gets that attempt's
  answer again, instead of meeting the resource it created;
- `reporting_faults`: an exception moto does not handle becomes one `FAULT_PREFIX` line on stderr (the
  server's log, read back by `moto_server.last_fault`) and an AWS-style HTTP 500, instead of werkzeug's
  HTML page that no AWS SDK can parse;
- `recording` (only with `CITYGATE_RECORD_CALLS=FILE` in the environment): one JSON line per answered
  request, the IAM view of the call and the role its credentials were issued for (`citygate.leastpriv`).

Nothing here is imported by the CLI process except `FAULT_PREFIX`: moto is imported inside the functions.
"""

from __future__ import annotations

import argparse
import fnmatch
import io
import json
import os
import signal
import sys
import sysconfig
import threading
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment
from xml.sax.saxutils import escape

from citygate.leastpriv.calls import RECORD_ENV
from citygate.policy_json import as_list

FAULT_PREFIX = "citygate-embedded-aws: "
NOTE_PREFIX = "citygate-embedded-aws note: "  # not a fault: what the server did that AWS may not
AWS_MANAGED_EBS_KEY = "alias/aws/ebs"
LOGGING_SERVICE = "logging.s3.amazonaws.com"
FAULT_MESSAGE_LIMIT = 500  # characters of the exception message kept in the fault line and the 500 body
XML_PROTOCOLS = ("ec2", "query", "rest-xml")  # moto/botocore protocol names; every other one speaks JSON
STDLIB = sysconfig.get_paths()["stdlib"]


def main() -> None:
    """Serve moto on HOST:PORT with the fixes applied, one request at a time, crashes reported.

    moto's own `moto.server.main` takes no application wrapper, so this starts werkzeug the same way it does
    (threaded, moto's request handler, SIGTERM exits cleanly, MOTO_PORT set for moto's self-references).
    """
    parser = argparse.ArgumentParser(prog="python -m citygate.moto_patches", description="citygate's embedded AWS")
    parser.add_argument("-H", "--host", default="127.0.0.1", help="address to bind")
    parser.add_argument("-p", "--port", type=int, default=5000, help="port to bind")
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    _fix_moto()

    from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import run_simple

    app = reporting_faults(DomainDispatcherApplication(create_backend_app))
    record = os.environ.get(RECORD_ENV)
    app = serialized(serving_layers(answering_retries(recording(app, Path(record)) if record else app)))
    run_simple(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)


def serialized(app: WSGIApplication) -> WSGIApplication:
    """`app` handling one request at a time, its response body included.

    The threaded server keeps accepting connections; only moto's work is serialized. Without it, a request
    that serializes tags (every EC2 response with a `Tags` field, every tag-filtered Describe*) iterates the
    tag dicts while another request adds tags: RuntimeError, HTTP 500 after the change was made, and the
    SDK's retry of e.g. AuthorizeSecurityGroupIngress then fails as a duplicate of its own first attempt.
    """
    lock = threading.Lock()

    def handle(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        with lock:
            return _drained(app(environ, start_response))

    return handle


ANSWERS_KEPT = 4096  # answered invocations remembered for their re-sends (the newest)


def answering_retries(app: WSGIApplication) -> WSGIApplication:
    """`app` giving a re-sent request the answer its first attempt got, and noting every re-send.

    An AWS SDK re-sends a request (same `amz-sdk-invocation-id`, `amz-sdk-request: attempt=N`, N > 1)
    whose answer it did not receive in time; on a loaded machine the first attempt had succeeded, so
    a create re-sent this way met its own resource (`InvalidLaunchTemplateName.AlreadyExistsException`,
    `NetworkAclEntryAlreadyExists`) and failed the apply.  The answer to an invocation that succeeded
    (2xx) is kept and replayed to its re-sends, as the SDK would have read it the first time; a failed
    attempt is retried for real.  Each re-send writes one `NOTE_PREFIX retry:` line either way.
    Must run inside `serialized`: the answers are shared between the server's threads.
    """
    answered: OrderedDict[str, tuple[str, list[tuple[str, str]], list[bytes]]] = OrderedDict()

    def handle(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        attempt = environ.get("HTTP_AMZ_SDK_REQUEST", "")
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID", "")
        if attempt and not attempt.startswith("attempt=1;"):
            replay = answered.get(invocation)
            note(f"retry{' replayed' if replay else ''}: {attempt} invocation {invocation or '?'}")
            if replay is not None:
                status, headers, body = replay
                start_response(status, headers)
                return body
        reply: list[Any] = []

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            reply[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = _drained(app(environ, keep))
        if invocation and reply and reply[0].startswith("2"):
            answered[invocation] = (reply[0], reply[1], body)
            while len(answered) > ANSWERS_KEPT:
                answered.popitem(last=False)
        return body

    return handle


BODY_READ_LIMIT = 1 << 20  # bytes of a JSON or form body read to name the call's resources


def recording(app: WSGIApplication, record: Path) -> WSGIApplication:
    """`app` appending one `citygate.leastpriv.calls.Call` line per signed request to `record`.

    The body is read (and handed on unchanged) only when it is a small JSON or form document, the
    protocols that name their operation or resources there.  Must run inside `serialized`: one writer.
    """
    from citygate.leastpriv.calls import Call
    from citygate.leastpriv.requests import credential, describe, request_of

    def handle(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = b""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if 0 < length <= BODY_READ_LIMIT and any(t in environ.get("CONTENT_TYPE", "") for t in ("json", "form")):
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
        request = request_of(environ, body)
        status: list[str] = []

        def keep(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[:] = [code]
            return start_response(code, headers, exc_info)

        answer = _drained(app(environ, keep))
        scope = credential(request)
        role = _assumed_role(scope[0]) if scope else None
        described = describe(request, role[1] if role else None)
        if described is not None:
            call = Call(
                key=described.key,
                principal=role[0] if role else None,
                action=described.action,
                operation=described.operation,
                resources=described.resources,
                context=described.context,
                status=int(status[0].split()[0]) if status else 0,
            )
            with record.open("a", encoding="utf-8") as out:
                out.write(call.to_json() + "\n")
        return answer

    return handle


def _assumed_role(key: str) -> tuple[str, str] | None:
    """(role ARN, account) the embedded STS issued access key `key` for; None for other keys."""
    from moto.sts.models import sts_backends

    for account in list(sts_backends.keys()):
        assumed = sts_backends[account]["aws"].get_assumed_role_from_access_key(key)
        if assumed is not None:
            return str(assumed.role_arn), str(assumed.account_id)
    return None


def note(text: str) -> None:
    """One `NOTE_PREFIX` line in the server's log (one write: one whole line)."""
    sys.stderr.write(f"{NOTE_PREFIX}{text}\n")
    sys.stderr.flush()


def reporting_faults(app: WSGIApplication) -> WSGIApplication:
    """`app` answering an unhandled exception with an AWS-style 500 and one `FAULT_PREFIX` line on stderr.

    The line (`500 <service>.<Action>: <ExceptionType>: <message> (<file>:<line>)`) is what the CLI shows;
    the same text in the body's `InternalFailure` message is what Terraform's own error shows.
    """

    def handle(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        reply: list[Any] = []
        written: list[bytes] = []

        def hold(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            reply[:] = [status, headers]
            return written.append

        try:
            body = _drained(app(environ, hold))
        except Exception as exc:
            operation, protocol = _failed_operation(exc.__traceback__)
            report = f"{_one_line(exc)} ({_raised_at(exc.__traceback__)})"
            sys.stderr.write(f"{FAULT_PREFIX}500 {operation}: {report}\n")  # one write: one whole line in the log
            sys.stderr.flush()
            status, headers, payload = internal_failure(protocol, operation, f"embedded AWS (moto) crashed: {report}")
            start_response(status, headers)
            return [payload]
        start_response(reply[0], reply[1])
        return [*written, *body]

    return handle


def _drained(result: Iterable[bytes]) -> list[bytes]:
    """The whole response body, with the iterable closed as WSGI requires."""
    try:
        return list(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


def _failed_operation(tb: TracebackType | None) -> tuple[str, str]:
    """(`service.Action`, protocol) of the moto response handler the exception escaped from.

    The handler is the innermost `self` in the traceback that is a moto `BaseResponse`; a request that broke
    before reaching one, or before moto parsed it, is named `?` and answered in the query protocol's XML.
    """
    from moto.core.responses import BaseResponse
    from moto.core.utils import get_service_model

    handlers = [frame.f_locals.get("self") for frame, _ in traceback.walk_tb(tb)]
    handler = next((h for h in reversed(handlers) if isinstance(h, BaseResponse)), None)
    if handler is None:
        return "?", "query"
    service = handler.boto3_service_name
    try:
        action = handler._get_action() or "?"
        protocol = handler.determine_response_protocol(get_service_model(service))
    except Exception:  # the request itself is what moto could not read
        return f"{service}.?", "query"
    return f"{service}.{action}", protocol


def _one_line(exc: BaseException) -> str:
    """`Type: message` on one line (just `Type` when the message is empty, as for StopIteration)."""
    message = " ".join(str(exc).split())[:FAULT_MESSAGE_LIMIT]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _raised_at(tb: TracebackType | None) -> str:
    """`file:line` of the innermost frame outside the standard library, relative to site-packages."""
    frames = traceback.extract_tb(tb)
    frame = next(
        (f for f in reversed(frames) if "site-packages" in f.filename or not f.filename.startswith(STDLIB)), frames[-1]
    )
    return f"{frame.filename.rpartition('site-packages/')[2]}:{frame.lineno}"


def internal_failure(protocol: str, operation: str, message: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """An HTTP 500 `InternalFailure` error in the body format the service's SDK parses."""
    request_id = str(uuid.uuid4())
    code = "InternalFailure"
    if protocol not in XML_PROTOCOLS:
        body = json.dumps({"__type": code, "message": message})
        content_type = "application/json" if protocol == "rest-json" else "application/x-amz-json-1.1"
        headers = [("Content-Type", content_type), ("x-amzn-ErrorType", code)]
    else:
        error = f"<Code>{code}</Code><Message>{escape(message)}</Message>"
        if protocol == "ec2":
            body = f"<Response><Errors><Error>{error}</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        elif operation.startswith("s3."):  # S3 errors are not wrapped in <ErrorResponse>
            body = f"<Error>{error}<RequestId>{request_id}</RequestId></Error>"
        else:
            body = f"<ErrorResponse><Error><Type>Receiver</Type>{error}</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        headers = [("Content-Type", "text/xml")]
    payload = body.encode()
    headers += [("x-amzn-RequestId", request_id), ("Content-Length", str(len(payload)))]
    return "500 Internal Server Error", headers, payload


def _fix_moto() -> None:
    """Work around moto 5.2 defects that real AWS does not have (each listed in docs/local-differences.md)."""
    from moto.core.config import default_user_config

    # Lambda: run no containers (there is no container runtime); invocations get a canned reply.
    default_user_config["lambda"] = {"use_docker": False}
    _fix_s3_logging_grant()
    _fix_rotation_without_value()
    _add_ebs_default_kms_key()
    _merge_guardduty_features()
    _fix_unknown_nacl_association()
    _add_redshift_availability_status()
    _add_redshift_parameter_values()
    _add_ecr_layer_download()
    _add_efs_policy_deletion()
    _fix_tls_only_bucket_policy()


def _fix_s3_logging_grant() -> None:
    """moto crashes on a `Principal: "*"` statement in the target bucket's policy and compares
    resources as exact strings; evaluate the grant with IAM wildcard matching instead."""
    from moto.s3.models import FakeBucket

    def logging_allowed_by_policy(target_bucket: Any, target_prefix: str | None) -> bool:
        """The grant AWS checks: Allow s3:PutObject to the logging service on a matching resource."""
        if not target_bucket.policy:
            return False
        sample_log = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}/{target_prefix or ''}log-object"
        return any(
            s.get("Effect") == "Allow"
            and isinstance(s.get("Principal"), dict)
            and LOGGING_SERVICE in as_list(s["Principal"].get("Service"))
            and "s3:PutObject" in as_list(s.get("Action"))
            and any(fnmatch.fnmatchcase(sample_log, pattern) for pattern in as_list(s.get("Resource")))
            for s in as_list(json.loads(target_bucket.policy.decode()).get("Statement", []))
        )

    FakeBucket._log_permissions_enabled_policy = staticmethod(logging_allowed_by_policy)  # type: ignore[method-assign]


def _fix_tls_only_bucket_policy() -> None:
    """moto judges object requests against a bucket policy with every Condition ignored, so the TLS-only deny
    (`aws:SecureTransport` = false) refuses every object read and write.  Judge the request as what it stands
    for: an SDK call reaches AWS over HTTPS (the embedded server's plain HTTP on loopback is the emulator's
    transport, not the client's choice), so that one statement cannot match; every other statement is judged
    as moto judges it."""
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    from citygate.bucket_tls import denies_plain_http

    def get_permission(bucket: Any, action: str, resource: str) -> Any:
        if bucket.policy is None:
            return PermissionResult.NEUTRAL
        policy = json.loads(bucket.policy.decode())
        statements = [s for s in as_list(policy.get("Statement", [])) if not denies_plain_http(s)]
        return IAMPolicy(json.dumps({**policy, "Statement": statements})).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission  # type: ignore[method-assign, assignment]


def _fix_rotation_without_value() -> None:
    """moto crashes configuring rotation of a secret with no value yet; AWS lets the rotation
    function create the first version, so record the rotation without one."""
    from moto.secretsmanager.models import SecretsManagerBackend

    rotate = SecretsManagerBackend.rotate_secret

    def rotate_secret(self: Any, secret_id: str, **kwargs: Any) -> Any:
        secret = self.secrets[secret_id] if self._is_valid_identifier(secret_id) else None
        if secret is None or getattr(secret, "versions", True):
            return rotate(self, secret_id, **kwargs)
        lambda_arn = kwargs.pop("rotation_lambda_arn", None)
        result = rotate(self, secret_id, rotation_lambda_arn=None, **kwargs)
        secret.rotation_lambda_arn = lambda_arn or ""
        return result

    SecretsManagerBackend.rotate_secret = rotate_secret  # type: ignore[method-assign,assignment]


def _add_redshift_parameter_values() -> None:
    """moto has no ModifyClusterParameterGroup (the provider sets a parameter group's values with it) and
    DescribeClusterParameters answers the engine defaults whatever the group holds: keep each group's
    values, and describe them over the defaults (only them for `Source=user`, as AWS does)."""
    from moto.core.responses import ActionResult
    from moto.redshift.responses import RedshiftResponse

    def values(response: Any, name: str) -> dict[str, str]:
        group = response.redshift_backend.parameter_groups[name]  # callers ask moto first: it raises not-found
        if not hasattr(group, "citygate_values"):
            group.citygate_values = {}
        return group.citygate_values

    def modify_cluster_parameter_group(self: Any) -> ActionResult:
        name = self._get_param("ParameterGroupName")
        self.redshift_backend.describe_cluster_parameters(name)  # raises moto's ClusterParameterGroupNotFound
        for parameter in self._get_params().get("Parameters", []):
            values(self, name)[parameter["ParameterName"]] = parameter.get("ParameterValue", "")
        return ActionResult(
            {"ParameterGroupName": name, "ParameterGroupStatus": "Your parameter group has been updated."}
        )

    def describe_cluster_parameters(self: Any) -> ActionResult:
        name = self._get_param("ParameterGroupName")
        defaults = self.redshift_backend.describe_cluster_parameters(parameter_group_name=name)
        own = values(self, name)
        merged = [
            {**p, "ParameterValue": own[p["ParameterName"]], "Source": "user"} if p["ParameterName"] in own else p
            for p in defaults
        ]
        merged += [
            {**defaults[0], "ParameterName": key, "ParameterValue": value, "Source": "user"}
            for key, value in own.items()
            if key not in {p["ParameterName"] for p in defaults}
        ]
        source = self._get_param("Source")
        return ActionResult({"Parameters": [p for p in merged if not source or p["Source"] == source]})

    RedshiftResponse.modify_cluster_parameter_group = modify_cluster_parameter_group  # type: ignore[attr-defined]
    RedshiftResponse.describe_cluster_parameters = describe_cluster_parameters  # type: ignore[method-assign]


def _add_redshift_availability_status() -> None:
    """moto leaves out a cluster's ClusterAvailabilityStatus, AvailabilityZoneRelocationStatus and
    MultiAZ, which the provider reads after creating a cluster; report them as AWS does for a
    single-zone cluster that is ready (availability from its status) and not relocating."""
    from moto.redshift.models import Cluster

    Cluster.cluster_availability_status = property(  # type: ignore[attr-defined]
        lambda self: "Available" if self.status == "available" else "Unavailable"
    )
    Cluster.availability_zone_relocation_status = "disabled"  # type: ignore[attr-defined]
    Cluster.multi_az = "Disabled"  # type: ignore[attr-defined]


def _add_efs_policy_deletion() -> None:
    """moto has no DeleteFileSystemPolicy, which `terraform destroy` calls for an
    `aws_efs_file_system_policy`; remove the stored policy as AWS does (an empty 200 answer)."""
    from moto.efs.responses import EFSResponse

    def delete_file_system_policy(self: Any) -> tuple[str, dict[str, str]]:
        self.efs_backend.file_systems_by_id[self._get_param("FileSystemId")].file_system_policy = None
        return "{}", {"Content-Type": "application/json"}

    EFSResponse.delete_file_system_policy = delete_file_system_policy  # type: ignore[attr-defined]


def _merge_guardduty_features() -> None:
    """moto replaces a detector's whole feature list on UpdateDetector; AWS updates the named
    features only (one `aws_guardduty_detector_feature` each)."""
    from moto.guardduty.models import Detector

    update = Detector.update

    def merge(self: Any, enable: Any, frequency: Any, data_sources: Any, features: Any) -> None:
        if features is not None:
            named = {f.get("name", f.get("Name")): f for f in [*(self.features or []), *features]}
            features = list(named.values())
        update(self, enable, frequency, data_sources, features)

    Detector.update = merge  # type: ignore[method-assign,assignment]


def _add_ebs_default_kms_key() -> None:
    """The account's default EBS key, kept per region like moto's EBS-encryption-by-default flag."""
    from moto.core.responses import ActionResult
    from moto.ec2.responses import EC2Response

    def key_of(response: Any) -> ActionResult:
        return ActionResult({"KmsKeyId": getattr(response.ec2_backend, "ebs_default_kms_key_id", AWS_MANAGED_EBS_KEY)})

    def get_ebs_default_kms_key_id(self: Any) -> ActionResult:
        return key_of(self)

    def modify_ebs_default_kms_key_id(self: Any) -> ActionResult:
        self.ec2_backend.ebs_default_kms_key_id = self._get_param("KmsKeyId")
        return key_of(self)

    def reset_ebs_default_kms_key_id(self: Any) -> ActionResult:
        self.ec2_backend.ebs_default_kms_key_id = AWS_MANAGED_EBS_KEY
        return key_of(self)

    for action in (get_ebs_default_kms_key_id, modify_ebs_default_kms_key_id, reset_ebs_default_kms_key_id):
        setattr(EC2Response, action.__name__, action)


def _fix_unknown_nacl_association() -> None:
    """ReplaceNetworkAclAssociation of an association that does not exist: AWS answers HTTP 400
    `InvalidAssociationID.NotFound`; moto raises StopIteration (HTTP 500). The provider removes a subnet from
    a network ACL this way and treats NotFound as done, so a retried call whose first attempt had already
    moved the subnet must get the 400, not a 500 that the provider retries for a quarter of an hour."""
    from moto.ec2.exceptions import InvalidAssociationIdError
    from moto.ec2.models.network_acls import NetworkAclBackend

    replace = NetworkAclBackend.replace_network_acl_association

    def replace_network_acl_association(self: Any, association_id: str, network_acl_id: str) -> Any:
        if not any(association_id in acl._associations for acl in self.network_acls.values()):
            raise InvalidAssociationIdError(association_id)
        return replace(self, association_id, network_acl_id)

    NetworkAclBackend.replace_network_acl_association = replace_network_acl_association  # type: ignore[method-assign]


# ECR image layers as pushed (digest -> bytes), served under LAYER_PATH like the pre-signed URLs of real ECR.
LAYER_PATH = "/_citygate/ecr-layers/"
_LAYERS: dict[str, bytes] = {}


def _add_ecr_layer_download() -> None:
    """moto keeps only a pushed layer's size and has no GetDownloadUrlForLayer, so no image can be copied
    between repositories (what promotion does): keep each completed layer's bytes and answer
    GetDownloadUrlForLayer with a URL of this server that `serving_layers` answers."""
    from moto.core.responses import ActionResult
    from moto.ecr.models import ECRBackend
    from moto.ecr.responses import ECRResponse

    complete = ECRBackend.complete_layer_upload

    def complete_layer_upload(
        self: Any, repository_name: str, upload_id: str, layer_digests: list[str], registry_id: str | None = None
    ) -> Any:
        upload = self._get_repository(repository_name, registry_id).uploads.get(upload_id)
        blob = bytes(upload.layer_parts) if upload is not None else b""
        result = complete(self, repository_name, upload_id, layer_digests, registry_id)
        _LAYERS[result["layerDigest"]] = blob
        return result

    def get_download_url_for_layer(self: Any) -> ActionResult:
        repository = self.ecr_backend._get_repository(self._get_param("repositoryName"), self._get_param("registryId"))
        digest = self._get_param("layerDigest")
        if digest not in repository.layers or digest not in _LAYERS:
            from moto.ecr.exceptions import InvalidParameterException

            raise InvalidParameterException(f"Layer {digest} is not in repository {repository.name}")
        host = self.headers.get("Host", "127.0.0.1")
        return ActionResult({"downloadUrl": f"http://{host}{LAYER_PATH}{digest}", "layerDigest": digest})

    ECRBackend.complete_layer_upload = complete_layer_upload  # type: ignore[method-assign]
    ECRResponse.get_download_url_for_layer = get_download_url_for_layer  # type: ignore[method-assign,assignment]


def serving_layers(app: WSGIApplication) -> WSGIApplication:
    """`app`, plus GET LAYER_PATH<digest>: the bytes of a pushed ECR layer (see `_add_ecr_layer_download`)."""

    def handle(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "GET" or not path.startswith(LAYER_PATH):
            return app(environ, start_response)
        blob = _LAYERS.get(path.removeprefix(LAYER_PATH))
        status = "200 OK" if blob is not None else "404 Not Found"
        start_response(
            status, [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(blob or b"")))]
        )
        return [blob or b""]

    return handle


if __name__ == "__main__":
    main()
