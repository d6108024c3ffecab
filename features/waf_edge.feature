@waf_edge
Feature: The internet edge: WAF and TLS on the load balancer
  Risk: the public entry point is hit by common web exploits, floods, or downgraded to plain text.
  Every internet-facing load balancer sits behind a WAF web ACL with the AWS managed common rule set
  and a rate limit; HTTPS listeners use a TLS 1.2+ policy; plain HTTP only redirects to HTTPS.

  @CG-WAF-1 @FSBP-ELB.16
  Scenario: Every internet-facing load balancer is protected by a WAF web ACL
    Given resources of type "aws_lb"
    When their "internal" is "false"
    Then each must have a "aws_wafv2_web_acl_association" attached through "resource_arn"
    And "web_acl_arn" must reference a "aws_wafv2_web_acl"

  @CG-WAF-1
  Scenario: The web ACL includes the AWS managed common rule set and a rate limit
    Given resources of type "aws_wafv2_web_acl"
    When their "scope" is "REGIONAL"
    Then "rule.statement.managed_rule_group_statement.name" must include "AWSManagedRulesCommonRuleSet"
    And "rule.statement.rate_based_statement.limit" must be at least "100"

  @CG-TLS-1 @FSBP-ELB.17 @CIS-EKS-5.4.5
  Scenario: HTTPS listeners negotiate TLS 1.2 or newer only
    Given resources of type "aws_lb_listener"
    When their "protocol" is "HTTPS"
    Then "ssl_policy" must be one of "ELBSecurityPolicy-TLS13-1-2-2021-06, ELBSecurityPolicy-TLS13-1-2-Res-2021-06, ELBSecurityPolicy-TLS13-1-3-2021-06, ELBSecurityPolicy-TLS-1-2-2017-01, ELBSecurityPolicy-TLS-1-2-Ext-2018-06"

  @CG-TLS-2 @FSBP-ELB.1 @CIS-EKS-5.4.5
  Scenario: Plain-HTTP listeners only redirect to HTTPS
    Given resources of type "aws_lb_listener"
    When their "protocol" is "HTTP"
    Then "default_action.type" must be "redirect"
    And "default_action.redirect.protocol" must be "HTTPS"
