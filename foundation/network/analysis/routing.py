"""Longest-prefix-match walks through the plan's route tables (not through the config).

A packet starts in a subnet of one AZ slot. VPC route tables hold the implicit local route
plus the planned routes; a Transit Gateway table holds the CIDRs of the attachments that
propagate into it plus its static and blackhole routes. The TGW keeps AZ affinity: traffic
leaves into the next VPC through that VPC's transit subnet in the same slot, where the
transit subnet's route table decides. A NAT translates and forwards by its own subnet's
table. A walk can be told that one AZ slot has failed: touching it drops the packet.

Central inspection (DESIGN §3.10): a firewall route hands the packet to that AZ's
firewall endpoint, which forwards by its firewall subnet's table. Entering an attachment
with appliance mode, the TGW uses the AZ the flow hash chose (`flow_slot`, the same both
ways) instead of keeping the AZ the packet entered in.
"""

from __future__ import annotations

from dataclasses import dataclass

from netaddr import IPAddress, IPNetwork

from foundation.network.model import NetworkPlan, Vpc

INTERNET_PROBE = IPAddress("198.51.100.10")  # TEST-NET-2: any public destination
MAX_HOPS = 16


@dataclass(frozen=True)
class Walk:
    """Where a packet ended and how it got there."""

    outcome: str  # delivered | internet | blackhole | no-route | az-failed | loop
    hops: tuple[str, ...]
    nat: str | None = None
    nat_az: str | None = None
    delivered_to: str | None = None
    firewalls: tuple[str, ...] = ()  # AZs of the firewall endpoints passed, in order

    @property
    def ok(self) -> bool:
        """Whether the packet arrived (at a VPC or the internet)."""
        return self.outcome in ("delivered", "internet")


Target = tuple[str, str | None]  # (kind, name): local, igw, nat, tgw, attachment, blackhole
Table = list[tuple[int, int, Target]]  # (first, last, target), longest prefix first


def _table(routes: list[tuple[IPNetwork, Target]]) -> Table:
    ordered = sorted(routes, key=lambda r: -r[0].prefixlen)  # stable: equal prefixes keep order
    return [(int(net.first), int(net.last), target) for net, target in ordered]


def _lpm(table: Table, ip: int) -> Target | None:
    for first, last, target in table:
        if first <= ip <= last:
            return target
    return None


