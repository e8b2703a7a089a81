"""CIDR parsing that refuses what AWS would refuse, with messages that say how to fix it."""

from __future__ import annotations

from netaddr import AddrFormatError, IPNetwork


class CidrError(ValueError):
    """A CIDR string is malformed, has host bits set, or has a prefix out of range."""

    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message = message
        self.fix = fix


def parse_cidr(value: object, min_prefix: int = 0, max_prefix: int = 32) -> IPNetwork:
    """Parse an IPv4 CIDR string strictly (no host bits, prefix within the given bounds).

    Raises:
        CidrError: with a message and a fix naming the corrected value where one exists.
    """
    if not isinstance(value, str) or "/" not in value:
        raise CidrError(
            f"'{value}' is not a CIDR", "write it as address/prefix, for example 10.16.0.0/20"
        )
    try:
        net = IPNetwork(value, version=4)
    except (AddrFormatError, ValueError):
        raise CidrError(
            f"'{value}' is not a valid IPv4 CIDR", "use the form 10.16.0.0/20"
        ) from None
    if str(net.ip) != value.split("/", 1)[0] or not value.split("/", 1)[1].isdigit():
        raise CidrError(f"'{value}' is not a canonical IPv4 CIDR", "use the form 10.16.0.0/20")
    if net.ip != net.network:  # IPNetwork equality ignores host bits: compare addresses
        raise CidrError(f"'{value}' has host bits set", f"use {net.cidr}")
    if not min_prefix <= net.prefixlen <= max_prefix:
        raise CidrError(
            f"prefix /{net.prefixlen} is outside /{min_prefix} to /{max_prefix}",
            f"choose a prefix length between {min_prefix} and {max_prefix}",
        )
    return net.cidr
