"""Delivering a report to `--output FILE`: checked before any work, written without debris.

The target is checked first and the report staged (written to a temp file beside it)
before the lock is written, so a command never records a lock and then fails on its
output; publishing is then one rename. A regular file (or a new one) keeps its mode and a
symlink pointing at it; a FIFO, a character device or `/dev/stdout` is written into, never
replaced by a file.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from foundation.errors import InputError
from ipam.lock import stage_file

ARG = "--output"


def _bad(path: Path, message: str, fix: str) -> InputError:
    return InputError.single(ARG, str(path), message, fix)


def _is_stream(path: Path) -> bool:
    try:
        mode = os.stat(path).st_mode  # follows symlinks: /dev/stdout -> the real stream
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode)


def _inside(target: Path, guarded: Path) -> bool:
    resolved = Path(os.path.realpath(guarded))
    return target == resolved or resolved in target.parents


def refuse_own_files(arg: str, path: Path, guarded: Iterable[Path]) -> None:
    """Refuse a path the command writes (`--output`, `--history`) inside its own files.

    Raises:
        InputError: the path is one of `guarded` or inside it (symlinks resolved).
    """
    target = Path(os.path.realpath(path))
    for own in guarded:
        if _inside(target, own):
            what = "the report" if arg == ARG else "what it writes"
            raise InputError.single(
                arg,
                str(path),
                f"is {own} or inside it, which this command reads and writes; {what} "
                "would replace or corrupt it",
                f"choose a path outside it, e.g. {arg} report.txt in another folder",
            )


def check_output(path: Path, guarded: Iterable[Path] = ()) -> None:
    """Refuse an output target that cannot be written, before anything is computed.

    `guarded` names the command's own files and folders (stacks/ with the lock, a history
    file): a report written there would replace an input, so such a target is refused.

    Raises:
        InputError: the folder is missing, the target is a directory, not writable, or
            one of the command's own files.
    """
    refuse_own_files(ARG, path, guarded)
    target = Path(os.path.realpath(path))
    if _is_stream(path):
        if not os.access(path, os.W_OK):
            raise _bad(path, "is not writable", "choose a stream or file you may write")
        return
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


@dataclass
class StagedOutput:
    """A report ready to publish: staged in a temp file (a regular file) or held (a stream)."""

    path: Path
    text: str
    tmp: Path | None = None
    target: Path | None = None

    def commit(self) -> None:
        """Publish the report: rename the staged file, or write into the stream.

        Raises:
            InputError: the write failed (the staged file is removed).
        """
        try:
            if self.tmp is None or self.target is None:
                with open(self.path, "w", encoding="utf-8") as handle:
                    handle.write(self.text)
            else:
                os.replace(self.tmp, self.target)
                self.tmp = None
        except OSError as exc:
            self.discard()
            raise _cannot(self.path, exc) from None

    def discard(self) -> None:
        """Remove the staged file, if any (the report is not published)."""
        if self.tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.tmp)
            self.tmp = None


def _cannot(path: Path, exc: OSError) -> InputError:
    return _bad(path, f"cannot be written ({exc.strerror or exc})", "choose a writable path")


def stage_output(text: str, path: Path) -> StagedOutput:
    """Prepare the report before the lock is written, so a full disk fails the command first.

    Raises:
        InputError: the report cannot be staged (nothing is left behind).
    """
    if _is_stream(path):
        return StagedOutput(path, text)
    try:
        tmp, target = stage_file(path, text)
    except OSError as exc:
        raise _cannot(path, exc) from None
    return StagedOutput(path, text, tmp, target)


def write_output(text: str, path: Path) -> None:
    """Write the report: into a stream, or atomically over a regular file.

    Raises:
        InputError: the write failed (nothing half-written is left behind).
    """
    stage_output(text, path).commit()
