"""Two mock-engine recordings compared the way Pulumi compares state with a program.

Identity is the URN (type, parent chain, name) plus the provider: a URN only in the head is
an add, only in the base a delete; a changed provider replaces. Inputs that differ update
in place unless the replacement table (foundation.offline.replacements) says AWS cannot
change them. A replaced resource gets a new id, so whatever refers to it changes too:
under the mock engine ids are stable strings (`ec2/subnet:hub-public-a`), so references
are found by value in the recorded inputs and the replacement cascades through them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from foundation.offline.mockrun import Registration
from foundation.offline.replacements import forces_replacement, is_force_new
from foundation.reports.diffmodel import Action, ResourceChange

MAX_SHOWN = 60


def _short(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "(none)" if value is None else str(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _strings(value: Any) -> Iterator[str]:
    """Every string inside an input value (lists and maps walked)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _type_label(type_: str) -> str:
    return type_.rsplit(":", 1)[-1]


def compare(base: Sequence[Registration], head: Sequence[Registration]) -> list[ResourceChange]:
    """Every cloud resource that is added, changed, replaced or deleted, sorted by type and name.

    Args:
        base: the base recording's cloud resources.
        head: the head recording's cloud resources.
    """
    old = {r.urn: r for r in base}
    new = {r.urn: r for r in head}
    actions: dict[str, tuple[Action, str]] = {}
    for urn in new.keys() - old.keys():
        actions[urn] = ("add", "")
    for urn in old.keys() - new.keys():
        actions[urn] = ("delete", "")
    for urn in new.keys() & old.keys():
        a, b = old[urn], new[urn]
        if a.provider != b.provider:
            actions[urn] = ("replace", "moves to another provider (account or Region)")
            continue
        keys = sorted(
            k for k in a.inputs.keys() | b.inputs.keys() if a.inputs.get(k) != b.inputs.get(k)
        )
        if not keys:
            continue
        forced = [k for k in keys if forces_replacement(b.type, k, a.inputs, b.inputs)]
        if forced:
            reason = "; ".join(
                f"{k} {_short(a.inputs.get(k))} -> {_short(b.inputs.get(k))}" for k in forced
            )
            actions[urn] = ("replace", f"{reason} (cannot change in place)")
        else:
            actions[urn] = ("change", ", ".join(keys))
    _cascade(old, new, actions)
    return sorted(
        (
            ResourceChange(
                urn, (new.get(urn) or old[urn]).type, (new.get(urn) or old[urn]).name, act, why
            )
            for urn, (act, why) in actions.items()
        ),
        key=lambda c: (c.type, c.name, c.urn),
    )


def _cascade(
    old: Mapping[str, Registration],
    new: Mapping[str, Registration],
    actions: dict[str, tuple[Action, str]],
) -> None:
    """Replace (or update) what refers to a replaced resource, until nothing more changes."""
    referrers: dict[str, list[tuple[str, str]]] = {}  # ref value -> (urn, input key)
    for urn, reg in new.items():
        if urn not in old:
            continue
        for key, value in reg.inputs.items():
            for text in _strings(value):
                referrers.setdefault(text, []).append((urn, key))
    queue = [urn for urn, (act, _) in actions.items() if act == "replace"]
    while queue:
        replaced = new[queue.pop()]
        what = f"{_type_label(replaced.type)} {replaced.name}"
        for ref in replaced.refs:
            for urn, key in referrers.get(ref, ()):
                act = actions.get(urn, ("", ""))[0]
                if act == "replace":
                    continue
                reg = new[urn]
                if is_force_new(reg.type, key):
                    actions[urn] = ("replace", f"{key} refers to the replaced {what}")
                    queue.append(urn)
                elif act != "change":
                    actions[urn] = ("change", f"{key} (refers to the replaced {what})")
