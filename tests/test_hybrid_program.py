"""The hybrid stack's Pulumi program under the mock engine: VPNs, DX and the TGW wiring."""

from __future__ import annotations

from pathlib import Path

from foundation.offline.mockrun import Recording
from tests.hybrid_stack import write_hybrid_stack
from tests.test_program import record

VPN = "aws:ec2/vpnConnection:VpnConnection"
CGW = "aws:ec2/customerGateway:CustomerGateway"
DX = "aws:directconnect/gatewayAssociation:GatewayAssociation"
ASSOC = "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"
PROP = "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation"
ROUTE = "aws:ec2transitgateway/route:Route"
TGW = "aws:ec2transitgateway/transitGateway:TransitGateway"


def of_type(rec: Recording, typ: str) -> dict[str, dict]:
    return {r.name: r.inputs for r in rec.custom if r.type == typ}


def test_two_customer_gateways_get_bgp_vpns_with_strong_tunnels(workspace: Path) -> None:
    write_hybrid_stack(workspace)
    rec = record(workspace, "hybrid")
    cgws = of_type(rec, CGW)
    assert {n: (c["ipAddress"], c["bgpAsn"], c["type"]) for n, c in cgws.items()} == {
        "cgw-dc1": ("203.0.113.10", "65010", "ipsec.1"),
        "cgw-dc2": ("198.51.100.20", "65020", "ipsec.1"),
    }
    assert cgws["cgw-dc1"]["tags"]["foundation:name"] == "cgw-dc1"
    vpns = of_type(rec, VPN)
    assert sorted(vpns) == ["vpn-dc1", "vpn-dc2"]
    for name, vpn in vpns.items():
        assert vpn["staticRoutesOnly"] is False and vpn["type"] == "ipsec.1"
        assert vpn["transitGatewayId"] == "ec2transitgateway/transitGateway:tgw"
        assert vpn["customerGatewayId"] == f"ec2/customerGateway:cgw-{name[4:]}"
        assert vpn["tags"]["foundation:name"] == name
        for n in (1, 2):
            assert vpn[f"tunnel{n}IkeVersions"] == ["ikev2"]
            assert set(vpn[f"tunnel{n}Phase1EncryptionAlgorithms"]) <= {
                "AES256-GCM-16",
                "AES128-GCM-16",
            }
            assert "SHA1" not in vpn[f"tunnel{n}Phase2IntegrityAlgorithms"]
            assert min(vpn[f"tunnel{n}Phase1DhGroupNumbers"]) >= 19
            assert min(vpn[f"tunnel{n}Phase2DhGroupNumbers"]) >= 19
            assert vpn[f"tunnel{n}DpdTimeoutAction"] == "restart"
    assert of_type(rec, TGW)["tgw"]["vpnEcmpSupport"] == "enable"
    assert "vpnConnections" in rec.exports


def test_dx_association_allows_exactly_the_advertised_prefixes(workspace: Path) -> None:
    write_hybrid_stack(workspace)
    rec = record(workspace, "hybrid")
    dx = of_type(rec, DX)["dx"]
    assert dx["dxGatewayId"] == "5f3e8a2c-1b2d-4c3e-9f00-0123456789ab"
    assert dx["associatedGatewayId"] == "ec2transitgateway/transitGateway:tgw"
    assert "10.32.0.0/14" not in dx["allowedPrefixes"] and dx["allowedPrefixes"]


def test_tgw_wiring_of_the_hybrid_attachments(workspace: Path) -> None:
    write_hybrid_stack(workspace)
    rec = record(workspace, "hybrid")
    assoc = of_type(rec, ASSOC)
    props = of_type(rec, PROP)
    routes = of_type(rec, ROUTE)
    for h in ("vpn-dc1", "vpn-dc2", "dx"):
        a = assoc[f"onprem-association-{h}"]
        assert a["transitGatewayAttachmentId"] == f"tgw-attach-{h}"
        assert a["transitGatewayRouteTableId"] == "ec2transitgateway/routeTable:onprem"
        for seg in ("prod", "shared"):
            assert props[f"{seg}-propagation-{h}"]["transitGatewayAttachmentId"] == (
                f"tgw-attach-{h}"
            )
        assert f"nonprod-propagation-{h}" not in props
    assert sorted(n for n in props if n.startswith("onprem-")) == [
        "onprem-propagation-ledger",
        "onprem-propagation-payments",
        "onprem-propagation-tools",
    ]
    for cidr in ("10-0-0-0-16", "10-35-0-0-16"):
        assert routes[f"nonprod-route-{cidr}"]["blackhole"] is True
        assert f"prod-route-{cidr}" not in routes
    tags = {
        (r.inputs["resourceId"], r.inputs["key"]): r.inputs["value"]
        for r in rec.custom
        if r.type == "aws:ec2/tag:Tag"
    }
    assert tags[("tgw-attach-vpn-dc1", "foundation:name")] == "vpn-dc1"
    assert tags[("tgw-attach-dx", "foundation:stack")] == "hybrid"


def test_a_stack_without_on_premises_registers_no_hybrid_resource(workspace: Path) -> None:
    rec = record(workspace, "dev")
    types = {r.type for r in rec.custom}
    assert not {VPN, CGW, DX} & types
    assert "vpnEcmpSupport" not in of_type(rec, TGW)["tgw"]
    assert "vpnConnections" not in rec.exports


def test_each_vpn_connection_gets_a_tunnel_state_alarm(workspace: Path) -> None:
    write_hybrid_stack(workspace)
    rec = record(workspace, "hybrid")
    alarms = of_type(rec, "aws:cloudwatch/metricAlarm:MetricAlarm")
    for name in ("vpn-dc1", "vpn-dc2"):
        a = alarms[f"{name}-tunnel-down"]
        assert (a["namespace"], a["metricName"]) == ("AWS/VPN", "TunnelState")
        assert a["dimensions"] == {"VpnId": f"ec2/vpnConnection:{name}"}
        assert (a["statistic"], a["comparisonOperator"], a["threshold"]) == (
            "Minimum",
            "LessThanThreshold",
            1.0,
        )
        assert "ALARM.VPN-TUNNEL-DOWN.md" in a["alarmDescription"]
    assert "dx-tunnel-down" not in alarms
