@supply_chain
Feature: Software supply chain: images
  Risk: a tag is silently repointed to a different image, or an image with known vulnerabilities
  reaches the cluster. Image tags are immutable and every image is scanned when pushed.

  @CG-SC-1
  Scenario: Image tags cannot be overwritten
    Given resources of type "aws_ecr_repository"
    Then "image_tag_mutability" must be "IMMUTABLE"

  @CG-SC-2
  Scenario: Every image is scanned on push
    Given resources of type "aws_ecr_repository"
    Then "image_scanning_configuration.scan_on_push" must be "true"

  @CG-SC-3
  Scenario: Every repository expires old images by a lifecycle policy
    Given resources of type "aws_ecr_repository"
    Then each must have a "aws_ecr_lifecycle_policy" attached through "repository"
    And "policy" must be set

  # The pipeline that builds and deploys the platform is part of the supply chain.

  @workflows @CG-CICD-1
  Scenario: Every third-party action is pinned to a full commit SHA
    Given resources of type "github_job"
    When their "steps.uses" is set
    Then "steps.uses" must match "(\./.+|docker://.+@sha256:[0-9a-f]{64}|[^@\s]+@[0-9a-f]{40})"

  @workflows @CG-CICD-2
  Scenario: Workflows grant the token nothing by default; jobs ask for what they need
    Given resources of type "github_workflow"
    Then "permissions" must be "{}"
    Given resources of type "github_job"
    Then "permissions" must be set
    And "permissions" must not be "write-all"

  @workflows @CG-CICD-3 @CG-CICD-4
  Scenario: Only jobs that assume an AWS role get an OIDC token, and no job holds AWS keys
    Given resources of type "github_job"
    When their "permissions.id-token" is "write"
    Then "steps.with.role-to-assume" must be set
    And "steps.with.aws-access-key-id" must not be set
    And "steps.with.aws-secret-access-key" must not be set
    And "env.AWS_SECRET_ACCESS_KEY" must not be set

  @workflows @CG-CICD-5
  Scenario: Runs of one workflow never interleave
    Given resources of type "github_workflow"
    Then "concurrency.group" must be set

  @workflows @CG-CICD-6 @CG-CICD-7 @CG-CICD-8
  Scenario Outline: <job> waits for <gate>
    Given resources of type "github_job"
    When their address matches "*/jobs/<job>"
    Then "needs" must include "<gate>"
    And "environment" must be set

    Examples:
      | job             | gate         |
      | deploy-dev      | gate-dev     |
      | staging-release | staging-gate |
      | prod-release    | prod-gate    |

  @workflows @CG-CICD-7
  Scenario: Production is gated only after the load test passed on staging
    Given resources of type "github_job"
    When their address matches "*/jobs/prod-gate"
    Then "needs" must include "loadtest"

  @workflows @CG-CICD-8
  Scenario: Production changes only through the production environment, one at a time
    Given resources of type "github_job"
    When their address matches "*/jobs/prod-release"
    Then "environment.name" must be "production"
    And "concurrency.cancel-in-progress" must be "false"

  @workflows @CG-CICD-9
  Scenario: No workflow runs pull request code with the base repository's privileges
    Given resources of type "github_workflow"
    Then "on.pull_request_target" must not be set
    And "on.workflow_run" must not be set

  @workflows @CG-CICD-10 @CG-CICD-11
  Scenario: Scripts neither echo secrets nor interpolate event data
    Given resources of type "github_job"
    When their "steps.run" is set
    Then "steps.run" must not match "(?s).*echo[^\n]*\$\{\{\s*secrets\..*"
    And "steps.run" must not match "(?s).*\$\{\{\s*github\.event\.(issue|pull_request|comment|review|head_commit)\..*"

  @workflows @CG-CICD-12
  Scenario: Released images are signed and carry an SBOM attestation
    Given resources of type "github_job"
    When their address matches "Workflow/release.yml/jobs/images"
    Then "steps.run" must include one matching "(?s).*cosign sign .*"
    And "steps.run" must include one matching "(?s).*cosign attest .*--predicate.*"
