"""Central inspection built into the plan (DESIGN §3.10): VPC, TGW routing, firewall rules.

Per AZ, the inspection VPC's transit subnet sends 0/0 to that AZ's firewall endpoint and
the firewall subnet sends 0/0 back to the TGW. The TGW table `inspection` (associated with
the inspection attachment, appliance mode on) learns every spoke and sends 0/0 to the hub.
Segment tables send the permitted spokes they inspect (other segments with eastWest, their
own with withinSegment) and 0/0 (egress) to the inspection attachment instead; the hub
table sends spoke CIDRs back through it, so egress replies meet the same firewall. Segment
isolation and the pool blackholes stay: the firewall is a second bulkhead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from foundation.config.inspection import INSPECTION
from foundation.config.spec import StackSpec
from foundation.network.build import _subnets, allocated_vpc, letter
from foundation.network.model import (
    Alarm,
    FirewallEndpoint,
    FirewallLog,
    Inspection,
    Route,
    RouteTable,
    RouteTarget,
    RuleGroup,
    TgwRouteTable,
    TgwStaticRoute,
    TransitGateway,
    Vpc,
)
from foundation.network.runbooks import runbook_link, runbook_path
from ipam.layout import Allocation

DEFAULT_ROUTE = "0.0.0.0/0"
EAST_WEST_SID, EGRESS_SID = 1_000_000, 2_000_000
WEB_PORTS = "[80,443]"


def inspection_vpc(spec: StackSpec, allocation: Allocation, azs: Mapping[int, str]) -> Vpc:
    """The inspection VPC: a transit /28 and a firewall subnet per AZ, routes per AZ.

    Args:
        spec: the stack.
        allocation: its CIDRs (the inspection VPC is IPAM-allocated like every VPC).
        azs: AZ slot -> AZ name (or ID).
    """
    subnets = []
    tables = []
    for tier in ("firewall", "transit"):
        for sub in _subnets(allocation, INSPECTION, tier, azs, None):
            subnets.append(sub)
            az = sub.az
            route = (
                Route(DEFAULT_ROUTE, RouteTarget("firewall", az=az))
                if tier == "transit"
                else Route(DEFAULT_ROUTE, RouteTarget("tgw"))
            )
            tables.append(
                RouteTable(
                    f"{INSPECTION}-{tier}-{letter(sub.slot)}",
                    INSPECTION,
                    (route,),
                    (sub.name,),
                    private=False,
                )
            )
    return allocated_vpc(spec, allocation, INSPECTION, "inspection", subnets, tables)


def inspected_segment_pairs(spec: StackSpec, reach: Mapping[str, set[str]]) -> set[tuple[str, str]]:
    """Ordered segment pairs (a, b) whose permitted traffic the firewall sees."""
    block = spec.network.inspection
    assert block is not None
    return {
        (a, b)
        for a, targets in reach.items()
        for b in targets
        if (a != b and block.east_west) or (a == b and block.within_segment)
    }


def route_through_inspection(
    spec: StackSpec,
    tgw: TransitGateway,
    spokes: list[Vpc],
    reach: Mapping[str, set[str]],
    pool: str,
) -> TransitGateway:
    """The TGW with inspected traffic sent to the inspection attachment (DESIGN §3.10)."""
    net = spec.network
    block = net.inspection
    assert block is not None
    pairs = inspected_segment_pairs(spec, reach)
    segment_of = {s.name: s.segment for s in spokes}
    cidr_of = {s.name: s.cidr for s in spokes}
    tables = []
    for table in tgw.route_tables:
        if table.name in net.segments:
            redirected = [p for p in table.propagations if (table.name, segment_of[p]) in pairs]
            statics = [TgwStaticRoute(cidr_of[p], attachment=INSPECTION) for p in redirected]
            for route in table.static_routes:
                if block.egress and route.destination == DEFAULT_ROUTE:
                    route = TgwStaticRoute(DEFAULT_ROUTE, attachment=INSPECTION)
                statics.append(route)
            table = replace(
                table,
                propagations=tuple(p for p in table.propagations if p not in redirected),
                static_routes=tuple(statics),
            )
        elif table.name == "hub" and block.egress:
            # replies to egress return through the firewall AZ the flow came through
            table = replace(
                table,
                propagations=(),
                static_routes=tuple(
                    TgwStaticRoute(cidr_of[s.name], attachment=INSPECTION) for s in spokes
                ),
            )
        tables.append(table)
    statics = [TgwStaticRoute(pool, blackhole=True)]
    if net.hub.egress != "none":
        statics.insert(0, TgwStaticRoute(DEFAULT_ROUTE, attachment="hub"))
    tables.append(
        TgwRouteTable(INSPECTION, (INSPECTION,), tuple(s.name for s in spokes), tuple(statics))
    )
    attachments = tuple(
        replace(a, appliance_mode=True) if a.vpc == INSPECTION else a for a in tgw.attachments
    )
    return replace(tgw, route_tables=tuple(tables), attachments=attachments)


def _variable(segment: str) -> str:
    """A Suricata variable name for a segment's spoke CIDRs (segment names use a-z0-9-)."""
    return "SEG_" + re.sub(r"[^A-Z0-9]", "_", segment.upper())


