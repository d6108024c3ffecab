"""Cross-account promotion: staging's repositories let exactly prod's push role read what the copy reads.

The copy itself cannot run cross-account here: the embedded AWS is one account, and moto does not evaluate
repository policies, so what is tested is the policy document and that it grants what `copy_image` asks of the
source registry, no less and no more.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from stack_json import Stack, ref, resources

from citygate.commands import promote
from citygate.commands.promote import Image, copy_image
from stacks.config import ENVIRONMENTS, IMAGES, PROMOTED_FROM
from stacks.registry import PROMOTION_PULL

PROD_PUSH_ROLE = f"arn:aws:iam::{ENVIRONMENTS['prod'].account_id}:role/citygate-ci-prod-push"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def test_staging_repositories_let_only_prods_push_role_pull(synthesized: dict[str, Stack]) -> None:
    assert PROMOTED_FROM["prod"] == "staging"
    assert ENVIRONMENTS["prod"].account_id != ENVIRONMENTS["staging"].account_id
    policies = resources(synthesized["staging"], "aws_ecr_repository_policy")
    assert set(policies) == {f"ecr_{image}" for image in IMAGES}
    for name, policy in policies.items():
        assert policy["repository"] == ref(f"aws_ecr_repository.{name}", "name")
        (statement,) = json.loads(policy["policy"])["Statement"]
        assert statement == {
            "Sid": "PromotionPull",
            "Effect": "Allow",
            "Principal": {"AWS": [PROD_PUSH_ROLE]},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        }


@pytest.mark.parametrize("env", [env for env in ENVIRONMENTS if env != "staging"])
def test_environments_nobody_promotes_from_have_no_repository_policy(synthesized: dict[str, Stack], env: str) -> None:
    assert not resources(synthesized[env], "aws_ecr_repository_policy")


class RecordingEcr:
    """An ECR client holding one single-layer image: records which operation `copy_image` sends to which registry."""

    class exceptions:  # the shape of a boto3 client's `exceptions`
        class ImageAlreadyExistsException(Exception):
            """Never raised: the target never has the image here."""

    def __init__(self, manifest: str) -> None:
        self.manifest = manifest
        self.calls: list[tuple[str, str]] = []

    def __getattr__(self, operation: str) -> Any:
        def call(**kwargs: Any) -> dict[str, Any]:
            self.calls.append((operation, kwargs["registryId"]))
            answers: dict[str, dict[str, Any]] = {
                "batch_get_image": {
                    "images": [{"imageManifest": self.manifest, "imageManifestMediaType": OCI_MANIFEST}]
                },
                "batch_check_layer_availability": {"layers": []},
                "get_download_url_for_layer": {"downloadUrl": "http://127.0.0.1/layer"},
                "initiate_layer_upload": {"uploadId": "upload", "partSize": 1024},
                "complete_layer_upload": {"layerDigest": kwargs.get("layerDigests", [""])[0]},
            }
            return answers.get(operation, {})

        return call


def test_the_policy_grants_what_the_copy_asks_of_the_source(monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = json.dumps({"config": {"digest": "sha256:c"}, "layers": [{"digest": "sha256:l"}]})
    monkeypatch.setattr(promote.urllib.request, "urlopen", lambda url, timeout: io.BytesIO(b"layer"))
    ecr = RecordingEcr(manifest)
    staging, prod = ENVIRONMENTS["staging"].account_id, ENVIRONMENTS["prod"].account_id
    copy_image(
        ecr,
        Image(staging, "eu-west-1", "citygate/staging/api", "sha256:m"),
        Image(prod, "eu-west-1", "citygate/prod/api", "sha256:m"),
    )
    asked = {"".join(word.title() for word in op.split("_")) for op, registry in ecr.calls if registry == staging}
    assert {f"ecr:{action}" for action in asked} == set(PROMOTION_PULL)
