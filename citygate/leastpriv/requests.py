"""Which IAM action, on which resources, an HTTP request to an AWS API asks for.

Read from the request alone, as the embedded AWS receives it: the SigV4 credential scope names the
access key, region and signing service; the operation is `Action=` (query protocols), the
`X-Amz-Target` header (JSON protocols), moto's S3 action map (S3) or the botocore operation whose
method and request URI match (other REST services).  Resources are derived for the services the
platform's workloads use (S3, DynamoDB, Kinesis, KMS, Secrets Manager, SSM, CloudWatch Logs); other
calls carry none and are judged by their action alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qs, unquote

DEFAULT_ACCOUNT = "123456789012"  # moto's account when the caller's is not known
CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
# API operation -> IAM action where IAM names the permission otherwise.
IAM_ACTION_NAMES = {
    "s3:HeadBucket": "s3:ListBucket",
    "lambda:Invoke": "lambda:InvokeFunction",
    "lambda:InvokeAsync": "lambda:InvokeFunction",
    "lambda:InvokeWithResponseStream": "lambda:InvokeFunction",
}
URI_PART = re.compile(r"\{([^}+]+)(\+?)\}")


@dataclass(frozen=True)
class Request:
    """The parts of one HTTP request that name an AWS call (header names lower-case)."""

    method: str
    path: str  # URL-decoded
    query: str
    headers: Mapping[str, str]
    body: bytes = b""

    @property
    def params(self) -> dict[str, str]:
        """Query-string parameters, and form-encoded body ones (query protocols post their Action)."""
        found = {k: v[0] for k, v in parse_qs(self.query, keep_blank_values=True).items()}
        if self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            found.update({k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()})
        return found


@dataclass(frozen=True)
class Described:
    """What a request asks IAM for."""

    key: str
    region: str
    service: str  # the signing name, which is the IAM service prefix
    operation: str
    action: str
    resources: tuple[str, ...]
    context: dict[str, str]


def credential(request: Request) -> tuple[str, str, str] | None:
    """(access key id, region, signing service) of a SigV4-signed request; None if unsigned."""
    signed = CREDENTIAL.search(request.headers.get("authorization", ""))
    if signed is None:
        presigned = parse_qs(request.query).get("X-Amz-Credential", [""])[0]
        signed = CREDENTIAL.search(f"Credential={presigned}")
    return (signed.group(1), signed.group(2), signed.group(3)) if signed else None


def describe(request: Request, account: str | None = None) -> Described | None:
    """The IAM view of a signed request; None for an unsigned one (STS web-identity calls, health checks)."""
    scope = credential(request)
    if scope is None:
        return None
    key, region, service = scope
    account = account or DEFAULT_ACCOUNT
    if service == "s3":
        iam_name, resources, context = _s3(request)
        operation = _rest_operation(service, request.method, request.path, request.query) or iam_name
        action = f"s3:{iam_name}"
    else:
        operation = _operation(request, service)
        body = _json_body(request)
        resources = _resources(service, region, account, {**request.params, **body})
        context = {}
        action = f"{service}:{operation}"
    return Described(key, region, service, operation, IAM_ACTION_NAMES.get(action, action), resources, context)


def _operation(request: Request, service: str) -> str:
    target = request.headers.get("x-amz-target", "")
    if target:
        return target.rpartition(".")[2]
    action = request.params.get("Action")
    if action:
        return action
    return _rest_operation(service, request.method, request.path, request.query) or "?"


def _json_body(request: Request) -> dict[str, Any]:
    if "json" not in request.headers.get("content-type", ""):
        return {}
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _s3(request: Request) -> tuple[str, tuple[str, ...], dict[str, str]]:
    """(IAM action name, resources, context) of an S3 request, by moto's own IAM action map."""
    from moto.s3.responses import ACTION_MAP

    host = request.headers.get("host", "").split(":")[0]
    virtual = re.match(r"^(.+)\.s3[.-]", host)
    parts = request.path.lstrip("/").split("/", 1)
    bucket, key = (
        (virtual.group(1), request.path.lstrip("/")) if virtual else (parts[0], parts[1] if len(parts) > 1 else "")
    )
    params = parse_qs(request.query, keep_blank_values=True)
    if not bucket:
        return "ListAllMyBuckets", (), {}
    kind = "KEY" if key else "BUCKET"
    by_param = ACTION_MAP[kind].get(request.method, {})
    operation = next((op for param, op in by_param.items() if param in params), by_param.get("DEFAULT", "?"))
    resource = f"arn:aws:s3:::{bucket}/{key}" if key else f"arn:aws:s3:::{bucket}"
    context = {"s3:prefix": params["prefix"][0]} if "prefix" in params and kind == "BUCKET" else {}
    return operation, (resource,), context


