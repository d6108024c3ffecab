@least_privilege
Feature: Least privilege in IAM
  Risk: one leaked credential or one compromised workload controls the whole account. No policy
  grants every action, and a policy that lets a principal pass roles names the roles it may pass.
  Policy documents hold ARNs known only after apply, so these are proven on the live account.
  Secrets rotate automatically, so a leaked one stops working within the rotation period.
  What a workload's role grants is proven against what the workload really called on the embedded AWS.

  @live @CG-IAM-3
  Scenario Outline: No <what> allows every action
    Given resources of type "<type>" where present
    Then "allowed actions" must not be "*"

    Examples:
      | what                 | type                |
      | managed policy       | aws_iam_policy      |
      | inline role policy   | aws_iam_role_policy |

  @live @CG-IAM-4
  Scenario Outline: A <what> that allows iam:PassRole names the roles it may pass
    Given resources of type "<type>" where present
    Then "roles it may pass" must not be "*"

    Examples:
      | what                 | type                |
      | managed policy       | aws_iam_policy      |
      | inline role policy   | aws_iam_role_policy |

  @CG-IAM-3
  Scenario: No role carries the AWS-managed AdministratorAccess policy
    Given resources of type "aws_iam_role_policy_attachment" where present
    Then "policy_arn" must not be "arn:aws:iam::aws:policy/AdministratorAccess"

  @CG-IAM-6
  Scenario: No KMS key policy allows every AWS principal to use the key
    Given resources of type "aws_kms_key"
    Then "principals allowed to use the key" must not be "*"
    And "AWS principals allowed to use the key" must not be "*"

  @CG-IAM-5
  Scenario: Every Secrets Manager secret rotates automatically, at least every 90 days
    Given resources of type "aws_secretsmanager_secret"
    Then each must have a "aws_secretsmanager_secret_rotation" attached through "secret_id"
    And "rotation function" must be set
    And "rotation period in days" must be between "1" and "90"

  @CG-IAM-7
  Scenario: Node launch templates require IMDSv2 session tokens within two network hops
    Given resources of type "aws_launch_template"
    Then "instance metadata session tokens" must be "required"
    And "instance metadata hop limit" must be one of "1, 2"

  @CG-IAM-8
  Scenario: CI roles trust one protected environment or the main branch of this repository, for STS only
    Given resources of type "aws_iam_role" where present
    When their "GitHub token conditions" is set
    Then "GitHub audience" must be "sts.amazonaws.com"
    And "GitHub subject" must match "repo:citygate-city/citygate:(environment:[A-Za-z0-9_.-]+|ref:refs/heads/main)"
    And "wildcard trust conditions" must be empty

  @recorded @CG-IAM-9
  Scenario: Each workload's IRSA role grants every AWS call the workload made; what it never used is listed
    Given the AWS calls recorded from the workloads on the embedded AWS
    When they are compared with the IRSA policies
    Then "calls its policies deny" must be empty
    And "grants no recorded call used" are listed as warnings
