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
    And "versioning status" must be "Enabled"

  @live @CG-TLS-3
  Scenario: Every S3 bucket has a policy that denies requests without TLS to every principal, for every action, on the bucket and its objects
    Given resources of type "aws_s3_bucket"
    Then each must have a "aws_s3_bucket_policy" attached through "bucket"
    And "SecureTransport value it denies" must be "false"
    And "principals denied plain HTTP" must include "*"
    And "actions denied plain HTTP" must include "s3:*"
    And "resources denied plain HTTP" must include one matching "arn:aws:s3:::[^/]+"
    And "resources denied plain HTTP" must include one matching "arn:aws:s3:::[^/]+/\*"

  @CG-DP-3
  Scenario: Every DynamoDB table can be restored to any point in time
    Given resources of type "aws_dynamodb_table"
    Then "point-in-time recovery" must be "true"

  @CG-DP-4
  Scenario: Every Aurora cluster keeps automated backups for a week at least (RDS keeps 35 days at most)
    Given resources of type "aws_rds_cluster"
    Then "backup retention in days" must be between "7" and "35"

  @noskip @CG-DP-4
  Scenario: Production databases cannot be deleted by accident
    Given resources of type "aws_rds_cluster"
    When the environment is "prod"
    Then "deletion_protection" must be "true"
    And "skip_final_snapshot" must be "false"
