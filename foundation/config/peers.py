"""The `peers:` key of one stack, checked on its own (DESIGN §3.9).

What one file can tell: each peer is a valid stack name, listed once, not the stack
itself; and no spoke or segment takes a name of the form `peer-<stack>`, which names the
TGW route table of a peering. Whether the peers exist and agree is `peer_set`'s concern.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from foundation.errors import Problem
from ipam.lock import stack_name_problem

ROOT = "foundation:network"
PEER_PREFIX = "peer-"


def peering_name(peer_stack: str) -> str:
    """The logical name of the peering attachment (and its TGW table) to `peer_stack`."""
    return f"{PEER_PREFIX}{peer_stack}"


def peer_key_problems(raw: Mapping[str, Any], stack: str, source: str) -> list[Problem]:
    """Problems of the `peers` list and of names reserved for peerings, in one file."""
    problems: list[Problem] = []
    for kind in ("segments", "spokes"):
        names = raw.get(kind)
        if isinstance(names, dict):
            problems += [
                Problem(
                    source,
                    f"{ROOT}.{kind}.{name}",
                    f"'{name}' is reserved: TGW tables of peerings are named peer-<stack>",
                    "rename it so it does not start with 'peer-'",
                )
                for name in names
                if str(name).startswith(PEER_PREFIX)
            ]
    peers = raw.get("peers")
    if not isinstance(peers, list):
        return problems  # absent, or reported by the type check
    for i, peer in enumerate(peers):
        path = f"{ROOT}.peers[{i}]"
        if not isinstance(peer, str):
            continue  # reported by the type check
        reason = stack_name_problem(peer)
        if reason:
            problems.append(
                Problem(source, path, f"peer '{peer}' {reason}", "name a stack of this project")
            )
        elif peer == stack:
            problems.append(
                Problem(
                    source,
                    path,
                    f"the stack '{stack}' lists itself as a peer",
                    "list the stacks of the other Regions only",
                )
            )
        elif peer in peers[:i]:
            problems.append(
                Problem(source, path, f"peer '{peer}' is listed twice", "list each peer once")
            )
    return problems
