"""The offline Region catalogue: complete, sourced and dated (issue 10, facts)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from foundation.config import regions
from foundation.config.spec import parse_network
from tests.conftest import REPO, edit_stack

DATA = REPO / "foundation" / "config" / "data" / "regions.json"
ISSUE_REGIONS = (
    "ap-east-2",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-west-1",
    "mx-central-1",
    "eu-central-2",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
)


def test_the_data_file_states_its_source_and_date() -> None:
    raw = json.loads(DATA.read_text())
    assert raw["source"].startswith("https://docs.aws.amazon.com/global-infrastructure/")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw["date"])


@pytest.mark.parametrize("region", ISSUE_REGIONS)
def test_the_regions_missing_before_are_there(region: str) -> None:
    ids = regions.catalogue()[region]
    assert len(ids) >= 3


def test_az_ids_are_well_formed_and_unique() -> None:
    seen: set[str] = set()
    for region, ids in regions.catalogue().items():
        prefixes = {i.rsplit("-az", 1)[0] for i in ids}
        assert len(prefixes) == 1, region
        assert all(re.fullmatch(r"[a-z]+\d-az\d", i) for i in ids), region
        assert not seen & set(ids), region
        seen |= set(ids)


def test_eu_west_2_has_four_azs() -> None:
    assert regions.catalogue()["eu-west-2"] == ("euw2-az1", "euw2-az2", "euw2-az3", "euw2-az4")
    spec = parse_network(
        {"pool": "p", "availabilityZones": ["euw2-az4", "euw2-az1"], "segments": {"s": {}}},
        "eu-west-2",
        "stacks/Pulumi.x.yaml",
        "x",
    )
    assert spec.network.availability_zones == ["euw2-az4", "euw2-az1"]


def test_a_stack_in_a_new_region_plans_offline(workspace: Path, cli) -> None:
    edit_stack(workspace, "dev", "aws:region: us-east-1", "aws:region: ap-southeast-7")
    result = cli(workspace, "plan", "dev", "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["region"] == "ap-southeast-7"
    assert doc["availabilityZones"] == ["ap-southeast-7a", "ap-southeast-7b", "ap-southeast-7c"]
