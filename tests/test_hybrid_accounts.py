"""Hybrid with spokes in other accounts (§3.8 + §3.14): VPNs live in the network account."""

from __future__ import annotations

import json
from pathlib import Path

from tests.accounts_stack import ACCOUNTS, write_accounts_stack
from tests.test_program import record

ONPREM = """    onPremises:
      cidrs: [10.0.0.0/16]
      segments: [prod]
      vpn:
        dc1: {ip: 203.0.113.10, asn: 65010}
        dc2: {ip: 198.51.100.20, asn: 65020}
"""


def test_cross_account_spokes_reach_on_premises_through_the_network_account(
    workspace: Path, cli
) -> None:
    stack = write_accounts_stack(workspace, ACCOUNTS + ONPREM)
    result = cli(workspace, "plan", stack, "--format", "json")
    assert result.code in (0, 1), result.err
    doc = json.loads(result.out)
    reach = {r["vpc"]: r["reachable"] for r in doc["reachability"]["onPremises"]}
    assert reach == {"ledger": True, "payments": True, "tools": False}
    assert doc["resources"]["byAccount"]["network"] > 0
    rec = record(workspace, stack)
    vpns = [r for r in rec.custom if r.type == "aws:ec2/vpnConnection:VpnConnection"]
    assert len(vpns) == 2
    # through the network account's provider, never a spoke account's
    for r in vpns:
        provider = rec.provider_of(r)
        inputs = json.dumps(provider.inputs) if provider else ""
        assert "222222222222" not in inputs and "333333333333" not in inputs
    mermaid = cli(workspace, "plan", stack, "--format", "markdown").out
    assert 'onprem ===|"vpn-dc2 (VPN, 2 tunnels, BGP)"| tgw' in mermaid
