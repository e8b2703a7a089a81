"""The NetworkPlan: frozen, serialisable data describing every resource of a stack.

Everything downstream (components, quotas, drift, analysis, reports) reads this; nothing
downstream recomputes addresses. Names are stable logical names derived from config keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from netaddr import IPNetwork

TargetType = Literal["igw", "nat", "tgw", "firewall"]
AWS_RESERVED_PER_SUBNET = 5


@dataclass(frozen=True)
class RouteTarget:
    """Where a route sends traffic: IGW, a named NAT, the TGW, or an AZ's firewall endpoint."""

    type: TargetType
    name: str | None = None
    az: str | None = None


@dataclass(frozen=True)
class Route:
    """One non-local route of a VPC route table."""

    destination: str
    target: RouteTarget


@dataclass(frozen=True)
class RouteTable:
    """A VPC route table, the subnets explicitly associated with it, and its routes."""

    name: str
    vpc: str
    routes: tuple[Route, ...]
    subnets: tuple[str, ...]
    private: bool  # workload table: gateway endpoints attach here


@dataclass(frozen=True)
class Subnet:
    """One subnet of one tier in one AZ slot."""

    name: str
    vpc: str
    tier: str
    az: str
    slot: int
    cidr: str
    route_table: str
    lock_key: str
    new: bool = False

    @property
    def usable(self) -> int:
        """Usable addresses: AWS reserves five in every subnet."""
        return IPNetwork(self.cidr).size - AWS_RESERVED_PER_SUBNET


@dataclass(frozen=True)
class NatGateway:
    """A public NAT gateway with its Elastic IP, in one AZ's public subnet."""

    name: str
    az: str
    subnet: str
    eip: str


@dataclass(frozen=True)
class FlowLog:
    """VPC flow logs (FSBP EC2.6)."""

    name: str
    vpc: str
    destination: Literal["cloudwatch", "s3"]
    traffic_type: str
    retention_days: int
    log_group: str
    bucket_arn: str | None = None
    kms_key: bool = False  # encrypt the log group with the stack's own customer-managed key
    kms_key_arn: str | None = None  # ... or with this existing key


@dataclass(frozen=True)
class GatewayEndpoint:
    """An S3 or DynamoDB gateway endpoint on the VPC's workload route tables."""

    name: str
    vpc: str
    service: str
    route_tables: tuple[str, ...]


@dataclass(frozen=True)
class DefaultSecurityGroup:
    """The VPC's default security group, managed so that it holds no rules (FSBP EC2.2)."""

    name: str
    vpc: str
    ingress: tuple[str, ...] = ()
    egress: tuple[str, ...] = ()


@dataclass(frozen=True)
class Account:
    """An AWS account of the stack (DESIGN §3.8); `network` is the stack's own account."""

    name: str
    id: str | None = None  # for `network`: the pin, when given
    role: str | None = None  # assumed to deploy (None for the network account)
    read_role: str | None = None  # assumed by quotas and drift (default: role)


@dataclass(frozen=True)
class RamShare:
    """The RAM share of the Transit Gateway with the spoke accounts (network account side)."""

    name: str
    principals: tuple[str, ...]
    allow_external_principals: bool = False
    accepters: tuple[str, ...] = ()  # spoke accounts that accept an invitation


@dataclass(frozen=True)
class Vpc:
    """A hub or spoke VPC and everything inside it."""

    name: str
    role: Literal["hub", "spoke", "inspection", "services"]
    segment: str | None
    cidr: str
    lock_key: str
    az_slots: int
    subnets: tuple[Subnet, ...]
    route_tables: tuple[RouteTable, ...]
    nat_gateways: tuple[NatGateway, ...] = ()
    internet_gateway: str | None = None
    flow_log: FlowLog | None = None
    endpoints: tuple[GatewayEndpoint, ...] = ()
    default_security_group: DefaultSecurityGroup | None = None
    map_public_ip_on_launch: bool = False
    new: bool = False
    account: str = "network"

    def subnets_of(self, tier: str) -> tuple[Subnet, ...]:
        """Subnets of one tier, in AZ-slot order."""
        return tuple(s for s in self.subnets if s.tier == tier)

    def route_table(self, name: str) -> RouteTable:
        """A route table by name."""
        return next(t for t in self.route_tables if t.name == name)

    def subnet(self, name: str) -> Subnet:
        """A subnet by name."""
        return next(s for s in self.subnets if s.name == name)


