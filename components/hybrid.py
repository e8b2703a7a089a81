"""Hybrid connectivity on the Transit Gateway (DESIGN §3.14): VPN connections and DX.

One customer gateway and one Site-to-Site VPN connection (two tunnels, BGP) per planned
VPN attachment, with tunnel options that refuse weak crypto: IKEv2 only, AES-GCM, SHA2-256
or stronger, DH groups 19-21, dead-peer detection that restarts the tunnel, and AWS
initiating IKE. The DX gateway association allows exactly the prefixes the plan advertises.
The attachments AWS creates for them are tagged (§3.5) so drift finds them by name.
The tunnel configuration for the customer devices is an output; pre-shared keys are secrets.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.tags import resource_name, tags
from foundation.network.model import HybridAttachment, TransitGateway

BGP_ASN_MAX = 2147483647  # above: bgp_asn_extended
TUNNEL_OPTIONS: dict[str, Any] = {
    "ike_versions": ["ikev2"],
    "phase1_encryption_algorithms": ["AES256-GCM-16", "AES128-GCM-16"],
    "phase1_integrity_algorithms": ["SHA2-256", "SHA2-384", "SHA2-512"],
    "phase1_dh_group_numbers": [19, 20, 21],
    "phase2_encryption_algorithms": ["AES256-GCM-16", "AES128-GCM-16"],
    "phase2_integrity_algorithms": ["SHA2-256", "SHA2-384", "SHA2-512"],
    "phase2_dh_group_numbers": [19, 20, 21],
    "dpd_timeout_action": "restart",
    "dpd_timeout_seconds": 30,
    "startup_action": "start",
}


def tunnel_args() -> dict[str, Any]:
    """The tunnel options of both tunnels, as VpnConnection arguments."""
    return {f"tunnel{n}_{k}": v for n in (1, 2) for k, v in TUNNEL_OPTIONS.items()}


class Hybrid(pulumi.ComponentResource):
    """Customer gateways, VPN connections and the DX gateway association of one TGW."""

    attachment_ids: dict[str, pulumi.Output[str]]
    vpn_ids: dict[str, pulumi.Output[str]]  # alarms watch each connection's TunnelState
    tunnels: dict[str, pulumi.Output[Any]]

    def __init__(
        self,
        name: str,
        stack: str,
        plan: TransitGateway,
        transit_gateway_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("foundation:network:Hybrid", name, None, opts)
        self.attachment_ids = {}
        self.vpn_ids = {}
        self.tunnels = {}
        for h in plan.hybrid:
            if h.type == "vpn":
                self._vpn(stack, h, transit_gateway_id)
            else:
                self._dx(stack, h, transit_gateway_id)
        self.register_outputs({"attachmentIds": self.attachment_ids})

    def _vpn(self, stack: str, h: HybridAttachment, tgw_id: pulumi.Input[str]) -> None:
        child = pulumi.ResourceOptions(parent=self)
        asn = int(h.asn or 0)
        cgw_name = f"cgw-{h.customer_gateway}"
        cgw = aws.ec2.CustomerGateway(
            cgw_name,
            ip_address=h.ip,
            bgp_asn=str(asn) if asn <= BGP_ASN_MAX else None,
            bgp_asn_extended=str(asn) if asn > BGP_ASN_MAX else None,
            type="ipsec.1",
            tags=tags(stack, cgw_name),
            opts=child,
        )
        vpn = aws.ec2.VpnConnection(
            h.name,
            customer_gateway_id=cgw.id,
            transit_gateway_id=tgw_id,
            type="ipsec.1",
            static_routes_only=False,  # BGP: on-premises announces, the TGW propagates
            tags=tags(stack, h.name),
            opts=child,
            **tunnel_args(),
        )
        self._tag_attachment(stack, h.name, vpn.transit_gateway_attachment_id)
        self.attachment_ids[h.name] = vpn.transit_gateway_attachment_id
        self.vpn_ids[h.name] = vpn.id
        self.tunnels[h.name] = pulumi.Output.secret(
            {
                "customerGateway": h.customer_gateway,
                "customerGatewayIp": h.ip,
                "customerGatewayAsn": asn,
                "tunnel1Address": vpn.tunnel1_address,
                "tunnel1InsideCidr": vpn.tunnel1_inside_cidr,
                "tunnel1BgpAsn": vpn.tunnel1_bgp_asn,
                "tunnel1PresharedKey": vpn.tunnel1_preshared_key,
                "tunnel2Address": vpn.tunnel2_address,
                "tunnel2InsideCidr": vpn.tunnel2_inside_cidr,
                "tunnel2BgpAsn": vpn.tunnel2_bgp_asn,
                "tunnel2PresharedKey": vpn.tunnel2_preshared_key,
                "customerGatewayConfiguration": vpn.customer_gateway_configuration,
                "options": TUNNEL_OPTIONS,
            }
        )

    def _dx(self, stack: str, h: HybridAttachment, tgw_id: pulumi.Input[str]) -> None:
        association = aws.directconnect.GatewayAssociation(
            h.name,
            dx_gateway_id=str(h.gateway_id),
            associated_gateway_id=tgw_id,
            allowed_prefixes=list(h.advertises),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._tag_attachment(stack, h.name, association.transit_gateway_attachment_id)
        self.attachment_ids[h.name] = association.transit_gateway_attachment_id

    def _tag_attachment(self, stack: str, name: str, attachment_id: pulumi.Input[str]) -> None:
        """AWS creates the TGW attachment untagged: tag it so drift matches it (§3.5)."""
        for key, value in tags(stack, name).items():
            aws.ec2.Tag(
                resource_name(name, "attachment-tag", key.replace(":", "-")),
                resource_id=attachment_id,
                key=key,
                value=value,
                opts=pulumi.ResourceOptions(parent=self),
            )
