@least_privilege
Feature: Least privilege in IAM
  Risk: one leaked credential or one compromised workload controls the whole account. No policy
  grants every action, and a policy that lets a principal pass roles names the roles it may pass.
  Policy documents hold ARNs known only after apply, so these are proven on the live account.
  Secrets rotate automatically, so a leaked one stops working within the rotation period.

  @live @CG-IAM-3 @FSBP-IAM.1 @CIS-AWS-1.15
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

  @CG-IAM-5 @FSBP-SecretsManager.1
  Scenario: Every Secrets Manager secret rotates automatically
    Given resources of type "aws_secretsmanager_secret"
    Then each must have a "aws_secretsmanager_secret_rotation" attached through "secret_id"
    And "rotation_lambda_arn" must be set
    And "rotation_rules.automatically_after_days" must be at least "1"