@dataclass(frozen=True)
class TgwAttachment:
    """A VPC attachment, on the VPC's dedicated transit subnets (one per AZ)."""

    name: str
    vpc: str
    subnets: tuple[str, ...]
    account: str = "network"  # a spoke account's attachment is accepted in the network account
    appliance_mode: bool = False  # one AZ per flow, both ways (the inspection VPC, §3.10)

    @property
    def cross_account(self) -> bool:
        """Whether the attachment is created in a spoke account and accepted here."""
        return self.account != "network"


@dataclass(frozen=True)
class TgwStaticRoute:
    """A static route of a TGW route table: to an attachment, or a blackhole."""

    destination: str
    attachment: str | None = None
    blackhole: bool = False


@dataclass(frozen=True)
class TgwRouteTable:
    """A TGW route table: who is associated, what propagates into it, static routes."""

    name: str
    associations: tuple[str, ...]
    propagations: tuple[str, ...]
    static_routes: tuple[TgwStaticRoute, ...]


@dataclass(frozen=True)
class HybridAttachment:
    """A Site-to-Site VPN (one per customer gateway) or the DX gateway association (§3.14)."""

    name: str  # vpn-<gateway> | dx
    type: Literal["vpn", "directConnect"]
    customer_gateway: str | None
    prefixes: tuple[str, ...]  # what on-premises announces through it
    advertises: tuple[str, ...]  # what the TGW announces to on-premises through it
    ip: str | None = None  # the customer gateway's public IP
    asn: int | None = None  # the customer gateway's BGP ASN
    gateway_id: str | None = None  # the DX gateway


@dataclass(frozen=True)
class OnPremises:
    """The on-premises ranges and the segments that reach them (and are reached)."""

    cidrs: tuple[str, ...]
    segments: tuple[str, ...]


@dataclass(frozen=True)
class TgwPeering:
    """A TGW peering attachment to a peered stack's TGW in another Region (DESIGN §3.9)."""

    name: str  # peer-<peerstack>
    peer_stack: str
    peer_region: str
    requester: bool  # the stack whose name sorts first requests; the other accepts
    state: Literal["planned", "pending"]  # pending: the peer has no lock entries yet


@dataclass(frozen=True)
class RemoteSpoke:
    """A spoke of a peered stack, as this stack routes to it (CIDR from the org-wide lock)."""

    stack: str
    region: str
    name: str
    segment: str
    cidr: str

    @property
    def key(self) -> str:
        """How reports name it: `<peerstack>/<spoke>`."""
        return f"{self.stack}/{self.name}"


@dataclass(frozen=True)
class TransitGateway:
    """The Transit Gateway with secure options and its segment route tables."""

    name: str
    asn: int
    auto_accept_shared_attachments: bool
    default_route_table_association: bool
    default_route_table_propagation: bool
    dns_support: bool
    attachments: tuple[TgwAttachment, ...]
    route_tables: tuple[TgwRouteTable, ...]
    hybrid: tuple[HybridAttachment, ...] = ()  # VPN and DX attachments (§3.14)
    peerings: tuple[TgwPeering, ...] = ()

    def route_table(self, name: str) -> TgwRouteTable:
        """A TGW route table by name."""
        return next(t for t in self.route_tables if t.name == name)

    def association_of(self, attachment: str) -> TgwRouteTable:
        """The route table an attachment is associated with."""
        return next(t for t in self.route_tables if attachment in t.associations)


@dataclass(frozen=True)
class Segment:
    """A segment as configured (used by analysis to state the intent)."""

    name: str
    connects_to: tuple[str, ...]
    isolated: bool


@dataclass(frozen=True)
class Alarm:
    """One CloudWatch metric alarm on one resource, notifying the topic on ALARM and OK."""

    name: str  # logical name; the AWS alarm is named <stack>-<name>
    kind: str  # the alarm kind, also its playbook id (docs/runbooks/<kind>.md)
    namespace: str
    metric: str
    dimension: str  # the metric's dimension name; its value is the subject's resource id
    subject: str  # logical name of the watched resource (a NAT gateway, the TGW)
    statistic: str
    comparison: str
    threshold: float
    period: int  # seconds
    evaluation_periods: int
    datapoints_to_alarm: int
    description: str
    runbook: str  # docs/runbooks/<kind>.md
    treat_missing_data: str = "notBreaching"
    extra_dimensions: tuple[tuple[str, str], ...] = ()  # fixed (name, value) pairs besides it


