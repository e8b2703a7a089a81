"""Accounts (DESIGN §3.8): the network account and the spoke accounts, and the RAM share.

The stack's own account (its `aws:` provider) is the network account, named `network`:
hub, Transit Gateway and the RAM share live there. A spoke with `account:` is created in
that account through a provider assuming its `role`; quotas and drift read it through
`readRole` (default: `role`). Defaults state their behaviour:

- no `accounts:`: every VPC is in the stack's account (no provider, no RAM share).
- `accounts.network.id`: optional pin; live runs and the provider refuse other credentials.
- `share.principals`: default every spoke account's id; external principals are refused
  unless `share.allowExternalPrincipals: true` (needed for accounts outside the org).
- `share.acceptInvitations`: false (inside an organisation with RAM sharing enabled no
  invitation is sent); true creates a ResourceShareAccepter in each spoke account.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from foundation.errors import Problem

NETWORK = "network"
ACCOUNT_ID_RE = re.compile(r"^\d{12}\Z")
PARTITION = r"arn:(aws|aws-us-gov|aws-cn)"
ROLE_ARN_RE = re.compile(rf"^{PARTITION}:iam::(\d{{12}}):role/[\w+=,.@/-]{{1,512}}\Z")
ORG_ARN_RE = re.compile(rf"^{PARTITION}:organizations::\d{{12}}:organization/o-[a-z0-9]{{10,32}}\Z")
OU_ARN_RE = re.compile(
    rf"^{PARTITION}:organizations::\d{{12}}:ou/o-[a-z0-9]{{10,32}}/ou-[a-z0-9]{{4,32}}-[a-z0-9]{{8,32}}\Z"
)
NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,62}\Z")


def is_principal(value: str) -> bool:
    """A RAM principal this tool accepts: an account id, an organization or OU ARN."""
    return bool(ACCOUNT_ID_RE.match(value) or ORG_ARN_RE.match(value) or OU_ARN_RE.match(value))


def role_account(arn: str) -> str | None:
    """The account id inside an IAM role ARN, or None when it is not one."""
    match = ROLE_ARN_RE.match(arn)
    return match.group(2) if match else None


def spoke_accounts(raw: Mapping[str, Any]) -> set[str]:
    """Account names that spokes of a raw network mapping name (other than `network`)."""
    spokes = raw.get("spokes")
    if not isinstance(spokes, dict):
        return set()
    return {
        str(b["account"])
        for b in spokes.values()
        if isinstance(b, dict) and isinstance(b.get("account"), str) and b["account"] != NETWORK
    }


def account_problems(raw: Mapping[str, Any], root: str, source: str) -> list[Problem]:
    """Checks of `accounts:`, `share:` and `spokes.<name>.account` pydantic cannot express."""
    problems: list[Problem] = []
    accounts = raw.get("accounts")
    accounts = accounts if isinstance(accounts, dict) else {}
    path = f"{root}.accounts"
    owners: dict[str, list[str]] = {}
    for name, body in accounts.items():
        here = f"{path}.{name}"
        if not NAME_RE.match(str(name)):
            problems.append(
                Problem(
                    source,
                    here,
                    f"invalid account name '{name}'",
                    "use lower-case letters, digits and '-', starting with a letter",
                )
            )
        if not isinstance(body, dict):
            continue
        account_id = body.get("id")
        if isinstance(account_id, int) and not isinstance(account_id, bool):
            problems.append(
                Problem(
                    source,
                    f"{here}.id",
                    f"the account id {account_id} is a number (YAML drops leading zeros)",
                    f'quote it: id: "{account_id:012d}"',
                )
            )
            continue
        if isinstance(account_id, str):
            if not ACCOUNT_ID_RE.match(account_id):
                problems.append(
                    Problem(
                        source,
                        f"{here}.id",
                        f"'{account_id}' is not an AWS account id (12 digits)",
                        'write the 12-digit id in quotes, e.g. id: "222222222222"',
                    )
                )
            else:
                owners.setdefault(account_id, []).append(str(name))
        if name == NETWORK:
            for key in ("role", "readRole"):
                if key in body:
                    problems.append(
                        Problem(
                            source,
                            f"{here}.{key}",
                            f"the network account takes no {key}: it is the stack's own account",
                            "remove it; the stack's aws: provider config (credentials, profile) "
                            "deploys and reads the network account",
                        )
                    )
            continue
        if account_id is None:
            problems.append(
                Problem(source, f"{here}.id", "required key is missing", "add the 12-digit id")
            )
        if "role" not in body:
            problems.append(
                Problem(
                    source,
                    f"{here}.role",
                    "required key is missing",
                    "add the ARN of the role foundation assumes to deploy there "
                    "(see the README's multi-account section)",
                )
            )
        for key in ("role", "readRole"):
            arn = body.get(key)
            if not isinstance(arn, str):
                continue
            owner = role_account(arn)
            if owner is None:
                problems.append(
                    Problem(
                        source,
                        f"{here}.{key}",
                        f"'{arn}' is not an IAM role ARN",
                        "use arn:aws:iam::<account id>:role/<name>",
                    )
                )
            elif isinstance(account_id, str) and owner != account_id:
                problems.append(
                    Problem(
                        source,
                        f"{here}.{key}",
                        f"the role is in account {owner}, not in {account_id} (the id of '{name}')",
                        f"use a role of account {account_id}, or correct the id",
                    )
                )
    for account_id, names in sorted(owners.items()):
        if len(names) < 2:
            continue
        if NETWORK in names:
            for other in (n for n in names if n != NETWORK):
                problems.append(
                    Problem(
                        source,
                        f"{path}.{other}.id",
                        f"'{other}' has the network account's id {account_id}",
                        f"spokes in the network account need no account: remove '{other}' and "
                        "the account: keys that name it",
                    )
                )
        else:
            problems.append(
                Problem(
                    source,
                    f"{path}.{names[1]}.id",
                    f"account id {account_id} is named twice ({', '.join(names)})",
                    "keep one name per account and point every spoke at it",
                )
            )
    spokes = raw.get("spokes")
    if isinstance(spokes, dict):
        known = ", ".join(sorted(accounts)) or "(none defined)"
        for spoke, body in spokes.items():
            if not isinstance(body, dict) or not isinstance(body.get("account"), str):
                continue
            name = body["account"]
            if name != NETWORK and name not in accounts:
                problems.append(
                    Problem(
                        source,
                        f"{root}.spokes.{spoke}.account",
                        f"spoke names undefined account '{name}'",
                        f"define it under {path} (id and role) or use one of: {known}",
                    )
                )
    azs = raw.get("availabilityZones")
    if spoke_accounts(raw) and isinstance(azs, list):
        for i, az in enumerate(azs):
            if isinstance(az, str) and not re.match(r"^[a-z]{2,5}\d-az\d+$", az):
                problems.append(
                    Problem(
                        source,
                        f"{root}.availabilityZones[{i}]",
                        f"'{az}' is an AZ name: names map to different AZs in each account",
                        "with spokes in other accounts, list AZ IDs (e.g. use1-az1) or a count",
                    )
                )
    share = raw.get("share")
    principals = share.get("principals") if isinstance(share, dict) else None
    if isinstance(principals, list):
        for i, principal in enumerate(principals):
            if isinstance(principal, str) and not is_principal(principal):
                problems.append(
                    Problem(
                        source,
                        f"{root}.share.principals[{i}]",
                        f"'{principal}' is not a RAM principal this tool shares with",
                        "use a 12-digit account id, an organization ARN "
                        "(arn:aws:organizations::<mgmt id>:organization/o-...) or an OU ARN "
                        "(arn:aws:organizations::<mgmt id>:ou/o-.../ou-...)",
                    )
                )
        listed = {p for p in principals if isinstance(p, str)}
        if listed and all(ACCOUNT_ID_RE.match(p) for p in listed):
            for name in sorted(spoke_accounts(raw)):
                body = accounts.get(name)
                account_id = body.get("id") if isinstance(body, dict) else None
                if isinstance(account_id, str) and account_id not in listed:
                    problems.append(
                        Problem(
                            source,
                            f"{root}.share.principals",
                            f"account {name} ({account_id}) hosts spokes but is not a principal: "
                            "its attachment could never see the Transit Gateway",
                            f'add "{account_id}" (or an OU or organisation ARN containing it)',
                        )
                    )
        if not principals:
            problems.append(
                Problem(
                    source,
                    f"{root}.share.principals",
                    "an empty list shares the Transit Gateway with nobody",
                    "remove principals to share with every spoke account, or list them",
                )
            )
    if isinstance(share, dict) and not spoke_accounts(raw) and not principals:
        problems.append(
            Problem(
                source,
                f"{root}.share",
                "nothing to share: no spoke names an account and no principal is listed",
                "remove share:, or give spokes an account:",
            )
        )
    return problems
