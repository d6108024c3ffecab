@audit_logging
Feature: Audit logging and threat detection
  Risk: an intrusion or a misuse of privileges leaves no trace, or its trace can be altered.
  Every API call in every region is recorded by CloudTrail with tamper-evident, KMS-encrypted logs;
  GuardDuty watches the account and the cluster's audit logs; AWS Config keeps recording every
  resource between deployments; the EKS control plane sends its audit logs.

  @CG-AUD-1
  Scenario: CloudTrail records every region, validates its log files, encrypts them with our key and sends them to CloudWatch Logs
    Given resources of type "aws_cloudtrail"
    Then "is_multi_region_trail" must be "true"
    And "enable_log_file_validation" must be "true"
    And "include_global_service_events" must be "true"
    And "encryption key" must reference a "aws_kms_key"
    And "CloudWatch log group" must reference a "aws_cloudwatch_log_group"

  @CG-AUD-2
  Scenario: GuardDuty is enabled
    Given resources of type "aws_guardduty_detector"
    Then "enable" must be "true"

  @CG-AUD-2
  Scenario: GuardDuty reads the cluster's audit logs
    Given resources of type "aws_guardduty_detector"
    Then each must have a "aws_guardduty_detector_feature" attached through "detector_id"
    When their "name" is "EKS_AUDIT_LOGS"
    Then "status" must be "ENABLED"

  @CG-AUD-3
  Scenario: AWS Config records every supported resource, global ones included
    Given resources of type "aws_config_configuration_recorder"
    Then "records every resource type" must be "true"
    And "records global resources" must be "true"

  @CG-AUD-3
  Scenario: The AWS Config recorder is running
    Given resources of type "aws_config_configuration_recorder_status"
    Then "is_enabled" must be "true"

  @CG-AUD-4
  Scenario: The EKS control plane sends its API, audit and authenticator logs
    Given resources of type "aws_eks_cluster"
    Then "control plane log types" must include "audit"
    And "control plane log types" must include "api"
    And "control plane log types" must include "authenticator"

  @CG-AUD-5
  Scenario: Every S3 bucket writes server access logs under a prefix of its own
    Given resources of type "aws_s3_bucket"
    Then each must have a "aws_s3_bucket_logging" attached through "bucket"
    And "target_bucket" must be set
    And "target_prefix" must be set

  @CG-AUD-6
  Scenario: Every Redshift cluster logs connections, user changes and user activity
    Given resources of type "aws_redshift_cluster" where present
    Then each must have a "aws_redshift_logging" attached through "cluster_identifier"
    And "log_exports" must include "connectionlog"
    And "log_exports" must include "userlog"
    And "log_exports" must include "useractivitylog"
