"""AWS facts both live checks need (quotas and drift): the account's AZs, read-only."""

from __future__ import annotations

from botocore.exceptions import ClientError

from foundation.config.spec import ROOT, StackSpec
from foundation.errors import InputError
from foundation.live.aws import Aws, client_error


def resolve_live_azs(aws: Aws, spec: StackSpec) -> list[str]:
    """The stack's AZ names as this account sees them (slot order)."""
    try:
        zones = aws.call(
            "ec2",
            "describe_availability_zones",
            Filters=[
                {"Name": "opt-in-status", "Values": ["opt-in-not-required"]},
                {"Name": "state", "Values": ["available"]},
            ],
        )["AvailabilityZones"]
    except ClientError as exc:
        raise client_error(exc, "ec2:DescribeAvailabilityZones") from None
    names = sorted(z["ZoneName"] for z in zones)
    by_id = {z["ZoneId"]: z["ZoneName"] for z in zones}
    wanted = spec.network.availability_zones
    if isinstance(wanted, int):
        if len(names) < wanted:
            raise InputError.single(
                spec.source,
                f"{ROOT}.availabilityZones",
                f"the account has {len(names)} available AZs, not {wanted}",
                f"use at most {len(names)}",
            )
        return names[:wanted]
    return [by_id.get(az, az) for az in wanted]