@dataclass(frozen=True)
class AlarmTopic:
    """Where alarms notify: a topic the stack creates (`name`) or an existing one (`arn`)."""

    name: str | None  # <stack>-<topic>, created with a customer-managed KMS key
    arn: str | None  # an existing topic
    logical_name: str  # the topic's logical name (the key and policy derive theirs from it)
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Monitoring:
    """The `alarms:` block as planned: the topic and every alarm."""

    topic: AlarmTopic
    alarms: tuple[Alarm, ...]
    runbook_base_url: str | None = None


# --- central inspection (DESIGN §3.10): the planned AWS Network Firewall -------------------
# Strict order, default drop: a packet no rule passes is dropped (and alerted, so logged).
DEFAULT_ACTIONS = ("aws:drop_strict", "aws:alert_strict")
# Stateless engine: hand everything to the stateful engine (the rules live there).
STATELESS_DEFAULT_ACTIONS = ("aws:forward_to_sfe",)
RULE_ORDER = "STRICT_ORDER"
# A rule group's capacity cannot change after creation (a change replaces it): fixed, with
# room for the largest allow-list accepted (foundation.config.inspection.MAX_DOMAINS).
RULE_GROUP_CAPACITY = 1000


@dataclass(frozen=True)
class FirewallEndpoint:
    """The firewall's endpoint in one AZ, in that AZ's firewall subnet."""

    az: str
    slot: int
    subnet: str


@dataclass(frozen=True)
class RuleGroup:
    """A stateful rule group: Suricata rules (strict order) and the IP set variables."""

    name: str
    priority: int  # its place in the policy (strict order: lower first)
    rules: tuple[str, ...]
    ip_sets: tuple[tuple[str, tuple[str, ...]], ...]  # (variable, CIDRs)
    capacity: int = RULE_GROUP_CAPACITY


@dataclass(frozen=True)
class FirewallLog:
    """A CloudWatch log group receiving one log type of the firewall (ALERT or FLOW)."""

    log_type: str
    log_group: str
    retention_days: int


@dataclass(frozen=True)
class Inspection:
    """The firewall, its policy and endpoints, and what it inspects."""

    vpc: str
    firewall: str
    policy: str
    endpoints: tuple[FirewallEndpoint, ...]
    home_net: tuple[str, ...]
    rule_groups: tuple[RuleGroup, ...]
    logs: tuple[FirewallLog, ...]
    east_west: bool
    egress: bool
    within_segment: bool
    allow_domains: tuple[str, ...] | None
    segment_pairs: tuple[tuple[str, str], ...]  # permitted segment pairs the firewall passes
    delete_protection: bool
    default_actions: tuple[str, ...] = DEFAULT_ACTIONS
    kms_key: bool = False  # encrypt the log groups with the stack's flow-log key
    kms_key_arn: str | None = None

    def endpoint_in(self, az: str) -> FirewallEndpoint:
        """The endpoint of one AZ."""
        return next(e for e in self.endpoints if e.az == az)


@dataclass(frozen=True)
class NetworkPlan:
    """Every resource of one stack, derived from the spec and the allocation."""

    stack: str
    region: str
    pool_name: str
    pool_cidr: str
    availability_zones: tuple[str, ...]
    egress: Literal["nat-per-az", "single-nat", "none"]
    production: bool
    segments: tuple[Segment, ...]
    vpcs: tuple[Vpc, ...]
    transit_gateway: TransitGateway
    warnings: tuple[str, ...] = ()
    new_allocations: tuple[str, ...] = ()
    allocated_cidrs: tuple[tuple[str, str], ...] = ()  # (lock key, CIDR) new in this plan
    released_allocations: tuple[tuple[str, str], ...] = ()  # (lock key, CIDR) freed
    az_slots: tuple[int, ...] = ()  # the AZ slot of each availability_zones entry
    az_positions: tuple[int, ...] = ()  # its position in the config's AZs (count or list)
    quota_headroom: float = 0.15
    pool_allocatable: int = 0
    pool_allocated: int = 0
    accounts: tuple[Account, ...] = (Account("network"),)
    share: RamShare | None = None
    az_ids: bool = False  # slots are AZ IDs (spokes in other accounts), subnets placed by ID
    monitoring: Monitoring | None = None
    on_premises: OnPremises | None = None  # DESIGN §3.14
    shared_services: SharedServices | None = None  # DESIGN §3.15
    inspection: Inspection | None = None  # DESIGN §3.10: the firewall, its policy, endpoints
    remote_spokes: tuple[RemoteSpoke, ...] = ()  # spokes of peered stacks (DESIGN §3.9)

    def account(self, name: str) -> Account:
        """An account by name."""
        return next(a for a in self.accounts if a.name == name)

    def vpcs_in(self, account: str) -> tuple[Vpc, ...]:
        """The VPCs created in one account."""
        return tuple(v for v in self.vpcs if v.account == account)

    @property
    def slots(self) -> tuple[int, ...]:
        """The AZ slot of each AZ, in availability_zones order (0..n-1 unless bound)."""
        return self.az_slots or tuple(range(len(self.availability_zones)))

    @property
    def positions(self) -> tuple[int, ...]:
        """Each AZ's position in the config's AZs, in availability_zones order."""
        return self.az_positions or tuple(range(len(self.availability_zones)))

    def slot_of(self, az: str) -> int:
        """The AZ slot of an AZ of the plan."""
        return self.slots[self.availability_zones.index(az)]

    @property
    def hub(self) -> Vpc:
        """The hub VPC."""
        return next(v for v in self.vpcs if v.role == "hub")

    @property
    def spokes(self) -> tuple[Vpc, ...]:
        """Spoke VPCs by name."""
        return tuple(v for v in self.vpcs if v.role == "spoke")

    def vpc(self, name: str) -> Vpc:
        """A VPC by name."""
        return next(v for v in self.vpcs if v.name == name)

    @property
    def pool_utilisation(self) -> float:
        """Share of the pool's allocatable space used by all VPCs in it (0..1)."""
        return self.pool_allocated / self.pool_allocatable if self.pool_allocatable else 0.0


