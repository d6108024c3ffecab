@network
Feature: Network exposure
  Risk: an attacker on the internet reaches an admin port, the Kubernetes API or a database
  directly. Only the public load balancer accepts traffic from the internet (HTTPS, and HTTP that
  merely redirects); the cluster API and the databases are private; every packet is logged; the
  default security group admits nothing.

  @CG-NET-1
  Scenario Outline: Only web ports, one at a time, are open to the internet (<type> from <anywhere>)
    Given resources of type "<type>" where present
    When their "<source>" includes "<anywhere>"
    Then "IP protocol" must be one of "tcp, 6"
    And "first port" must be one of "80, 443"
    And "last port" must equal its "first port"

    Examples:
      | type                                | source             | anywhere  |
      | aws_security_group_rule             | source IPv4 ranges | 0.0.0.0/0 |
      | aws_security_group_rule             | source IPv6 ranges | ::/0      |
      | aws_vpc_security_group_ingress_rule | source IPv4 ranges | 0.0.0.0/0 |
      | aws_vpc_security_group_ingress_rule | source IPv6 ranges | ::/0      |

  @config @CG-NET-1
  Scenario: Security groups declare no inline ingress from the internet
    Given resources of type "aws_security_group"
    Then "inline ingress IPv4 ranges" must not be "0.0.0.0/0"
    And "inline ingress IPv6 ranges" must not be "::/0"

  @live @CG-NET-1
  Scenario: As deployed, security groups admit only web ports, one at a time, from the internet
    Given resources of type "aws_security_group"
    Then "IP protocol open to the internet" must be one of "tcp, 6" where set
    And "first port open to the internet" must be one of "80, 443" where set
    And "last port open to the internet" must equal its "first port open to the internet"

  @CG-NET-2
  Scenario: The Kubernetes API is reachable only from inside the VPC
    Given resources of type "aws_eks_cluster"
    Then "public API endpoint" must be "false"
    And "private API endpoint" must be "true"

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

  @noskip @CG-NET-6
  Scenario: The VPC CNI enforces Kubernetes NetworkPolicies (its network policy agent is on)
    Given resources of type "aws_eks_addon" where present
    When the environment is "dev, staging, prod"
    And their "addon_name" is "vpc-cni"
    Then "network policy agent" must be "true"

  @CG-NET-7
  Scenario: The database subnets' network ACLs admit nothing from the internet
    Given resources of type "aws_db_subnet_group"
    Then each must use a "aws_subnet" through "subnet_ids"
    And each must have a "aws_network_acl" attached through "subnet_ids"
    And "IPv4 ranges allowed in" must not be "0.0.0.0/0"
    And "IPv6 ranges allowed in" must not be "::/0"

  @CG-NET-8
  Scenario: No Redshift cluster is publicly accessible
    Given resources of type "aws_redshift_cluster" where present
    Then "publicly_accessible" must be "false"

  @CG-NET-9
  Scenario: Every Redshift cluster routes its COPY and UNLOAD traffic through the VPC
    Given resources of type "aws_redshift_cluster" where present
    Then "enhanced_vpc_routing" must be "true"