def _resources(service: str, region: str, account: str, params: Mapping[str, Any]) -> tuple[str, ...]:
    """ARNs of what the call names, for the services the workloads use."""
    arn = f"arn:aws:{service}:{region}:{account}"

    def given(*names: str) -> str | None:
        return next((str(params[n]) for n in names if isinstance(params.get(n), str)), None)

    if service == "dynamodb":
        tables = [given("TableName")] if given("TableName") else list(params.get("RequestItems") or {})
        return tuple(t if t.startswith("arn:") else f"{arn}:table/{t}" for t in tables if t)
    if service == "kinesis":
        stream = given("StreamARN", "StreamName")
        return (stream if stream.startswith("arn:") else f"{arn}:stream/{stream}",) if stream else ()
    if service == "kms":
        key = given("KeyId")
        if not key:
            return ()
        return (key if key.startswith("arn:") else f"{arn}:{key}" if key.startswith("alias/") else f"{arn}:key/{key}",)
    if service == "secretsmanager":
        secret = given("SecretId")
        return (secret,) if secret and secret.startswith("arn:") else ()
    if service == "ssm":
        names = [given("Name")] if given("Name") else [str(n) for n in params.get("Names") or []]
        return tuple(f"{arn}:parameter/{n.lstrip('/')}" for n in names if n)
    if service == "logs":
        group = given("logGroupName")
        stream = given("logStreamName")
        if not group:
            return ()
        return (f"{arn}:log-group:{group}:log-stream:{stream}" if stream else f"{arn}:log-group:{group}",)
    return ()


def _rest_operation(service: str, method: str, path: str, query: str) -> str | None:
    """The botocore operation of `service` whose HTTP method and request URI match, the most literal one."""
    params = parse_qs(query, keep_blank_values=True)
    best: tuple[int, str] | None = None
    for name, (op_method, pattern, required, literal) in _routes(service).items():
        matched = op_method == method and pattern.fullmatch(path) and required <= params.keys()
        if matched and (best is None or literal > best[0]):
            best = (literal, name)
    return best[1] if best else None


@cache
def _routes(service: str) -> dict[str, tuple[str, re.Pattern[str], frozenset[str], int]]:
    """operation -> (method, path regex, required query keys, literal length) of the service signing as `service`."""
    import botocore.session

    session = botocore.session.get_session()
    model = _model(session, service)
    routes = {}
    for name in model.operation_names if model else ():
        http = model.operation_model(name).http
        uri_path, _, uri_query = http.get("requestUri", "/").partition("?")
        required = frozenset(p.split("=")[0] for p in uri_query.split("&") if p)
        literal = len(URI_PART.sub("", uri_path)) + len(required)
        routes[name] = (http.get("method", "POST"), re.compile(_uri_regex(uri_path)), required, literal)
    return routes


def _uri_regex(uri_path: str) -> str:
    """`/functions/{FunctionName}/invocations` as a regex: `{X}` one path segment, `{X+}` the rest."""
    pieces, position = [], 0
    for part in URI_PART.finditer(uri_path):
        pieces += [re.escape(uri_path[position : part.start()]), ".+" if part.group(2) else "[^/]+"]
        position = part.end()
    return "".join([*pieces, re.escape(uri_path[position:].rstrip("/")), "/?"])


def _model(session: Any, service: str) -> Any:
    """The botocore service model whose signing name is `service`."""
    names = [service, *session.get_available_services()]
    for name in names:
        try:
            model = session.get_service_model(name)
        except Exception:  # not a service name: try the next
            continue
        if model.metadata.get("signingName", model.metadata.get("endpointPrefix")) == service:
            return model
    return None


def request_of(environ: Mapping[str, Any], body: bytes) -> Request:
    """A `Request` from a WSGI environment and the body already read from it."""
    headers = {k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    return Request(
        method=str(environ.get("REQUEST_METHOD", "GET")),
        path=unquote(str(environ.get("PATH_INFO", "/"))),
        query=str(environ.get("QUERY_STRING", "")),
        headers=headers,
        body=body,
    )
