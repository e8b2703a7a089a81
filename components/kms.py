"""What every customer-managed key of this project grants first: its own account administers it.

Without that statement a key policy can lock the account out of its own key.
"""

from __future__ import annotations

from typing import Any


def account_administers_the_key(partition: str, account: str) -> dict[str, Any]:
    """The key-policy statement that lets the account (through IAM) administer the key."""
    return {
        "Sid": "AccountAdministersTheKey",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
