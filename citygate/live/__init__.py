"""Live verification: read the deployed account back with boto3 and judge the platform's controls.

The Terraform state says *what* was deployed (so an account shared with other workloads is judged
only on ours, and a resource deleted out of band is reported missing); the AWS APIs say *how* it
is configured now.  Account-wide controls (CloudTrail, GuardDuty, Config, EBS default encryption)
are judged on the account itself.
"""
