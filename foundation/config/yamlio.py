"""Strict YAML reading: syntax errors and duplicate keys become Problems, never tracebacks.

PyYAML silently keeps the last of two equal keys in a mapping; a duplicated spoke would then
vanish without a word, so duplicates are refused here, all of them at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from foundation.errors import InputError, Problem


def _duplicates(node: yaml.Node, path: str, source: str, out: list[Problem]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            child = f"{path}.{key}" if path else key
            if key in seen:
                out.append(
                    Problem(
                        source,
                        child,
                        f"duplicate key '{key}' (line {line}; first at line {seen[key]})",
                        "keep one entry per key; YAML would silently drop the first",
                    )
                )
            else:
                seen[key] = line
            _duplicates(value_node, child, source, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _duplicates(item, f"{path}[{index}]", source, out)


def load_yaml(path: Path, display: str | None = None) -> Any:
    """Parse a YAML file, refusing syntax errors and duplicate keys with clear Problems."""
    source = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError.single(source, "", f"cannot be read ({exc.strerror})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError.single(
            source, where, f"YAML syntax error: {problem}", "correct the YAML at that position"
        ) from None
    if node is None:
        return None
    problems: list[Problem] = []
    _duplicates(node, "", source, problems)
    if problems:
        raise InputError(problems)
    return yaml.safe_load(text)
