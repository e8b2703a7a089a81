"""Accounts (DESIGN §3.8): a provider per spoke account, the RAM share, attachment acceptance.

A spoke in another account is built through an `aws.Provider` that assumes the account's
`role` (session `foundation-<stack>`, so CloudTrail says which stack acted) and refuses
any other account (`allowed_account_ids`). The network account shares the Transit Gateway
through AWS RAM with external principals off (unless the config opts in) and accepts each
cross-account attachment; the TGW's default association/propagation flags are set on the
accepter, the only side that may set them on a shared gateway.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.tags import resource_name, tags
from foundation.network.model import NetworkPlan, RamShare

SESSION_NAME_MAX = 64  # sts:AssumeRole RoleSessionName


def session_name(stack: str) -> str:
    """The role session name: says which stack deployed (CloudTrail shows it)."""
    return f"foundation-{stack}"[:SESSION_NAME_MAX]


def account_providers(
    plan: NetworkPlan, profile: str | None, parent: pulumi.Resource
) -> dict[str, aws.Provider]:
    """A provider per account that needs one: each spoke account, and a pinned network account.

    Without a pin the network account uses the stack's default provider (its `aws:` config).
    """
    providers: dict[str, aws.Provider] = {}
    for account in plan.accounts:
        if account.role is None and account.id is None:
            continue
        assume = (
            [
                aws.ProviderAssumeRoleArgs(
                    role_arn=account.role, session_name=session_name(plan.stack)
                )
            ]
            if account.role
            else None
        )
        providers[account.name] = aws.Provider(
            f"account-{account.name}",
            region=plan.region,
            profile=profile,
            assume_roles=assume,
            allowed_account_ids=[account.id] if account.id else None,
            opts=pulumi.ResourceOptions(parent=parent),
        )
    return providers


class TransitShare(pulumi.ComponentResource):
    """The RAM share of the Transit Gateway, its principals, and optional invitation accepters.

    `ready` lists what a spoke attachment must wait for: the principal association (and, when
    invitations are accepted, the accepter in the spoke's account).
    """

    ready: dict[str, list[pulumi.Resource]]

    def __init__(
        self,
        name: str,
        stack: str,
        share: RamShare,
        transit_gateway_arn: pulumi.Input[str],
        account_ids: dict[str, str],
        providers: dict[str, aws.Provider],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("foundation:network:TransitShare", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.share = aws.ram.ResourceShare(
            share.name,
            name=f"{stack}-{share.name}",
            allow_external_principals=share.allow_external_principals,
            tags=tags(stack, share.name),
            opts=child,
        )
        aws.ram.ResourceAssociation(
            resource_name(share.name, "tgw"),
            resource_arn=transit_gateway_arn,
            resource_share_arn=self.share.arn,
            opts=child,
        )
        principals = {
            principal: aws.ram.PrincipalAssociation(
                resource_name(share.name, principal.rsplit("/", 1)[-1]),
                principal=principal,
                resource_share_arn=self.share.arn,
                opts=child,
            )
            for principal in share.principals
        }
        everyone: list[pulumi.Resource] = list(principals.values())
        self.ready = {}
        for account, account_id in account_ids.items():
            own = principals.get(account_id)
            waits: list[pulumi.Resource] = [own] if own is not None else everyone
            if account in share.accepters:
                accepter = aws.ram.ResourceShareAccepter(
                    resource_name(share.name, "accept", account),
                    share_arn=self.share.arn,
                    opts=pulumi.ResourceOptions(
                        parent=self, provider=providers[account], depends_on=waits
                    ),
                )
                waits = [*waits, accepter]
            self.ready[account] = waits
        self.share_arn = self.share.arn
        self.register_outputs({"shareArn": self.share_arn})
