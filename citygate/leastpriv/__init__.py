"""Least privilege, proven from real calls: what each workload did on the embedded AWS against what its
IAM role grants.

Semantics, up front:
- **Recording.** With `CITYGATE_RECORD_CALLS=FILE.jsonl` in its environment, the embedded AWS
  (`citygate.moto_patches`) appends one JSON line per request it answers (`calls.Call`): the caller's
  access key id (the SigV4 `Credential`), the role it belongs to, the IAM action (`service:Action`),
  the resources named by the request where the request names them, condition keys the request
  carries (`s3:prefix`), and the HTTP status.  A re-sent request answered from its first attempt is
  recorded once.
- **Identity.** A workload runs exactly as under IRSA in the cluster: boto3 reads `AWS_ROLE_ARN` and
  `AWS_WEB_IDENTITY_TOKEN_FILE` and calls `sts:AssumeRoleWithWebIdentity`; the embedded AWS issues
  temporary credentials and remembers which role they belong to, and the recorder names that role
  for every call signed with them.  Calls signed with long-lived keys (Terraform, tests) name no role
  and are not judged.
- **Actions** (`requests.action_of`): query protocols name the operation in `Action=`, JSON protocols
  in `X-Amz-Target`, S3 by method, path and sub-resource (moto's own IAM action map), other REST
  services by botocore's service model (method and request URI).  The IAM action is
  `signing-name:Operation`, except where IAM names it otherwise (`requests.IAM_ACTION_NAMES`).
- **Evaluation** (`iam.evaluate`): a call is granted when an `Allow` statement of the role's
  policies matches its action (wildcards, case-insensitive) and every resource it names (ARN globs)
  and no `Deny` statement matches.  Conditions are judged only on keys the request carries
  (`StringEquals`, `StringLike`, their `Not` forms, `...IfExists`); an `Allow` whose condition needs
  another key does not count as granting (the finding says so), a `Deny` with such a condition
  counts as denying.  A call whose resource the request does not name is judged by its action
  alone.  A role with an attached policy whose document is not in the plan (an AWS managed policy)
  cannot be proven to deny: such calls fail as "cannot be verified".
- **Findings** (`compare.judge`): a call the role's policies do not grant fails (`CG_IAM_005`,
  high); an action a statement grants that no recorded call of that role used is a warning
  (`CG_IAM_006`, low; `--unused fail` makes it a failure).  KMS actions are used by S3, DynamoDB,
  Kinesis, Secrets Manager, SSM and CloudWatch Logs on the caller's behalf, which no request shows:
  they count as used when the role made a call to one of those services.  Roles that made no
  recorded call are not judged; a record in which no role of the plan made a call is `skipped`.
"""
