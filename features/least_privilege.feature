@least_privilege
Feature: Least privilege in IAM
  Risk: one leaked credential or one compromised workload controls the whole account. No policy
  grants every action, and a policy that lets a principal pass roles names the roles it may pass.
  Policy documents hold ARNs known only after apply, so these are proven on the live account.
  Secrets rotate automatically, so a leaked one stops working within the rotation period.

  @live @CG-IAM-3
  Scenario Outline: No <what> allows every action
    Given resources of type "<type>" where present
    Then "policy.Statement[Effect=Allow].Action" must not be "*"

    Examples:
      | what                 | type                |
      | managed policy       | aws_iam_policy      |
      | inline role policy   | aws_iam_role_policy |

  @live @CG-IAM-4
  Scenario Outline: A <what> that allows iam:PassRole names the roles it may pass
    Given resources of type "<type>" where present
    Then "policy.Statement[Action=iam:PassRole].Resource" must not be "*"

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
    Then "policy.Statement[Effect=Allow].Principal" must not be "*"
    And "policy.Statement[Effect=Allow].Principal.AWS" must not be "*"

  @CG-IAM-5
  Scenario: Every Secrets Manager secret rotates automatically
    Given resources of type "aws_secretsmanager_secret"
    Then each must have a "aws_secretsmanager_secret_rotation" attached through "secret_id"
    And "rotation_lambda_arn" must be set
    And "rotation_rules.automatically_after_days" must be at least "1"

  @CG-IAM-7
  Scenario: Node launch templates require IMDSv2 session tokens within two network hops
    Given resources of type "aws_launch_template"
    Then "metadata_options.http_tokens" must be "required"
    And "metadata_options.http_put_response_hop_limit" must be one of "1, 2"
