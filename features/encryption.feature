@encryption
Feature: Encryption at rest and in transit
  Risk: data of the city's sensors, citizens and models is read from a stolen disk, snapshot, backup
  or from the wire. Everything the platform stores is encrypted with a customer-managed KMS key we
  rotate (so access is governed by our key policy and can be revoked), and databases refuse
  unencrypted connections.

  @CG-ENC-1 @CG-ENC-3 @CG-ENC-4 @CG-ENC-6 @CG-ENC-7 @CG-ENC-8
  Scenario Outline: Every <what> is encrypted with one of our customer-managed KMS keys
    Given resources of type "<type>"
    Then "encryption key" must reference a "aws_kms_key"

    Examples:
      | what                          | type                                               |
      | S3 bucket default encryption  | aws_s3_bucket_server_side_encryption_configuration |
      | DynamoDB table                | aws_dynamodb_table                                 |
      | Kinesis stream                | aws_kinesis_stream                                 |
      | ECR repository                | aws_ecr_repository                                 |
      | CloudWatch log group          | aws_cloudwatch_log_group                           |
      | Secrets Manager secret        | aws_secretsmanager_secret                          |

  @CG-ENC-1
  Scenario: Every S3 bucket encrypts objects by default with one of our KMS keys
    Given resources of type "aws_s3_bucket"
    Then each must have a "aws_s3_bucket_server_side_encryption_configuration" attached through "bucket"
    And "default encryption algorithm" must be "aws:kms"
    And "encryption key" must reference a "aws_kms_key"

  @CG-ENC-2
  Scenario: Every Aurora cluster encrypts its storage with one of our KMS keys
    Given resources of type "aws_rds_cluster"
    Then "storage_encrypted" must be "true"
    And "encryption key" must reference a "aws_kms_key"

  @CG-ENC-12
  Scenario: Every Redshift cluster encrypts its storage with one of our KMS keys
    Given resources of type "aws_redshift_cluster" where present
    Then "encrypted" must be "true"
    And "encryption key" must reference a "aws_kms_key"

  @CG-ENC-3
  Scenario: Every DynamoDB table turns server-side encryption on
    Given resources of type "aws_dynamodb_table"
    Then "server-side encryption" must be "true"

  @CG-ENC-4
  Scenario: Every Kinesis stream encrypts records with KMS
    Given resources of type "aws_kinesis_stream"
    Then "encryption_type" must be "KMS"

  @CG-ENC-6
  Scenario: Every ECR repository encrypts images with KMS
    Given resources of type "aws_ecr_repository"
    Then "image encryption" must be "KMS"

  @CG-ENC-5
  Scenario: New EBS volumes in the account are encrypted by default
    Given resources of type "aws_ebs_encryption_by_default"
    Then "enabled" must be "true"

  @CG-ENC-5
  Scenario: Node volumes are encrypted with one of our KMS keys
    Given resources of type "aws_launch_template"
    Then "disk encryption" must be "true"
    And "encryption key" must reference a "aws_kms_key"

  @CG-ENC-13
  Scenario: Every EFS file system is encrypted with one of our KMS keys
    Given resources of type "aws_efs_file_system"
    Then "encrypted" must be "true"
    And "encryption key" must reference a "aws_kms_key"

  @CG-ENC-9
  Scenario: Kubernetes secrets are envelope-encrypted with one of our KMS keys
    Given resources of type "aws_eks_cluster"
    Then "envelope-encrypted resources" must include "secrets"
    And "encryption key" must reference a "aws_kms_key"

  @CG-ENC-10
  Scenario: Every customer-managed KMS key rotates automatically
    Given resources of type "aws_kms_key"
    Then "enable_key_rotation" must be "true"

  @CG-TLS-4
  Scenario: Aurora PostgreSQL refuses connections without TLS
    Given resources of type "aws_rds_cluster"
    Then each must use a "aws_rds_cluster_parameter_group" through "db_cluster_parameter_group_name"
    And "forced TLS setting" must be "1"

  @CG-ENC-11
  Scenario: Plain SSM parameters are only non-secret configuration under a config path
    Given resources of type "aws_ssm_parameter" where present
    When their "type" is "String"
    Then "name" must match "(.*/)?config/.+"
    And "name" must not match "(?i).*(password|passwd|passphrase|secret|token|credential|private[-_]?key|api[-_]?key|access[-_]?key|signing[-_]?key).*"

  @CG-ENC-11
  Scenario: SecureString SSM parameters are encrypted with one of our KMS keys
    Given resources of type "aws_ssm_parameter" where present
    When their "type" is "SecureString"
    Then "encryption key" must reference a "aws_kms_key"
