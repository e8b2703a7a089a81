"""Run the real Pulumi program under Pulumi's own mock engine and record what it registers.

The offline plan uses this to list every resource `pulumi up` would create, without the
Pulumi CLI, provider plugins or AWS credentials. Provider invokes are answered offline
(AZs from the Region catalogue); any other invoke is an error, so nothing is guessed.
"""

from __future__ import annotations

import atexit
import gc
import json
import logging
import runpy
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings

from foundation.config import regions
from foundation.offline import runtime

AZ_TOKEN = "aws:index/getAvailabilityZones:getAvailabilityZones"
CALLER_TOKEN = "aws:index/getCallerIdentity:getCallerIdentity"
TGW_TOKEN = "aws:ec2transitgateway/getTransitGateway:getTransitGateway"
PEERING_TOKEN = "aws:ec2transitgateway/getPeeringAttachment:getPeeringAttachment"
PEERINGS_TOKEN = "aws:ec2transitgateway/getPeeringAttachments:getPeeringAttachments"
OFFLINE_ACCOUNT = "000000000000"  # offline there is no account: policies show this one
HYBRID_TYPES = (
    "aws:ec2/vpnConnection:VpnConnection",
    "aws:directconnect/gatewayAssociation:GatewayAssociation",
)
COMPONENT_PREFIX = "foundation:"
REF_OUTPUTS = ("arn", "allocationId")


@dataclass(frozen=True)
class Registration:
    """One resource the program registered: type, name, parent URN, inputs (wire names)."""

    urn: str
    type: str
    name: str
    parent: str
    inputs: dict[str, Any]
    custom: bool
    dependencies: tuple[str, ...] = ()  # URNs this resource waits for (depends_on and inputs)
    protect: bool = False
    id: str = ""  # the mock engine's id: what other resources' inputs carry as a reference
    provider: str = ""  # `<provider urn>::<id>`; empty: the stack's default provider
    refs: tuple[str, ...] = ()  # id and id-like outputs (arn, allocationId) others may carry
    delete_before_replace: bool = False  # replaced by deleting first (a unique natural key)


def provider_input(provider: Registration, key: str) -> Any:
    """A provider's input: Pulumi sends provider config values JSON-encoded."""
    value = provider.inputs.get(key)
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


@dataclass
class Recording:
    """Everything the program registered, in registration order, plus export names."""

    resources: list[Registration] = field(default_factory=list)
    exports: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def custom(self) -> list[Registration]:
        """Cloud resources only (components excluded)."""
        return [r for r in self.resources if r.custom]

    def by_type(self) -> dict[str, int]:
        """Count of cloud resources per Pulumi type, sorted by type."""
        return dict(sorted(Counter(r.type for r in self.custom).items()))

    def provider_of(self, resource: Registration) -> Registration | None:
        """The explicit provider a resource was registered with (None: the default one)."""
        urn = resource.provider.rsplit("::", 1)[0] if resource.provider else ""
        return next((r for r in self.resources if r.urn == urn), None)

    def by_account(self, ids: dict[str, str], default: str = "network") -> dict[str, int]:
        """Count of cloud resources per account: the account of each resource's provider.

        Args:
            ids: account id -> account name (a provider names its account in
                `allowedAccountIds`); a provider resource counts in the account it reaches.
            default: the account of the stack's default provider.
        """

        def account(r: Registration | None) -> str:
            if r is None:
                return default
            allowed = provider_input(r, "allowedAccountIds") or []
            return ids.get(str(allowed[0]), default) if allowed else default

        counts: Counter[str] = Counter(
            account(r if r.type.startswith("pulumi:providers:") else self.provider_of(r))
            for r in self.custom
        )
        return dict(sorted(counts.items()))

    def by_component(self) -> dict[str, int]:
        """Count of cloud resources per owning component (`SpokeVpc payments`)."""
        owners = {r.urn: r for r in self.resources if not r.custom}
        counts: Counter[str] = Counter()
        for r in self.custom:
            owner = owners.get(r.parent)
            label = f"{owner.type.rsplit(':', 1)[1]} {owner.name}" if owner else "Stack"
            counts[label] += 1
        return dict(sorted(counts.items()))

    def protected(self) -> list[Registration]:
        """Cloud resources registered with `protect` (what cannot be recreated)."""
        return sorted((r for r in self.custom if r.protect), key=lambda r: (r.type, r.name))


@dataclass
class PeeringWorld:
    """What the peering lookups find (DESIGN §3.9); by default the end state.

    The offline plan so registers the whole network; tests set earlier steps of the
    sequence. `tgws`: stacks whose TGW exists (None: every stack); `attachment`: the state of the
    peering attachment the lookups find (None: there is none yet).
    """

    tgws: set[str] | None = None
    attachment: str | None = "available"
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # what else the requester's TGW id matches in this Region: its own side of an
    # intra-Region peering (tagged by the requester), its request to another stack here
    requester_side: bool = False
    other_accepter: bool = False
    _requester: str = ""  # TGW ids the lookups saw: the requester's, this stack's
    _own: str = ""


