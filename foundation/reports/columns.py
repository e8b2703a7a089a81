"""Plain aligned tables for terminals and logs: the widest cell sets each column, never cut."""

from __future__ import annotations

from collections.abc import Sequence


def aligned(headers: Sequence[str], rows: Sequence[Sequence[str]], rule: bool = False) -> str:
    """The table as lines joined by two spaces, trailing blanks stripped, ending in a newline.

    Args:
        headers: the column titles.
        rows: the cells, one list per row, as many as `headers`.
        rule: put a dashed line under the titles.
    """
    cells = [list(headers), *(list(r) for r in rows)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    if rule:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"
