"""Pure IP address management: CIDR parsing, free-space allocation, VPC layouts, the lock.

Nothing here imports pulumi or boto3 (a test proves it): strings or IPNetwork in, frozen
dataclasses out.
"""
