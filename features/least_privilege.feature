@least_privilege
Feature: Least privilege in IAM
  Risk: one leaked credential or one compromised workload controls the whole account. No policy
  grants every action, and a policy that lets a principal pass roles names the roles it may pass.
  Policy documents hold ARNs known only after apply, so these are proven on the live account.

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
