"""Delivering a report to `--output FILE`: checked before any work, written without debris.

The target is checked first, so a command never records a lock and then fails on its
output. A regular file (or a new one) is replaced atomically, keeping its mode and a
symlink pointing at it; a FIFO, a character device or `/dev/stdout` is written into, never
replaced by a file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from foundation.errors import InputError
from ipam.lock import replace_file

ARG = "--output"


def _bad(path: Path, message: str, fix: str) -> InputError:
    return InputError.single(ARG, str(path), message, fix)


def _is_stream(path: Path) -> bool:
    try:
        mode = os.stat(path).st_mode  # follows symlinks: /dev/stdout -> the real stream
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode)


def check_output(path: Path) -> None:
    """Refuse an output target that cannot be written, before anything is computed.

    Raises:
        InputError: the folder is missing, the target is a directory or not writable.
    """
    if _is_stream(path):
        if not os.access(path, os.W_OK):
            raise _bad(path, "is not writable", "choose a stream or file you may write")
        return
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise _bad(path, "is a directory", f"name a file inside it, e.g. {path}/plan.md")
    folder = target.parent
    if not folder.is_dir():
        raise _bad(
            path,
            f"its folder {folder} does not exist",
            f"create it first (mkdir -p {folder}) or choose an existing folder",
        )
    if target.exists() and not target.is_file():
        raise _bad(path, "is not a regular file, FIFO or device", "choose a file path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _bad(path, f"its folder {folder} is not writable", "choose a writable folder")
    if target.exists() and not os.access(target, os.W_OK):
        raise _bad(path, "is read-only", "make it writable or choose another path")


def write_output(text: str, path: Path) -> None:
    """Write the report: into a stream, or atomically over a regular file.

    Raises:
        InputError: the write failed (nothing half-written is left behind).
    """
    try:
        if _is_stream(path):
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            replace_file(path, text)
    except OSError as exc:
        raise _bad(
            path, f"cannot be written ({exc.strerror or exc})", "choose a writable path"
        ) from None