# --- shared services (DESIGN §3.15): what lives in the `services` VPC --------------------


@dataclass(frozen=True)
class SgRule:
    """One security group rule: a protocol and port from (ingress) or to (egress) a CIDR."""

    protocol: Literal["tcp", "udp"]
    port: int
    cidr: str


@dataclass(frozen=True)
class ServiceSecurityGroup:
    """A security group of the services VPC; nothing is allowed that is not listed."""

    name: str
    vpc: str
    description: str
    ingress: tuple[SgRule, ...] = ()
    egress: tuple[SgRule, ...] = ()


@dataclass(frozen=True)
class InterfaceEndpoint:
    """One interface endpoint, in the `endpoints` subnet of every AZ, private DNS off."""

    name: str
    service: str  # short name, e.g. ssm, ecr.api
    service_name: str  # com.amazonaws.<region>.<service>
    subnets: tuple[str, ...]
    security_group: str
    private_dns: bool = False


@dataclass(frozen=True)
class HostedZone:
    """A private hosted zone answering for one service with an alias to its endpoint."""

    name: str  # logical name
    domain: str  # e.g. ssm.us-east-1.amazonaws.com
    service: str
    endpoint: str  # the interface endpoint's logical name (the alias target)
    wildcard: bool  # a `*.<domain>` alias record too (e.g. dkr.ecr)
    vpcs: tuple[str, ...]  # associated VPCs: the listed spokes and `services`


@dataclass(frozen=True)
class ResolverAddress:
    """A fixed Resolver endpoint address in one `endpoints` subnet."""

    subnet: str
    ip: str


@dataclass(frozen=True)
class ResolverEndpoint:
    """A Route 53 Resolver endpoint with fixed addresses in two AZs."""

    name: str
    direction: Literal["INBOUND", "OUTBOUND"]
    addresses: tuple[ResolverAddress, ...]
    security_group: str


@dataclass(frozen=True)
class ForwardRule:
    """A forwarding rule for one domain, associated with the listed spokes' VPCs."""

    name: str
    domain: str
    targets: tuple[str, ...]
    vpcs: tuple[str, ...]


@dataclass(frozen=True)
class SharedServices:
    """Everything of §3.15 beyond the VPC: who uses it, endpoints, zones, Resolver."""

    vpc: str
    segments: tuple[str, ...]  # the segments that use the services
    spokes: tuple[str, ...]  # the spokes of those segments (users of the central endpoints)
    endpoints: tuple[InterfaceEndpoint, ...]
    security_groups: tuple[ServiceSecurityGroup, ...]
    zones: tuple[HostedZone, ...]
    inbound: ResolverEndpoint | None
    outbound: ResolverEndpoint | None
    rules: tuple[ForwardRule, ...]
    catalogue_source: str = ""
    catalogue_date: str = ""

    def security_group(self, name: str) -> ServiceSecurityGroup:
        """A security group by name."""
        return next(g for g in self.security_groups if g.name == name)

    @property
    def endpoint_group(self) -> ServiceSecurityGroup:
        """The interface endpoints' security group (443 from the listed spokes)."""
        return self.security_group(f"{self.vpc}-endpoints-sg")
