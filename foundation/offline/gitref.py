"""Reading a stack's three input files as they are at a git ref (`plan --base REF`).

Offline and read-only: `git rev-parse` resolves the ref to one commit, `git cat-file --batch`
reads the blobs; nothing is checked out and no file is written. The ref is validated before
git sees it and passed after `--end-of-options`, and every later call names the resolved
commit id only, so a ref can never become an option or a path expression of git's argv.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from foundation.errors import InputError

# Branch, tag, remote-tracking names, commit ids and `~`/`^` ancestry; no `:` (a path
# expression), no `..` (a range), no whitespace or control characters, no leading `-`.
REF_RE = re.compile(r"^(?!-)(?!.*\.\.)[A-Za-z0-9._/@{}~^+-]{1,200}$")
FILES = ("Pulumi.{stack}.yaml", "addresses.yaml", "addresses.lock.yaml")
TIMEOUT_S = 30


@dataclass(frozen=True)
class BaseFiles:
    """The stack file, address plan and lock at a ref (None: absent at that ref)."""

    ref: str
    commit: str
    stack: str | None
    addresses: str | None
    lock: str | None


def _problem(ref: str, message: str, fix: str) -> InputError:
    return InputError.single("--base", ref, message, fix)


def _git(project: Path, args: list[str], ref: str, stdin: bytes | None = None) -> bytes:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    command = ["git", "--no-pager", "-C", str(project), *args]
    try:
        proc = subprocess.run(
            command, input=stdin, capture_output=True, env=env, timeout=TIMEOUT_S, check=False
        )
    except FileNotFoundError:
        raise _problem(ref, "git is not installed", "install git, or plan without --base") from None
    except subprocess.TimeoutExpired:
        raise _problem(ref, f"git did not answer within {TIMEOUT_S} s", "retry") from None
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, command, proc.stdout, proc.stderr)
    return proc.stdout


def validate_ref(ref: str) -> str:
    """Refuse anything that is not a plain revision name before git sees it."""
    if not REF_RE.match(ref):
        raise _problem(
            ref,
            "not a git revision name (allowed: letters, digits and ._/@{}~^+-, "
            "no leading '-', no ':' or '..', at most 200 characters)",
            "name a branch, tag or commit, e.g. --base origin/main",
        )
    return ref


def read_base(project: Path, stack: str, ref: str) -> BaseFiles:
    """Read the stack's files at `ref` in the git repository holding `project`.

    Raises:
        InputError: the ref is malformed or unknown, or `project` is not in a git work tree.
    """
    validate_ref(ref)
    try:
        prefix = _git(project, ["rev-parse", "--show-prefix"], ref).decode().strip()
    except subprocess.CalledProcessError:
        raise _problem(
            ref,
            f"{project} is not inside a git repository",
            "run plan --base from a clone of the repository (or drop --base)",
        ) from None
    try:
        commit = (
            _git(
                project,
                ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
                ref,
            )
            .decode()
            .strip()
        )
    except subprocess.CalledProcessError:
        commit = ""
    if not re.fullmatch(r"[0-9a-f]{40}([0-9a-f]{24})?", commit):
        raise _problem(
            ref,
            f"unknown git ref '{ref}' (no such branch, tag or commit in this clone)",
            "fetch it first (in CI: actions/checkout with fetch-depth: 0) or name an existing "
            "branch, tag or commit",
        )
    names = [f"{commit}:{prefix}stacks/{f.format(stack=stack)}" for f in FILES]
    out = _git(
        project, ["cat-file", "--batch"], ref, stdin="".join(n + "\n" for n in names).encode()
    )
    blobs: list[str | None] = []
    for name in names:
        header, _, out = out.partition(b"\n")
        if header.endswith(b" missing") or header.endswith(b" ambiguous"):
            blobs.append(None)
            continue
        parts = header.split()
        if len(parts) != 3 or parts[1] != b"blob":
            raise _problem(ref, f"{name.split(':', 1)[1]} is not a file at {ref}", "fix the base")
        size = int(parts[2])
        blobs.append(out[:size].decode("utf-8", errors="replace"))
        out = out[size + 1 :]
    return BaseFiles(ref, commit, blobs[0], blobs[1], blobs[2])
