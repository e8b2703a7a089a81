"""Drift history: one JSON line per drift run, appended; and what the lines say over time.

A line is `{"schema", "time", "stack", "status", "counts": {"kind": {...}, "severity":
{...}}, "findings": [{"kind", "resourceType", "name", "attribute", "account"}]}` with
status `clean|drift|not-deployed|error`. The file is only ever appended to (never
rewritten), so a line that cannot be read is reported with its number and skipped, and
stays in the file for a person to look at.

The summary follows each finding key over the runs in time order: first and last seen,
each episode (present from one run until the first later run where it is absent), the time
to resolve (that run's time minus first seen), and whether it recurred (resolved, then came
back). Error runs saw nothing, so they neither open nor close a finding.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from foundation.errors import InputError
from foundation.live.drift.model import DriftResult

SCHEMA = "foundation/drift-history@1"
STATUSES = ("clean", "drift", "not-deployed", "error")
KEY_FIELDS = ("kind", "resourceType", "name", "attribute", "account")
FindingKey = tuple[str, str, str, str, str]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def history_line(
    stack: str, result: DriftResult | None, when: datetime, error: str | None = None
) -> dict[str, Any]:
    """The history record of one run (`result` None and `error` set for a failed run)."""
    findings = result.findings if result is not None else ()
    status = "error" if result is None else result.status
    line: dict[str, Any] = {
        "schema": SCHEMA,
        "time": _stamp(when),
        "stack": stack,
        "status": status,
        "counts": {
            "kind": dict(sorted(Counter(f.kind for f in findings).items())),
            "severity": dict(sorted(Counter(f.severity for f in findings).items())),
        },
        "findings": [
            {
                "kind": f.kind,
                "resourceType": f.resource_type,
                "name": f.name,
                "attribute": f.attribute,
                "account": f.account,
            }
            for f in findings
        ],
    }
    if error is not None:
        line["error"] = error
    return line


def check_writable(path: Path) -> None:
    """Refuse a history path that cannot be appended to, before any AWS call.

    Raises:
        InputError: naming --history, what is wrong and how to fix it.
    """
    if path.exists() and not path.is_file():
        raise InputError.single(
            "--history", str(path), "is not a file", "pass the path of a .jsonl file"
        )
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError.single(
            "--history", str(path), f"folder {parent} does not exist", "create it or pick another"
        )
    if not os.access(path if path.exists() else parent, os.W_OK):
        raise InputError.single(
            "--history", str(path), "is not writable", "choose a path you can write to"
        )


def append(path: Path, line: dict[str, Any]) -> None:
    """Append one record (a torn last line gets its newline first, so it stays one line).

    Raises:
        InputError: when the file cannot be written.
    """
    text = json.dumps(line, sort_keys=True) + "\n"
    try:
        with path.open("a+b") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell() > 0:
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    text = "\n" + text
            handle.write(text.encode())
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise InputError.single(
            "--history", str(path), f"cannot be appended to ({exc.strerror})", "check the path"
        ) from None


# --- reading and summarising ------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One readable line: when, what status, which finding keys."""

    line: int
    time: datetime
    status: str
    keys: frozenset[FindingKey]


@dataclass(frozen=True)
class Corrupt:
    """A line that could not be read: its number and why."""

    line: int
    reason: str


@dataclass
class Episode:
    """A finding from the run that saw it first until the first run that saw it gone."""

    opened: datetime
    resolved: datetime | None = None

    @property
    def seconds(self) -> int | None:
        """Time to resolve, in seconds (None while still open)."""
        return None if self.resolved is None else int((self.resolved - self.opened).total_seconds())


@dataclass
class FindingHistory:
    """What the runs say about one finding key."""

    key: FindingKey
    first_seen: datetime
    last_seen: datetime
    runs_seen: int = 0
    episodes: list[Episode] = field(default_factory=list)

    @property
    def recurring(self) -> bool:
        """Resolved, then seen again."""
        return len(self.episodes) > 1

    @property
    def open(self) -> bool:
        """Still present in the last run that could look."""
        return self.episodes[-1].resolved is None

    @property
    def time_to_resolve(self) -> int | None:
        """The first episode's time to resolve: first absent minus first seen, in seconds."""
        return self.episodes[0].seconds


@dataclass(frozen=True)
class HistorySummary:
    """Every run, every finding's history, and the lines that could not be read."""

    path: str
    runs: tuple[Run, ...]
    findings: tuple[FindingHistory, ...]
    corrupt: tuple[Corrupt, ...]


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("'time' is missing or not a string")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"'time' {value!r} has no time zone")
    return moment.astimezone(UTC)


def _parse(number: int, text: str) -> Run:
    record = json.loads(text)
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    if record.get("schema") != SCHEMA:
        raise ValueError(f"schema is {record.get('schema')!r}, not {SCHEMA!r}")
    status = record.get("status")
    if status not in STATUSES:
        raise ValueError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    findings = record.get("findings", [])
    if not isinstance(findings, list):
        raise ValueError("'findings' is not a list")
    keys: set[FindingKey] = set()
    for f in findings:
        if not isinstance(f, dict) or not all(isinstance(f.get(k), str) for k in KEY_FIELDS):
            raise ValueError(f"a finding lacks one of {', '.join(KEY_FIELDS)}")
        keys.add((f["kind"], f["resourceType"], f["name"], f["attribute"], f["account"]))
    return Run(number, _parse_time(record.get("time")), status, frozenset(keys))


def read_history(path: Path) -> tuple[list[Run], list[Corrupt]]:
    """Every readable run (in time order, ties in file order) and every unreadable line.

    Raises:
        InputError: when the file itself cannot be read (exit 2).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError.single(
            "FILE",
            str(path),
            f"cannot be read ({exc.strerror})",
            "pass the drift history file written by `drift --history`",
        ) from None
    runs: list[Run] = []
    corrupt: list[Corrupt] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            runs.append(_parse(number, raw.decode("utf-8")))
        except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
            corrupt.append(Corrupt(number, str(exc).splitlines()[0][:200]))
    runs.sort(key=lambda r: (r.time, r.line))
    return runs, corrupt


def summarise(path: Path) -> HistorySummary:
    """Follow every finding key through the runs (error runs neither open nor close one)."""
    runs, corrupt = read_history(path)
    seen: dict[FindingKey, FindingHistory] = {}
    for run in runs:
        if run.status == "error":
            continue
        for key in run.keys:
            history = seen.get(key)
            if history is None:
                history = seen[key] = FindingHistory(key, run.time, run.time)
            if not history.episodes or history.episodes[-1].resolved is not None:
                history.episodes.append(Episode(run.time))
            history.last_seen = run.time
            history.runs_seen += 1
        for key, history in seen.items():
            if key not in run.keys and history.episodes[-1].resolved is None:
                history.episodes[-1].resolved = run.time
    ordered = sorted(seen.values(), key=lambda h: (h.first_seen, h.key))
    return HistorySummary(str(path), tuple(runs), tuple(ordered), tuple(corrupt))


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)
