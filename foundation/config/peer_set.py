"""Peered stacks validated as a whole (DESIGN §3.9): they must agree before anything is built.

A peering joins two stack files; each is valid alone, but together they must: both exist,
list each other, use distinct TGW ASNs and define every segment name they share the same
way (segments are global by name, so a difference would make one Region's bulkhead the
other's open door). Every problem names the peer and the fix; the caller exits 2.
"""

from __future__ import annotations

from collections.abc import Mapping

from foundation.config.peers import ROOT
from foundation.config.spec import StackSpec
from foundation.config.workspace import Workspace
from foundation.errors import InputError, Problem


def _segment_definition(spec: StackSpec, name: str) -> tuple[bool, tuple[str, ...]]:
    seg = spec.network.segments[name]
    return seg.isolated, tuple(sorted(seg.connects_to))


def peer_problems(spec: StackSpec, peer: StackSpec) -> list[Problem]:
    """What two stacks that should be peered disagree on, from `spec`'s point of view."""
    src, path = spec.source, f"{ROOT}.peers"
    problems: list[Problem] = []
    if spec.name not in peer.network.peers:
        problems.append(
            Problem(
                src,
                path,
                f"peer '{peer.name}' does not list '{spec.name}' back",
                f"add {spec.name} to peers in {peer.source} (both stacks list each other), "
                f"or remove {peer.name} here",
            )
        )
    mine, theirs = spec.network.transit_gateway.asn, peer.network.transit_gateway.asn
    if mine == theirs:
        problems.append(
            Problem(
                src,
                f"{ROOT}.transitGateway.asn",
                f"peer '{peer.name}' uses the same TGW ASN {mine}",
                f"give each peered stack its own ASN: set transitGateway.asn here or in "
                f"{peer.source} (e.g. {mine + 1 if mine < 65534 else 64512})",
            )
        )
    for name in sorted(set(spec.network.segments) & set(peer.network.segments)):
        here, there = _segment_definition(spec, name), _segment_definition(peer, name)
        if here != there:
            problems.append(
                Problem(
                    src,
                    f"{ROOT}.segments.{name}",
                    f"segment '{name}' is defined differently by peer '{peer.name}' "
                    f"(here isolated={here[0]}, connectsTo={list(here[1])}; there "
                    f"isolated={there[0]}, connectsTo={list(there[1])})",
                    f"segments are global by name: define {name} identically in both stacks, "
                    "or give one of them another name",
                )
            )
    return problems


def _missing(spec: StackSpec, i: int, name: str, existing: set[str]) -> Problem:
    return Problem(
        spec.source,
        f"{ROOT}.peers[{i}]",
        f"peer '{name}' does not exist (no stacks/Pulumi.{name}.yaml)",
        f"create that stack, or remove '{name}'; existing stacks: "
        f"{', '.join(sorted(existing - {spec.name})) or '(none)'}",
    )


def all_peering_problems(specs: Mapping[str, StackSpec], existing: set[str]) -> list[Problem]:
    """Every peering of every stack checked from both sides (`ipam check`)."""
    problems: list[Problem] = []
    for _, spec in sorted(specs.items()):
        for i, peer in enumerate(spec.network.peers):
            if peer in specs:
                problems += peer_problems(spec, specs[peer])
            elif peer not in existing:
                problems.append(_missing(spec, i, peer, existing))
    return problems


def load_peers(workspace: Workspace, spec: StackSpec) -> dict[str, StackSpec]:
    """Every peer's validated stack, checked against `spec`; every problem at once.

    Raises:
        InputError: a peer that does not exist, is invalid, or disagrees with `spec`.
    """
    peers: dict[str, StackSpec] = {}
    problems: list[Problem] = []
    existing = set(workspace.stack_names())
    for i, name in enumerate(spec.network.peers):
        if name not in existing:
            problems.append(_missing(spec, i, name, existing))
            continue
        try:
            peer = workspace.load_stack(name)
        except InputError as exc:
            problems += [
                Problem(p.source, p.path, f"(peer '{name}' of {spec.name}) {p.message}", p.fix)
                for p in exc.problems
            ]
            continue
        problems += peer_problems(spec, peer)
        peers[name] = peer
    if problems:
        raise InputError(problems)
    return peers
