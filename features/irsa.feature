@irsa
Feature: Workload identities (IAM roles for service accounts)
  Risk: a compromised pod borrows the node's role, or any pod in the cluster assumes another
  workload's role. Each workload gets its own IAM role through the cluster's OIDC provider, and a
  role's trust policy admits exactly one Kubernetes service account, for the STS audience only.

  @CG-IAM-1
  Scenario: The cluster has an OIDC provider that issues tokens for STS
    Given resources of type "aws_iam_openid_connect_provider"
    Then "client_id_list" must include "sts.amazonaws.com"
    And "url" must reference a "aws_eks_cluster"

  @CG-IAM-1
  Scenario: Every cluster has an OIDC provider of its own
    Given resources of type "aws_eks_cluster"
    Then each must have a "aws_iam_openid_connect_provider" attached through "url"

  @live @CG-IAM-2
  Scenario: Each workload role trusts exactly one service account, for STS only
    Given resources of type "aws_iam_role"
    When their "trusted actions" includes "sts:AssumeRoleWithWebIdentity"
    Then "trusted audience" must be "sts.amazonaws.com"
    And "trusted service account" must match "system:serviceaccount:[a-z0-9-]+:[a-z0-9-]+"
    And "wildcard trust conditions" must be empty
