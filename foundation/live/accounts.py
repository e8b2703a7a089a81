"""Reading every account of a stack (DESIGN §3.8): the pin, and a session per spoke account.

The network account is read through the standard credential chain (or the stack's
`aws:profile`); with `accounts.network.id` set, those credentials must belong to it, checked
first with sts:GetCallerIdentity. Each spoke account is read through its `readRole`
(default: `role`) with sts:AssumeRole; its calls count in the network session's `api_calls`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from foundation.config.accounts import NETWORK
from foundation.config.spec import ROOT, StackSpec
from foundation.errors import AwsError, InputError
from foundation.live.aws import Aws, client_error
from foundation.live.zones import available_zones, resolve_live_azs

ROLE_FIX = (
    "create the read-only role in that account with a trust policy for the network "
    "account's principal (README: Multi-account), or correct readRole"
)


@dataclass
class Sessions:
    """One Aws per account of the plan; the network account's counts every call."""

    network: Aws
    others: dict[str, Aws] = field(default_factory=dict)

    def __iter__(self) -> Iterator[tuple[str, Aws]]:
        yield NETWORK, self.network
        yield from sorted(self.others.items())

    def __getitem__(self, account: str) -> Aws:
        return self.network if account == NETWORK else self.others[account]

    @property
    def api_calls(self) -> int:
        """Every call made in every account."""
        return self.network.api_calls


def caller_account(aws: Aws) -> str:
    """The account the credentials belong to (sts:GetCallerIdentity)."""
    try:
        return str(aws.call("sts", "get_caller_identity")["Account"])
    except ClientError as exc:
        raise client_error(exc, "sts:GetCallerIdentity") from None


def check_pin(spec: StackSpec, aws: Aws) -> None:
    """Refuse credentials of another account than `accounts.network.id` (when pinned).

    Raises:
        AwsError: naming both ids.
    """
    pin = spec.network.accounts.get(NETWORK)
    if pin is None or pin.id is None:
        return
    actual = caller_account(aws)
    if actual != str(pin.id):
        raise AwsError.single(
            spec.source,
            f"{ROOT}.accounts.network.id",
            f"the AWS credentials belong to account {actual}, not to the network account {pin.id}",
            f"use credentials of account {pin.id} (AWS_PROFILE, or the stack's aws:profile), "
            "or correct accounts.network.id",
        )


def open_accounts(spec: StackSpec, aws: Aws | None = None) -> Sessions:
    """Check the pin, then assume the read role of each account a spoke lives in.

    Raises:
        AwsError: wrong network account, or a role that cannot be assumed (exit 2).
    """
    network = aws or Aws(spec.region)
    check_pin(spec, network)
    sessions = Sessions(network)
    for name in sorted({s.account for s in spec.network.spokes.values()} - {NETWORK}):
        account = spec.network.accounts[name]
        key = "readRole" if account.read_role else "role"
        read_role = account.read_role or account.role
        where = f"{ROOT}.accounts.{name}.{key}"
        try:
            answer = network.call(
                "sts",
                "assume_role",
                RoleArn=read_role,
                RoleSessionName=f"foundation-{spec.name}-read"[:64],
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "?")
            message = exc.response.get("Error", {}).get("Message", "")
            raise AwsError.single(
                spec.source,
                where,
                f"cannot assume {read_role} to read account {name} ({code}: {message})",
                ROLE_FIX,
            ) from None
        assumed_arn = str(answer.get("AssumedRoleUser", {}).get("Arn", ""))
        if f":{account.id}:" not in assumed_arn:
            raise AwsError.single(
                spec.source,
                where,
                f"assuming the role gave {assumed_arn}, not a session in account {account.id}",
                "point readRole at a role of that account",
            )
        sessions.others[name] = network.assumed(answer["Credentials"])
    return sessions


def as_sessions(spec: StackSpec, aws: Aws | Sessions | None) -> Sessions:
    """Sessions as given, or opened from a network-account Aws (or the default chain)."""
    return aws if isinstance(aws, Sessions) else open_accounts(spec, aws)


def resolve_account_azs(sessions: Sessions, spec: StackSpec) -> list[str]:
    """The stack's AZ slots from the network account; each spoke account must offer them.

    Raises:
        InputError: a spoke account lacks one of the AZ IDs (one call per account).
    """
    azs = resolve_live_azs(sessions.network, spec)
    for name, aws in sessions:
        if name == NETWORK:
            continue
        offered = {z["ZoneId"] for z in available_zones(aws)}
        missing = [az for az in azs if az not in offered]
        if missing:
            raise InputError.single(
                spec.source,
                f"{ROOT}.availabilityZones",
                f"account {name} does not offer {', '.join(missing)}",
                f"list AZ IDs every account offers (account {name} has "
                f"{', '.join(sorted(offered))})",
            )
    return azs
