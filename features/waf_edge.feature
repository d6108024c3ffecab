@waf_edge
Feature: The internet edge: WAF and TLS on the load balancer
  Risk: the public entry point is hit by common web exploits, floods, or downgraded to plain text.
  Every internet-facing load balancer sits behind a WAF web ACL with the AWS managed common rule set
  and a rate limit a flood actually reaches; HTTPS listeners offer TLS 1.3 and nothing older than
  TLS 1.2; plain HTTP only redirects to HTTPS.

  @CG-WAF-1
  Scenario: Every internet-facing load balancer is protected by a WAF web ACL
    Given resources of type "aws_lb"
    When their "internal" is "false"
    Then each must have a "aws_wafv2_web_acl_association" attached through "resource_arn"
    And "web_acl_arn" must reference a "aws_wafv2_web_acl"

  @CG-WAF-1
  Scenario: The web ACL includes the AWS managed common rule set and a rate limit of 100 to 10000 requests per 5 minutes per client
    Given resources of type "aws_wafv2_web_acl"
    When their "scope" is "REGIONAL"
    Then "managed rule groups" must include "AWSManagedRulesCommonRuleSet"
    And "rate limit per 5 minutes" must be between "100" and "10000"

  @CG-TLS-1
  Scenario: HTTPS listeners offer TLS 1.3 and accept nothing older than TLS 1.2
    Given resources of type "aws_lb_listener"
    When their "protocol" is "HTTPS"
    Then "TLS policy" must match "ELBSecurityPolicy-TLS13-1-[23]-.+"

  @CG-TLS-2
  Scenario: Plain-HTTP listeners only redirect to HTTPS
    Given resources of type "aws_lb_listener"
    When their "protocol" is "HTTP"
    Then "default action" must be "redirect"
    And "redirect protocol" must be "HTTPS"
