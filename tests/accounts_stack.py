"""A stack with three accounts (network + two spoke accounts), shared by the account tests."""

from __future__ import annotations

from pathlib import Path

NETWORK_ID, PAYMENTS_ID, DATA_ID = "111111111111", "222222222222", "333333333333"
PAYMENTS_ROLE = f"arn:aws:iam::{PAYMENTS_ID}:role/foundation-deploy"
PAYMENTS_READ = f"arn:aws:iam::{PAYMENTS_ID}:role/foundation-read"
DATA_ROLE = f"arn:aws:iam::{DATA_ID}:role/foundation-deploy"

ACCOUNTS = f"""config:
  aws:region: us-east-1
  foundation:network:
    pool: dev-use1
    availabilityZones: 3
    hub: {{size: 20, egress: nat-per-az}}
    accounts:
      network: {{id: "{NETWORK_ID}"}}
      payments-prod:
        id: "{PAYMENTS_ID}"
        role: {PAYMENTS_ROLE}
        readRole: {PAYMENTS_READ}
      data-prod:
        id: "{DATA_ID}"
        role: {DATA_ROLE}
    segments:
      prod: {{connectsTo: [shared]}}
      shared: {{}}
    spokes:
      payments: {{segment: prod, size: 22, account: payments-prod}}
      ledger:   {{segment: prod, size: 22, account: data-prod}}
      tools:    {{segment: shared, size: 22}}
    quotas: {{mode: enforce}}
    drift: {{mode: warn}}
"""


def write_accounts_stack(project: Path, text: str = ACCOUNTS, stack: str = "acct") -> str:
    """Write the three-account stack into a project copy; returns its name."""
    (project / "stacks" / f"Pulumi.{stack}.yaml").write_text(text)
    return stack
