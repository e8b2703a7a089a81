"""moto translations of the hybrid resources (§3.14): customer gateways, VPNs, tags."""

from __future__ import annotations

from typing import Any

from foundation.offline.mockrun import Registration


def create_hybrid(r: Registration, ec2: Any, real: Any, ids: dict[str, str]) -> str | None:
    """Create one hybrid resource in moto; None when `r` is not one."""
    i, t = r.inputs, r.type
    tags = [{"Key": k, "Value": v} for k, v in (i.get("tags") or {}).items()]
    if t == "aws:ec2/customerGateway:CustomerGateway":
        return str(
            ec2.create_customer_gateway(
                Type=i["type"],
                PublicIp=i["ipAddress"],
                BgpAsn=int(i["bgpAsn"]),
                TagSpecifications=[{"ResourceType": "customer-gateway", "Tags": tags}],
            )["CustomerGateway"]["CustomerGatewayId"]
        )
    if t == "aws:ec2/vpnConnection:VpnConnection":
        vpn = ec2.create_vpn_connection(
            Type=i["type"],
            CustomerGatewayId=real(i["customerGatewayId"]),
            TransitGatewayId=real(i["transitGatewayId"]),
            Options={"StaticRoutesOnly": i["staticRoutesOnly"]},
            TagSpecifications=[{"ResourceType": "vpn-connection", "Tags": tags}],
        )["VpnConnection"]
        attachment = next(
            a["TransitGatewayAttachmentId"]
            for a in ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"]
            if a.get("ResourceId") == vpn["VpnConnectionId"]
        )
        ids[f"tgw-attach-{r.name}"] = attachment  # what the mock engine called it
        return str(vpn["VpnConnectionId"])
    if t == "aws:ec2/tag:Tag":
        ec2.create_tags(
            Resources=[real(i["resourceId"])], Tags=[{"Key": i["key"], "Value": i["value"]}]
        )
        return f"tag:{r.name}"
    return None
