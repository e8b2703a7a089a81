"""The three tags every taggable resource carries (DESIGN §3.5): drift and quotas match on them."""

from __future__ import annotations


def tags(stack: str, name: str) -> dict[str, str]:
    """Tags for the resource with logical name `name` in `stack`."""
    return {"Name": f"{stack}-{name}", "foundation:stack": stack, "foundation:name": name}


def resource_name(*parts: str) -> str:
    """A Pulumi resource name from logical parts (CIDRs made name-safe)."""
    return "-".join(p.replace("/", "-").replace(".", "-") for p in parts)
