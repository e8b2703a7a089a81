"""The example hybrid stack (DESIGN §3.14), written into a test's copy of the project."""

from __future__ import annotations

from pathlib import Path

HYBRID_STACK = """\
# Hybrid: prod and shared reach the data centres over two VPNs and Direct Connect.
config:
  aws:region: us-east-1
  foundation:network:
    pool: prod-use1
    availabilityZones: 3
    hub: {size: 20, egress: nat-per-az}
    segments:
      prod:    {connectsTo: [shared]}
      nonprod: {connectsTo: [shared]}
      shared:  {}
    spokes:
      payments: {segment: prod, size: 21}
      ledger:   {segment: prod, size: 22}
      sandbox:  {segment: nonprod, size: 22}
      tools:    {segment: shared, size: 22}
    transitGateway: {asn: 64512}
    onPremises:
      cidrs: [10.0.0.0/16, 10.35.0.0/16]
      segments: [prod, shared]
      vpn:
        dc1: {ip: 203.0.113.10, asn: 65010}
        dc2: {ip: 198.51.100.20, asn: 65020}
      directConnect: {gatewayId: 5f3e8a2c-1b2d-4c3e-9f00-0123456789ab}
    flowLogs: {retentionDays: 365}
    alarms: {topic: netops}
    production: true
"""


def write_hybrid_stack(project: Path, old: str = "", new: str = "", name: str = "hybrid") -> Path:
    """Write stacks/Pulumi.<name>.yaml (with one text replacement, which must apply)."""
    text = HYBRID_STACK
    if old:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = project / "stacks" / f"Pulumi.{name}.yaml"
    path.write_text(text)
    return path
