"""AWS facts both live checks need (quotas and drift): the AZs an account offers, read-only."""

from __future__ import annotations

from botocore.exceptions import ClientError

from foundation.config.regions import az_id_order
from foundation.config.spec import ROOT, StackSpec
from foundation.errors import InputError
from foundation.live.aws import Aws, client_error


def available_zones(aws: Aws) -> list[dict[str, str]]:
    """The account's available AZs that need no opt-in (one call)."""
    try:
        return list(
            aws.call(
                "ec2",
                "describe_availability_zones",
                Filters=[
                    {"Name": "opt-in-status", "Values": ["opt-in-not-required"]},
                    {"Name": "state", "Values": ["available"]},
                ],
            )["AvailabilityZones"]
        )
    except ClientError as exc:
        raise client_error(exc, "ec2:DescribeAvailabilityZones") from None


def resolve_live_azs(aws: Aws, spec: StackSpec) -> list[str]:
    """The stack's AZs as this account sees them (slot order): names, or AZ IDs across accounts.

    With spokes in other accounts, slots are the network account's AZ IDs: every account
    places its subnets by ID, since the same name is another AZ in another account.
    """
    zones = available_zones(aws)
    names = sorted(z["ZoneName"] for z in zones)
    by_id = {z["ZoneId"]: z["ZoneName"] for z in zones}
    wanted = spec.network.availability_zones
    if spec.network.multi_account and isinstance(wanted, int):
        # across accounts a count means the first AZ IDs in ID order: the same everywhere
        ids = sorted((z["ZoneId"] for z in zones), key=az_id_order)
        if len(ids) < wanted:
            raise InputError.single(
                spec.source,
                f"{ROOT}.availabilityZones",
                f"the network account has {len(ids)} available AZs, not {wanted}",
                f"use at most {len(ids)}",
            )
        return ids[:wanted]
    if isinstance(wanted, int):
        if len(names) < wanted:
            raise InputError.single(
                spec.source,
                f"{ROOT}.availabilityZones",
                f"the account has {len(names)} available AZs, not {wanted}",
                f"use at most {len(names)}",
            )
        chosen = names[:wanted]
    else:
        chosen = [by_id.get(az, az) for az in wanted]
    if spec.network.multi_account:
        id_of = {z["ZoneName"]: z["ZoneId"] for z in zones}
        return [id_of.get(name, name) for name in chosen]
    return chosen
