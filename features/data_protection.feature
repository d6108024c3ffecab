@data_protection
Feature: Data protection: exposure, loss and recovery
  Risk: the data lake is exposed publicly or read over plain HTTP, objects are overwritten or
  deleted without a way back, a table or a database cannot be restored, or production data is
  dropped by an accidental delete.

  @CG-DP-1
  Scenario: Every S3 bucket blocks all public access
    Given resources of type "aws_s3_bucket"
    Then each must have a "aws_s3_bucket_public_access_block" attached through "bucket"
    And "block_public_acls" must be "true"
    And "block_public_policy" must be "true"
    And "ignore_public_acls" must be "true"
    And "restrict_public_buckets" must be "true"

  @CG-DP-2
  Scenario: Every S3 bucket keeps object versions
    Given resources of type "aws_s3_bucket"
    Then each must have a "aws_s3_bucket_versioning" attached through "bucket"
    And "versioning_configuration.status" must be "Enabled"

  @CG-TLS-3
  Scenario: Every S3 bucket has a bucket policy
    Given resources of type "aws_s3_bucket"
    Then each must have a "aws_s3_bucket_policy" attached through "bucket"
    And "policy" must be set

  @live @CG-TLS-3
  Scenario: Every bucket policy denies requests that do not use TLS to every principal, for every action, on the bucket and its objects
    Given resources of type "aws_s3_bucket_policy"
    Then "policy.Statement[Effect=Deny].Condition.Bool.aws:SecureTransport" must be "false"
    And "policy.Statement[Effect=Deny].Principal" must include "*"
    And "policy.Statement[Effect=Deny].Action" must include "s3:*"
    And "policy.Statement[Effect=Deny].Resource" must include one matching "arn:aws:s3:::[^/]+"
    And "policy.Statement[Effect=Deny].Resource" must include one matching "arn:aws:s3:::[^/]+/\*"

  @CG-DP-3
  Scenario: Every DynamoDB table can be restored to any point in time
    Given resources of type "aws_dynamodb_table"
    Then "point_in_time_recovery.enabled" must be "true"

  @CG-DP-4
  Scenario: Every Aurora cluster keeps automated backups
    Given resources of type "aws_rds_cluster"
    Then "backup_retention_period" must be at least "1"

  @CG-DP-4
  Scenario: Production databases cannot be deleted by accident
    Given resources of type "aws_rds_cluster"
    When the environment is "prod"
    Then "deletion_protection" must be "true"
    And "skip_final_snapshot" must be "false"
