"""The IPAM request of the shared-services VPC (DESIGN §3.15): allocated like every VPC.

Its lock entries are `<stack>/services`, `<stack>/services/az<slot>` and
`<stack>/services/az<slot>/{endpoints,transit}`; once recorded they never move.
"""

from __future__ import annotations

from foundation.config.services import DEFAULT_SERVICES_SIZE, KEY, VPC_NAME
from foundation.config.spec import ROOT, NetworkSpec
from ipam.cidr import parse_cidr
from ipam.layout import TierRequest, VpcRequest

ENDPOINTS_TIER = "endpoints"


def services_request(net: NetworkSpec) -> VpcRequest | None:
    """The `services` VPC request (an `endpoints` tier per AZ), or None without the block."""
    block = net.shared_services
    if block is None:
        return None
    return VpcRequest(
        name=VPC_NAME,
        path=f"{ROOT}.{KEY}",
        azs=net.az_count,
        tiers=(TierRequest(ENDPOINTS_TIER, None),),
        prefixlen=None if block.cidr else (block.size or DEFAULT_SERVICES_SIZE),
        cidr=parse_cidr(block.cidr) if block.cidr else None,
    )