def _domain_match(domain: str) -> str:
    """Suricata content options matching a host name: '.x.com' is x.com and its subdomains."""
    if domain.startswith("."):
        return f'dotprefix; content:"{domain}"; nocase; endswith;'
    return f'content:"{domain}"; nocase; startswith; endswith;'


def east_west_rules(
    pairs: set[tuple[str, str]], spokes: list[Vpc]
) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """Pass exactly the permitted (inspected) segment pairs; the default action drops the rest."""
    cidrs: dict[str, list[str]] = {}
    for s in spokes:
        cidrs.setdefault(str(s.segment), []).append(s.cidr)
    unordered = sorted({tuple(sorted(p)) for p in pairs if p[0] in cidrs and p[1] in cidrs})
    rules = []
    for i, (a, b) in enumerate(unordered, start=1):
        rules.append(
            f"pass ip ${_variable(a)} any <> ${_variable(b)} any "
            f'(msg:"segment {a} <> {b}"; sid:{EAST_WEST_SID + i}; rev:1;)'
        )
    used = sorted({seg for pair in unordered for seg in pair})
    return tuple(rules), tuple((_variable(s), tuple(sorted(cidrs[s]))) for s in used)


def egress_rules(domains: tuple[str, ...] | None) -> tuple[str, ...]:
    """Egress: every domain listed passes (TLS SNI, HTTP Host), or all passes and is logged."""
    sid = EGRESS_SID
    rules: list[str] = []

    def add(rule: str) -> None:
        nonlocal sid
        sid += 1
        rules.append(f"{rule} sid:{sid}; rev:1;)")

    if domains is None:
        add(
            'alert ip $HOME_NET any -> $EXTERNAL_NET any (msg:"egress (allowed, logged)"; '
            "flow:to_server;"
        )
        add('pass ip $HOME_NET any -> $EXTERNAL_NET any (msg:"egress"; flow:to_server;')
        add('pass ip $EXTERNAL_NET any -> $HOME_NET any (msg:"egress replies"; flow:to_client;')
        return tuple(rules)
    # the TCP handshake must pass before the TLS SNI / HTTP Host can be read
    add(
        f"pass tcp $HOME_NET any -> $EXTERNAL_NET {WEB_PORTS} "
        '(msg:"egress TCP handshake"; flow:not_established, to_server;'
    )
    add(
        f"pass tcp $EXTERNAL_NET {WEB_PORTS} -> $HOME_NET any "
        '(msg:"egress TCP handshake replies"; flow:not_established, to_client;'
    )
    for domain in domains:
        add(
            f"pass tls $HOME_NET any -> $EXTERNAL_NET any (tls.sni; {_domain_match(domain)} "
            f'msg:"allowed domain {domain} (TLS)"; flow:to_server, established;'
        )
        add(
            f"pass http $HOME_NET any -> $EXTERNAL_NET any (http.host; {_domain_match(domain)} "
            f'msg:"allowed domain {domain} (HTTP)"; flow:to_server, established;'
        )
    return tuple(rules)


