"""Strict YAML reading: every way a file can be unreadable becomes a Problem naming it.

PyYAML silently keeps the last of two equal keys in a mapping; a duplicated spoke would then
vanish without a word, so duplicates are refused here, all of them at once. The file is
parsed once into a node graph and built from that graph, so what is checked is what is used:
- bytes that are not UTF-8 are refused with their byte offset and line;
- aliases are allowed, but the document they expand to is bounded (a "billion laughs" of
  nested aliases would otherwise make every later walk over the config take hours), and an
  alias inside its own anchor is refused;
- tags the safe loader cannot build (`!!python/object`, custom `!Tags`) and values that
  look like a type but are not one (`2024-13-45`) name their line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from foundation.errors import InputError, Problem

# Nodes a document may expand to once aliases are followed. A 500-spoke stack is ~10,000.
MAX_EXPANDED_NODES = 200_000
# Nesting a document may have; a stack config uses about 6 levels.
MAX_DEPTH = 64


BOOL_TAG = "tag:yaml.org,2002:bool"


class _Loader(yaml.SafeLoader):
    """Booleans as Pulumi's YAML (1.2) reads them: only true/false; yes, no, on, off stay strings.

    Otherwise `eastWest: yes` would be true in the plan and the string "yes" under `pulumi up`.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


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


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def expansion_problem(root: yaml.Node, source: str) -> Problem | None:
    """A Problem when aliases make the document recursive or larger than the bound.

    Sizes are memoised per node, so the walk costs the number of distinct nodes, not the
    (possibly exponential) number of nodes the aliases expand to.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            if size[key] > MAX_EXPANDED_NODES:
                line = node.start_mark.line + 1
                return Problem(
                    source,
                    f"line {line}",
                    f"aliases expand this document beyond {MAX_EXPANDED_NODES:,} values "
                    "(a 'billion laughs' alias bomb?)",
                    "write the values out, or use fewer nested aliases",
                )
            continue
        if key in size:
            continue
        if key in on_path:
            return Problem(
                source,
                f"line {node.start_mark.line + 1}",
                "an alias refers to the anchor it is inside (a recursive document)",
                "remove the recursive alias",
            )
        on_path.add(key)
        stack.append((node, True))
        stack += [(c, False) for c in _children(node) if id(c) not in size]
    return None


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError.single(
            source,
            f"line {line}",
            f"not valid UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start})",
            "save the file as UTF-8",
        ) from None


def _where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""


def _check_depth(text: str, source: str) -> None:
    """Refuse deep nesting before composing (PyYAML composes recursively, and slowly)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError.single(
                    source,
                    f"line {event.start_mark.line + 1}" if event.start_mark else "",
                    f"nested deeper than {MAX_DEPTH} levels",
                    "flatten the nesting",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _unprintable(exc: yaml.reader.ReaderError, text: str, source: str) -> InputError:
    char = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return InputError.single(
        source,
        f"line {text[: exc.position].count(chr(10)) + 1}",
        f"character U+{char:04X} is not allowed in YAML",
        "remove control characters from the file",
    )


def parse_yaml(data: bytes, source: str) -> Any:
    """Parse YAML bytes strictly (see the module docstring); `source` names the file.

    Raises:
        InputError: one Problem per duplicate key, or the first reason the file is unreadable.
    """
    text = _decode(data, source)
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        raise _unprintable(exc, text, source) from None
    try:
        try:
            _check_depth(text, source)
            node = loader.get_single_node()
        except yaml.reader.ReaderError as exc:
            raise _unprintable(exc, text, source) from None
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            raise InputError.single(
                source, _where(exc), f"YAML syntax error: {problem}", "correct the YAML there"
            ) from None
        if node is None:
            return None
        expansion = expansion_problem(node, source)
        if expansion is not None:
            raise InputError([expansion])
        problems: list[Problem] = []
        _duplicates(node, "", source, problems)
        if problems:
            raise InputError(problems)
        try:
            return loader.construct_document(node)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            raise InputError.single(
                source,
                _where(exc),
                f"cannot be read: {problem}",
                "use plain YAML values: no !!python/... or custom tags",
            ) from None
        except (ValueError, OverflowError) as exc:
            raise InputError.single(
                source,
                "",
                f"a value cannot be read ({exc})",
                "quote dates and other values that are meant as strings",
            ) from None
    finally:
        loader.dispose()


def load_yaml(path: Path, display: str | None = None) -> Any:
    """Read and parse a YAML file strictly, naming it (as `display`) in every Problem."""
    source = display or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError.single(
            source,
            "",
            f"cannot be read ({exc.strerror})",
            "check that the file exists and is readable",
        ) from None
    return parse_yaml(data, source)
