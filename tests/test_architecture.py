"""The dependency rule of DESIGN §1, checked on the source (imports) and at runtime."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

LIVE = ("foundation/live/",)

# The rooms of foundation/ and which rooms each may import (DESIGN §1's rule, per room).
# ipam <- network model <- {components, live checks, analysis, reports}; the offline run,
# the CLI and the program's prelude sit on top; nothing but __main__.py imports components.
ROOMS: dict[str, set[str]] = {
    "errors": set(),
    "config": {"errors", "ipam"},
    "addresses": {"config", "errors", "ipam"},
    "network": {"config", "addresses", "errors", "ipam"},
    "live": {"config", "addresses", "network", "reports", "errors", "ipam"},
    "reports": {"network", "live", "config", "errors", "ipam"},
    "offline": {"config", "addresses", "network", "live", "reports", "errors", "ipam"},
    "program": {"config", "addresses", "network", "live", "offline", "errors", "ipam"},
    "cli": {"config", "addresses", "network", "live", "offline", "reports", "errors", "ipam"},
    "mockrun": {"offline"},
    "__main__": {"cli"},
    "__init__": set(),
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def sources() -> dict[str, set[str]]:
    files = [REPO / "__main__.py"]
    for package in ("ipam", "foundation", "components"):
        files += sorted((REPO / package).rglob("*.py"))
    return {str(f.relative_to(REPO)): imports_of(f) for f in files}


def roots(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_ipam_is_pure() -> None:
    for name, mods in sources().items():
        if name.startswith("ipam/"):
            assert not roots(mods) & {
                "foundation",
                "components",
                "pulumi",
                "pulumi_aws",
                "boto3",
                "botocore",
            }, name


def room_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if parts[0] == "foundation" and len(parts) > 1 else parts[0]


def test_every_room_imports_only_the_rooms_below_it() -> None:
    for name, mods in sources().items():
        if not name.startswith("foundation/"):
            continue
        room = Path(name).parts[1].removesuffix(".py")
        assert room in ROOMS, f"{name}: a new room; add it to ROOMS with its allowed imports"
        used = {room_of(m) for m in mods if m.startswith("foundation.")} - {room, "foundation"}
        assert used <= ROOMS[room], f"{name} imports {sorted(used - ROOMS[room])}"


def test_the_network_model_depends_only_on_ipam() -> None:
    mods = sources()["foundation/network/model.py"]
    assert not {m for m in mods if m.startswith(("foundation", "components", "pulumi", "boto"))}


def test_nothing_but_the_program_imports_components() -> None:
    for name, mods in sources().items():
        if not name.startswith("components/") and name != "__main__.py":
            assert "components" not in roots(mods), name


def test_only_components_import_pulumi_aws() -> None:
    for name, mods in sources().items():
        if "pulumi_aws" in roots(mods):
            assert name.startswith("components/"), name


def test_only_the_live_checks_import_boto3() -> None:
    for name, mods in sources().items():
        if roots(mods) & {"boto3", "botocore"}:
            assert name.startswith(LIVE), name


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("foundation.offline.plan_run", ("boto3", "botocore")),
        ("foundation.reports.render", ("boto3", "botocore", "pulumi_aws")),
        ("foundation.network.analysis.policy", ("boto3", "pulumi", "pulumi_aws")),
        ("foundation.network.model", ("pulumi", "boto3")),
    ],
)
def test_offline_paths_never_load_aws_sdks(module: str, forbidden: tuple[str, ...]) -> None:
    code = (
        f"import sys, {module}; bad = sorted({{m.split('.')[0] for m in sys.modules}} & "
        f"set({forbidden!r})); print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
