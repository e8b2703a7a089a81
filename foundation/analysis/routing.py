"""Longest-prefix-match walks through the plan's route tables (not through the config).

A packet starts in a subnet of one AZ slot. VPC route tables hold the implicit local route
plus the planned routes; a Transit Gateway table holds the CIDRs of the attachments that
propagate into it plus its static and blackhole routes. The TGW keeps AZ affinity: traffic
leaves into the next VPC through that VPC's transit subnet in the same slot, where the
transit subnet's route table decides. A NAT translates and forwards by its own subnet's
table. A walk can be told that one AZ slot has failed: touching it drops the packet.
"""

from __future__ import annotations

from dataclasses import dataclass

from netaddr import IPAddress, IPNetwork

from foundation.plan import NetworkPlan, Vpc

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

    @property
    def ok(self) -> bool:
        """Whether the packet arrived (at a VPC or the internet)."""
        return self.outcome in ("delivered", "internet")


Target = tuple[str, str | None]  # (kind, name): local, igw, nat, tgw, attachment, blackhole


def _lpm(routes: list[tuple[IPNetwork, Target]], ip: IPAddress) -> Target | None:
    best: tuple[int, Target] | None = None
    for net, target in routes:
        if ip in net and (best is None or net.prefixlen > best[0]):
            best = (net.prefixlen, target)
    return best[1] if best else None


def _vpc_routes(vpc: Vpc, table_name: str) -> list[tuple[IPNetwork, Target]]:
    table = vpc.route_table(table_name)
    routes: list[tuple[IPNetwork, Target]] = [(IPNetwork(vpc.cidr), ("local", None))]
    routes += [(IPNetwork(r.destination), (r.target.type, r.target.name)) for r in table.routes]
    return routes


def _tgw_routes(plan: NetworkPlan, table_name: str) -> list[tuple[IPNetwork, Target]]:
    table = plan.transit_gateway.route_table(table_name)
    routes: list[tuple[IPNetwork, Target]] = [
        (IPNetwork(plan.vpc(att).cidr), ("attachment", att)) for att in table.propagations
    ]
    routes += [
        (
            IPNetwork(s.destination),
            ("blackhole", None) if s.blackhole else ("attachment", s.attachment),
        )
        for s in table.static_routes
    ]
    return routes


def walk(
    plan: NetworkPlan,
    vpc_name: str,
    table: str,
    slot: int,
    dst: IPAddress,
    failed_slot: int | None = None,
) -> Walk:
    """Follow a packet from a route table of one VPC, in one AZ slot, to `dst`."""
    hops: list[str] = []
    nat: tuple[str | None, str | None] = (None, None)
    pool = IPNetwork(plan.pool_cidr)

    def end(outcome: str, delivered_to: str | None = None) -> Walk:
        return Walk(outcome, tuple(hops), nat[0], nat[1], delivered_to)

    in_vpc, where, table_name = True, vpc_name, table
    for _ in range(MAX_HOPS):
        if failed_slot is not None and slot == failed_slot:
            return end("az-failed")
        if in_vpc:
            vpc = plan.vpc(where)
            hops.append(table_name)
            target = _lpm(_vpc_routes(vpc, table_name), dst)
            if target is None:
                return end("no-route")
            kind, name = target
            if kind == "local":
                return end("delivered", delivered_to=where)
            if kind == "igw":
                hops.append("igw")
                public = dst not in pool and not dst.is_ipv4_private_use()
                return end("internet" if public else "no-route")
            if kind == "nat":
                gateway = next(n for n in vpc.nat_gateways if n.name == name)
                nat = (gateway.name, gateway.az)
                hops.append(gateway.name)
                slot = plan.availability_zones.index(gateway.az)
                table_name = vpc.subnet(gateway.subnet).route_table
                continue
            hops.append("tgw")
            in_vpc, table_name = False, plan.transit_gateway.association_of(where).name
            continue
        hops.append(f"tgw:{table_name}")
        target = _lpm(_tgw_routes(plan, table_name), dst)
        if target is None:
            return end("no-route")
        if target[0] == "blackhole":
            return end("blackhole")
        next_vpc = plan.vpc(str(target[1]))
        transit = [s for s in next_vpc.subnets_of("transit") if s.slot == slot]
        if not transit:  # no attachment subnet in this AZ: the TGW cannot deliver here
            return end("no-route")
        in_vpc, where, table_name = True, next_vpc.name, transit[0].route_table
    return end("loop")


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