def plan_firewall(
    spec: StackSpec,
    vpc: Vpc,
    spokes: list[Vpc],
    reach: Mapping[str, set[str]],
    pool: str,
) -> Inspection:
    """The firewall, its endpoints, policy and rule groups, and its logs."""
    net = spec.network
    block = net.inspection
    assert block is not None
    pairs = inspected_segment_pairs(spec, reach)
    groups = []
    if block.east_west or block.within_segment:
        rules, ip_sets = east_west_rules(pairs, spokes)
        if rules:
            groups.append(
                RuleGroup(f"{INSPECTION}-east-west", 100, rules, (("HOME_NET", (pool,)), *ip_sets))
            )
    if block.egress:
        domains = tuple(block.allow_domains) if block.allow_domains is not None else None
        groups.append(
            RuleGroup(f"{INSPECTION}-egress", 200, egress_rules(domains), (("HOME_NET", (pool,)),))
        )
    flow = net.flow_logs
    base = f"/foundation/{spec.name}/{INSPECTION}"
    return Inspection(
        vpc=vpc.name,
        firewall=f"{INSPECTION}-firewall",
        policy=f"{INSPECTION}-policy",
        endpoints=tuple(FirewallEndpoint(s.az, s.slot, s.name) for s in vpc.subnets_of("firewall")),
        home_net=(pool,),
        rule_groups=tuple(groups),
        logs=(
            FirewallLog("ALERT", f"{base}/alert", flow.retention_days),
            FirewallLog("FLOW", f"{base}/flow", flow.retention_days),
        ),
        east_west=block.east_west,
        egress=block.egress,
        within_segment=block.within_segment,
        allow_domains=tuple(block.allow_domains) if block.allow_domains is not None else None,
        segment_pairs=tuple(sorted(pairs)),
        delete_protection=net.production,
        kms_key=flow.kms_key,
        kms_key_arn=flow.kms_key_arn,
    )


FIREWALL_DROP = "ALARM.FIREWALL-DROP"


def firewall_alarms(stack: str, inspection: Inspection, base_url: str | None) -> tuple[Alarm, ...]:
    """Per firewall endpoint AZ: a sustained rate of stateful drops (DESIGN §3.13).

    Drops are the policy working (default drop), so, like the TGW blackhole alarm, only a
    rate held for 15 minutes (3,000 packets per 5 minutes, 10/s) is news; the playbook
    finds the source in the alert log.
    """
    alarms = []
    for e in inspection.endpoints:
        subject = inspection.firewall
        meaning = (
            f"the firewall drops a sustained rate of packets in {e.az}: something keeps "
            "sending what the policy does not pass (a blocked domain, a forbidden segment "
            "pair), or asymmetric routing sends replies it never saw"
        )
        alarms.append(
            Alarm(
                name=f"{subject}-dropped-{letter(e.slot)}",
                kind=FIREWALL_DROP,
                namespace="AWS/NetworkFirewall",
                metric="DroppedPackets",
                dimension="FirewallName",
                subject=subject,
                statistic="Sum",
                comparison="GreaterThanThreshold",
                threshold=3000.0,
                period=300,
                evaluation_periods=3,
                datapoints_to_alarm=3,
                description=(
                    f"{stack}: Network Firewall {subject}: {meaning}. Playbook: "
                    f"{runbook_link(FIREWALL_DROP, base_url)}"
                )[:1024],
                runbook=runbook_path(FIREWALL_DROP),
                extra_dimensions=(("AvailabilityZone", e.az), ("Engine", "Stateful")),
            )
        )
    return tuple(alarms)
