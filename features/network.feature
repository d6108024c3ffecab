@network
Feature: Network exposure
  Risk: an attacker on the internet reaches an admin port, the Kubernetes API or a database
  directly. Only the public load balancer accepts traffic from the internet (HTTPS, and HTTP that
  merely redirects); the cluster API and the databases are private; every packet is logged; the
  default security group admits nothing.

  @CG-NET-1
  Scenario Outline: Only web ports are open to the internet (<type>)
    Given resources of type "<type>" where present
    When their "<source>" includes "<anywhere>"
    Then "from_port" must be one of "80, 443"
    And "to_port" must be one of "80, 443"

    Examples:
      | type                              | source           | anywhere  |
      | aws_security_group_rule           | cidr_blocks      | 0.0.0.0/0 |
      | aws_security_group_rule           | ipv6_cidr_blocks | ::/0      |
      | aws_vpc_security_group_ingress_rule | cidr_ipv4      | 0.0.0.0/0 |

  @config @CG-NET-1
  Scenario: Security groups declare no inline ingress from the internet
    Given resources of type "aws_security_group"
    Then "ingress.cidr_blocks" must not be "0.0.0.0/0"
    And "ingress.ipv6_cidr_blocks" must not be "::/0"

  @live @CG-NET-1
  Scenario: As deployed, security groups admit only web ports from the internet
    Given resources of type "aws_security_group"
    Then "ingress[cidr_blocks=0.0.0.0/0].from_port" must be one of "80, 443" where set
    And "ingress[cidr_blocks=0.0.0.0/0].to_port" must be one of "80, 443" where set

  @CG-NET-2
  Scenario: The Kubernetes API is reachable only from inside the VPC
    Given resources of type "aws_eks_cluster"
    Then "vpc_config.endpoint_public_access" must be "false"
    And "vpc_config.endpoint_private_access" must be "true"

  @CG-NET-3
  Scenario: No database instance is publicly accessible
    Given resources of type "aws_rds_cluster_instance"
    Then "publicly_accessible" must be "false"

  @CG-NET-4
  Scenario: Every VPC logs all of its traffic
    Given resources of type "aws_vpc"
    Then each must have a "aws_flow_log" attached through "vpc_id"
    And "traffic_type" must be "ALL"

  @config @CG-NET-5
  Scenario: The default security group of every VPC declares no rules
    Given resources of type "aws_vpc"
    Then each must have a "aws_default_security_group" attached through "vpc_id"
    And "ingress" must be empty
    And "egress" must be empty

  @live @CG-NET-5
  Scenario: As deployed, the default security group admits nothing
    Given resources of type "aws_default_security_group"
    Then "ingress" must be empty
    And "egress" must be empty

  @CG-NET-6
  Scenario: The VPC CNI enforces Kubernetes NetworkPolicies (its network policy agent is on)
    Given resources of type "aws_eks_addon" where present
    When their "addon_name" is "vpc-cni"
    Then "configuration_values.enableNetworkPolicy" must be "true"

  @CG-NET-7
  Scenario: The database subnets' network ACLs admit nothing from the internet
    Given resources of type "aws_db_subnet_group"
    Then each must use a "aws_subnet" through "subnet_ids"
    And each must have a "aws_network_acl" attached through "subnet_ids"
    And "ingress[action=allow].cidr_block" must not be "0.0.0.0/0"
    And "ingress[action=allow].ipv6_cidr_block" must not be "::/0"