class Router:
    """The plan's route tables indexed once, for many walks (longest-prefix match)."""

    def __init__(self, plan: NetworkPlan):
        self.plan = plan
        self.vpcs = {v.name: v for v in plan.vpcs}
        self.pool = IPNetwork(plan.pool_cidr)
        self.vpc_tables: dict[tuple[str, str], Table] = {}
        self.next_table: dict[tuple[str, int], str] = {}  # (vpc, slot) -> transit subnet's table
        self.nat_at: dict[str, tuple[str, int, str]] = {}  # NAT -> (AZ, slot, subnet's table)
        for v in plan.vpcs:
            local: list[tuple[IPNetwork, Target]] = [(IPNetwork(v.cidr), ("local", None))]
            for t in v.route_tables:
                self.vpc_tables[(v.name, t.name)] = _table(
                    local
                    + [
                        (
                            IPNetwork(r.destination),
                            (
                                r.target.type,
                                r.target.az if r.target.type == "firewall" else r.target.name,
                            ),
                        )
                        for r in t.routes
                    ]
                )
            for sub in v.subnets_of("transit"):
                self.next_table[(v.name, sub.slot)] = sub.route_table
            for n in v.nat_gateways:
                self.nat_at[n.name] = (
                    n.az,
                    plan.slot_of(n.az),
                    v.subnet(n.subnet).route_table,
                )
        self.firewall_at: dict[str, tuple[int, str]] = {}  # AZ -> (slot, firewall subnet table)
        if plan.inspection is not None:
            inspection_vpc = self.vpcs[plan.inspection.vpc]
            for e in plan.inspection.endpoints:
                self.firewall_at[e.az] = (e.slot, inspection_vpc.subnet(e.subnet).route_table)
        tgw = plan.transit_gateway
        self.appliance = {a.name for a in tgw.attachments if a.appliance_mode}
        self.association = {a: t.name for t in tgw.route_tables for a in t.associations}
        self.tgw_tables: dict[str, Table] = {}
        # a hybrid attachment (§3.14) propagates the on-premises prefixes it brings in
        self.hybrid = {h.name: h.prefixes for h in tgw.hybrid}
        for tgw_table in tgw.route_tables:
            routes: list[tuple[IPNetwork, Target]] = [
                (IPNetwork(cidr), ("attachment", a))
                for a in tgw_table.propagations
                for cidr in self.hybrid.get(a) or (self.vpcs[a].cidr,)
            ]
            routes += [
                (
                    IPNetwork(r.destination),
                    ("blackhole", None) if r.blackhole else ("attachment", r.attachment),
                )
                for r in tgw_table.static_routes
            ]
            self.tgw_tables[tgw_table.name] = _table(routes)

    def walk(
        self,
        vpc_name: str,
        table: str,
        slot: int,
        dst: IPAddress,
        failed_slot: int | None = None,
        flow_slot: int | None = None,
        entry: str | None = None,
        from_tgw: bool = False,
    ) -> Walk:
        """Follow a packet from a route table of one VPC, in one AZ slot, to `dst`.

        `flow_slot`: the AZ slot the TGW's flow hash picks at appliance-mode attachments
        (None: the TGW keeps the AZ the packet entered in, as without appliance mode).
        With `entry` (a hybrid attachment), the packet enters the TGW from on-premises
        there instead; `vpc_name` and `table` are then ignored. A packet the TGW sends to a
        hybrid attachment is delivered to it (`delivered_to` names the attachment).
        With `from_tgw`, the packet starts at the TGW in route table `table` (it arrived
        over a peering). A TGW route to an attachment that is no VPC of this plan (a
        peering, DESIGN §3.9) ends the walk with outcome `peering`, `delivered_to` naming
        the attachment: the caller continues on the peer's side.
        """
        hops: list[str] = []
        firewalls: list[str] = []
        nat: tuple[str | None, str | None] = (None, None)
        ip = int(dst)

        def end(outcome: str, delivered_to: str | None = None) -> Walk:
            return Walk(outcome, tuple(hops), nat[0], nat[1], delivered_to, tuple(firewalls))

        in_vpc, where, table_name = not from_tgw, vpc_name, table
        if entry is not None:
            in_vpc, where, table_name = False, entry, self.association[entry]
        for _ in range(MAX_HOPS):
            if failed_slot is not None and slot == failed_slot:
                return end("az-failed")
            if in_vpc:
                hops.append(table_name)
                target = _lpm(self.vpc_tables[(where, table_name)], ip)
                if target is None:
                    return end("no-route")
                kind, name = target
                if kind == "local":
                    return end("delivered", delivered_to=where)
                if kind == "igw":
                    hops.append("igw")
                    public = dst not in self.pool and not dst.is_ipv4_private_use()
                    return end("internet" if public else "no-route")
                if kind == "nat":
                    az, slot, table_name = self.nat_at[str(name)]
                    nat = (name, az)
                    hops.append(str(name))
                    continue
                if kind == "firewall":
                    slot, table_name = self.firewall_at[str(name)]
                    hops.append(f"firewall:{name}")
                    firewalls.append(str(name))
                    continue
                hops.append("tgw")
                in_vpc, table_name = False, self.association[where]
                continue
            hops.append(f"tgw:{table_name}")
            target = _lpm(self.tgw_tables[table_name], ip)
            if target is None:
                return end("no-route")
            if target[0] == "blackhole":
                return end("blackhole")
            where = str(target[1])
            if where in self.hybrid:
                return end("delivered", delivered_to=where)
            if where not in self.vpcs:
                return end("peering", delivered_to=where)
            if flow_slot is not None and where in self.appliance:
                slot = flow_slot  # appliance mode: one AZ per flow, both ways
            transit = self.next_table.get((where, slot))
            if transit is None:  # no attachment subnet in this AZ: the TGW cannot deliver here
                return end("no-route")
            in_vpc, table_name = True, transit
        return end("loop")


def walk(
    plan: NetworkPlan,
    vpc_name: str,
    table: str,
    slot: int,
    dst: IPAddress,
    failed_slot: int | None = None,
    flow_slot: int | None = None,
) -> Walk:
    """One walk on a plan (index it with Router for many walks)."""
    return Router(plan).walk(vpc_name, table, slot, dst, failed_slot, flow_slot)


def workload_table(vpc: Vpc, slot: int) -> str:
    """The route table of the first workload subnet of a VPC in a slot (the probe source)."""
    subnets = [s for s in vpc.subnets if s.tier not in ("transit", "public") and s.slot == slot]
    if not subnets and vpc.role == "hub":
        subnets = [s for s in vpc.subnets if s.tier == "transit" and s.slot == slot]
    return sorted(subnets, key=lambda s: s.tier)[0].route_table


def probe_address(vpc: Vpc) -> IPAddress:
    """An address inside a workload subnet of the VPC (the fifth, past the AWS reserves)."""
    subnets = [s for s in vpc.subnets if s.tier not in ("transit", "public")] or list(vpc.subnets)
    return IPAddress(IPNetwork(sorted(subnets, key=lambda s: (s.slot, s.tier))[0].cidr).first + 5)


WORKLOAD_EXCLUDED = ("transit", "public")


def workload_tiers(vpc: Vpc) -> list[str]:
    """Every workload tier of a VPC (not transit, not the hub's public tier), sorted."""
    return sorted({s.tier for s in vpc.subnets if s.tier not in WORKLOAD_EXCLUDED})


def tier_table(vpc: Vpc, tier: str, slot: int) -> str | None:
    """The route table of a tier's subnet in a slot (None when the tier has none there)."""
    return next((s.route_table for s in vpc.subnets if s.tier == tier and s.slot == slot), None)


def tier_address(vpc: Vpc, tier: str, slot: int | None = None) -> IPAddress:
    """An address in a tier's subnet (in `slot`, or its first slot), past the AWS reserves."""
    subnets = sorted(
        (s for s in vpc.subnets if s.tier == tier and (slot is None or s.slot == slot)),
        key=lambda s: s.slot,
    )
    return IPAddress(IPNetwork(subnets[0].cidr).first + 5)