def _filter_values(inputs: Mapping[str, Any], name: str) -> list[str]:
    return next((list(f["values"]) for f in inputs.get("filters", []) if f["name"] == name), [])


class OfflineMocks(pulumi.runtime.Mocks):
    """Answers resource registrations with plausible ids and invokes from the catalogue."""

    def __init__(self, region: str, peering: PeeringWorld | None = None):
        self.region = region
        self.peering = peering or PeeringWorld()

    def _peering_call(self, token: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """Answer the TGW and peering-attachment lookups from the PeeringWorld."""
        world = self.peering
        world.calls.append((token, dict(inputs)))
        if token == TGW_TOKEN:
            stack = _filter_values(inputs, "tag:foundation:stack")[0]
            if world.tgws is not None and stack not in world.tgws:
                raise LookupError(f"no matching EC2 Transit Gateway ({stack})")
            if not inputs.get("region"):
                world._own = f"tgw-{stack}"  # this stack's TGW, in its own Region
            return {"id": f"tgw-{stack}", "amazonSideAsn": 64512}
        if token == PEERINGS_TOKEN:
            world._requester = (_filter_values(inputs, "transit-gateway-id") or [""])[0]
            if world.attachment is None or world.attachment not in _filter_values(inputs, "state"):
                return {"ids": []}
            ids = ["tgw-attach-peering"]
            ids += ["tgw-attach-peering-requester"] if world.requester_side else []
            ids += ["tgw-attach-peering-other"] if world.other_accepter else []
            return {"ids": ids}
        rid = str(inputs.get("id", ""))
        if rid:  # one of the listed attachments, by id
            accepter = "tgw-other" if rid.endswith("-other") else world._own
            requester = world._requester.removeprefix("tgw-")  # its stack, as tagged
            side = {"foundation:stack": requester} if rid.endswith("-requester") else {}
            return {
                "id": rid,
                "state": world.attachment,
                "transitGatewayId": world._requester,
                "peerTransitGatewayId": accepter,
                "tags": side,
            }
        states = _filter_values(inputs, "state")
        if world.attachment is None or world.attachment not in states:
            raise LookupError("no matching EC2 Transit Gateway Peering Attachment")
        if world.requester_side or world.other_accepter:  # as the provider refuses it
            raise LookupError("multiple EC2 Transit Gateway Peering Attachments matched")
        return {"id": "tgw-attach-peering", "state": world.attachment}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """Give every resource an id; fill the outputs other resources read."""
        state = dict(args.inputs)
        rid = f"{args.typ.split(':')[1]}:{args.name}"  # unique per type and name
        if args.typ == "aws:ec2/eip:Eip":
            state["allocationId"] = f"eipalloc-{args.name}"
        if args.typ == "aws:cloudwatch/logGroup:LogGroup":
            state["arn"] = (
                f"arn:aws:logs:{self.region}:{OFFLINE_ACCOUNT}:log-group:{args.inputs['name']}"
            )
        if args.typ == "aws:kms/key:Key":
            state["keyId"] = rid  # the alias names the key by its id
            state["arn"] = f"arn:aws:kms:{self.region}:{OFFLINE_ACCOUNT}:key/{args.name}"
        if args.typ in HYBRID_TYPES:  # AWS creates the TGW attachment for them
            state["transitGatewayAttachmentId"] = f"tgw-attach-{args.name}"
        if args.typ == "aws:ec2/subnet:Subnet" and not state.get("availabilityZone"):
            ids = list(regions.catalogue()[self.region])  # placed by AZ ID: AWS names the AZ
            names = dict(zip(ids, regions.offline_az_names(self.region, len(ids)), strict=True))
            state["availabilityZone"] = names.get(state.get("availabilityZoneId", ""), "")
        if args.typ == "aws:networkfirewall/firewall:Firewall":  # one endpoint per subnet
            state["firewallStatuses"] = [
                {
                    "syncStates": [
                        {"attachments": [{"subnetId": m["subnetId"], "endpointId": f"vpce-{i}"}]}
                        for i, m in enumerate(args.inputs.get("subnetMappings", []))
                    ]
                }
            ]
        if "arn" not in state:
            state["arn"] = f"arn:aws:mock:{self.region}:{OFFLINE_ACCOUNT}:{rid}"  # unique per type
        return rid, state

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        """Answer the AZ lookup and the caller's identity offline; refuse anything else."""
        if args.token == CALLER_TOKEN:
            caller = {
                "accountId": OFFLINE_ACCOUNT,
                "arn": f"arn:aws:iam::{OFFLINE_ACCOUNT}:root",
                "userId": OFFLINE_ACCOUNT,
                "id": OFFLINE_ACCOUNT,
            }
            return caller, []
        if args.token == AZ_TOKEN:
            ids = list(regions.catalogue()[self.region])
            result = {
                "names": regions.offline_az_names(self.region, len(ids)),
                "zoneIds": ids,
                "id": self.region,
            }
            return result, []  # pulumi allows None in the hint but iterates it
        if args.token in (TGW_TOKEN, PEERING_TOKEN, PEERINGS_TOKEN):
            try:
                return self._peering_call(args.token, args.args), []
            except LookupError as exc:  # as the provider reports "no matching ...": a failure
                return {}, [("filters", str(exc))]
        raise NotImplementedError(f"the offline plan cannot answer invoke {args.token}")


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that also records type, name, parent and inputs of each resource."""

    def __init__(self, mocks: pulumi.runtime.Mocks, recording: Recording):
        super().__init__(mocks)
        self.recording = recording

    def RegisterResource(self, request: Any) -> Any:
        """Register, then record (components included, so owners can be named)."""
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            self.recording.resources.append(
                Registration(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent,
                    inputs=rpc.deserialize_properties(request.object),
                    custom=bool(request.custom),
                    dependencies=tuple(request.dependencies),
                    protect=bool(request.protect),
                    id=str(getattr(response, "id", "") or ""),
                    provider=str(request.provider or ""),
                    refs=_refs(response),
                    delete_before_replace=bool(request.deleteBeforeReplace),
                )
            )
        return response


def _refs(response: Any) -> tuple[str, ...]:
    """The values by which other resources' inputs refer to this one."""
    refs = [str(response.id)] if getattr(response, "id", "") else []
    fields = response.object.fields if response.HasField("object") else {}
    for key in REF_OUTPUTS:
        if key in fields and fields[key].string_value:
            refs.append(fields[key].string_value)
    return tuple(refs)


class _WarningCollector(logging.Handler):
    def __init__(self, recording: Recording):
        super().__init__(logging.WARNING)
        self.recording = recording

    def emit(self, record: logging.LogRecord) -> None:
        self.recording.warnings.append(record.getMessage())


def run_program(
    program: Path,
    stack: str,
    region: str,
    network: Any,
    preview: bool = True,
    offline: bool = True,
    project_root: Path | None = None,
    extra_config: dict[str, str] | None = None,
    peering: PeeringWorld | None = None,
) -> Recording:
    """Run `program` (the project's __main__.py) for one stack under the mock engine.

    Args:
        program: path of the Pulumi program.
        stack: stack name (pulumi.get_stack()).
        region: aws:region config value.
        network: the raw `foundation:network` config object.
        preview: True stands in for `pulumi preview`, False for `pulumi up`.
        offline: skip the live quota and drift gates (the offline plan).
        project_root: the folder holding stacks/ (default: the program's folder).
        extra_config: more Pulumi config values (`aws:profile`, ...).
        peering: what the peering lookups find (default: the peer and peering exist).
    """
    recording = Recording()
    mocks = OfflineMocks(region, peering)
    logger = logging.getLogger(f"foundation.offline.mockrun.{stack}")
    logger.propagate = False
    logger.handlers = [_WarningCollector(recording)]
    settings.set_root_resource(None)  # type: ignore[arg-type]  # a fresh Stack per run
    pulumi.runtime.set_mocks(
        mocks,
        project="foundation",
        stack=stack,
        preview=preview,
        monitor=RecordingMonitor(mocks, recording),
        logger=logger,
    )
    pulumi.runtime.set_all_config({})
    pulumi.runtime.set_all_config(
        {"aws:region": region, "foundation:network": json.dumps(network), **(extra_config or {})}
    )
    previous = runtime.OFFLINE, runtime.PROJECT_ROOT
    runtime.OFFLINE = offline
    runtime.PROJECT_ROOT = project_root or program.parent

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def _run() -> None:
        runpy.run_path(str(program), run_name="__main__")

    try:
        _run()
        root = settings.get_root_resource()
        recording.exports = sorted(getattr(root, "outputs", {}))
    finally:
        runtime.OFFLINE, runtime.PROJECT_ROOT = previous
        _collect_at_exit()
    return recording


_EXIT_COLLECT: list[bool] = []


def _collect_at_exit() -> None:
    """Collect once at interpreter exit: an event-loop error is printed otherwise.

    (A collection after every run cost half a second on a 100-spoke stack.)
    """
    if not _EXIT_COLLECT:
        _EXIT_COLLECT.append(True)
        atexit.register(gc.collect)
