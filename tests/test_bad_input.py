"""Every bad input of the spec and address plan: exit 2, one clear message, nothing changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, edit_stack, snapshot

DEV = "stacks/Pulumi.dev.yaml"
ADDR = "stacks/addresses.yaml"

# (id, file to edit, old text, new text, fragments the error must contain)
CASES = [
    ("yaml-syntax", DEV, "pool: dev-use1", "pool: [dev-use1", [DEV, "YAML syntax error", "line"]),
    (
        "duplicate-key",
        DEV,
        "      tools:    {segment: shared, size: 22}",
        "      tools:    {segment: shared, size: 22}\n      tools:    {segment: prod, size: 22}",
        ["foundation:network.spokes.tools", "duplicate key 'tools'"],
    ),
    (
        "unknown-key-typo",
        DEV,
        "sandbox:  {segment: nonprod",
        "sandbox:  {segmnet: nonprod",
        [
            "foundation:network.spokes.sandbox.segmnet",
            "unknown key 'segmnet'",
            "did you mean 'segment'",
        ],
    ),
    (
        "wrong-type",
        DEV,
        "size: 22}",
        "size: big}",
        ["foundation:network.spokes.sandbox.size", "expected a whole number"],
    ),
    (
        "wrong-type-bool",
        DEV,
        "production: false",
        "production: maybe",
        ["foundation:network.production", "expected true or false"],
    ),
    (
        "undefined-segment",
        DEV,
        "tools:    {segment: shared",
        "tools:    {segment: shraed",
        [
            "foundation:network.spokes.tools.segment",
            "undefined segment 'shraed'",
            "did you mean 'shared'",
        ],
    ),
    (
        "connects-to-undefined",
        DEV,
        "nonprod: {connectsTo: [shared]}",
        "nonprod: {connectsTo: [sharde]}",
        ["foundation:network.segments.nonprod.connectsTo[0]", "undefined segment 'sharde'"],
    ),
    (
        "host-bits",
        DEV,
        "size: 20\n      egress",
        "cidr: 10.16.0.1/20\n      egress",
        ["foundation:network.hub.cidr", "host bits set", "use 10.16.0.0/20"],
    ),
    (
        "malformed-cidr",
        DEV,
        "size: 20\n      egress",
        "cidr: 10.16.0/20x\n      egress",
        ["foundation:network.hub.cidr", "not a valid IPv4 CIDR"],
    ),
    (
        "vpc-prefix-too-long",
        DEV,
        "sandbox:  {segment: nonprod, size: 22}",
        "sandbox:  {segment: nonprod, size: 29}",
        ["foundation:network.spokes.sandbox.size", "less than or equal to 28"],
    ),
    (
        "vpc-prefix-too-short",
        DEV,
        "size: 20\n      egress",
        "cidr: 10.0.0.0/12\n      egress",
        ["foundation:network.hub.cidr", "outside /16 to /28"],
    ),
    (
        "az-count-low",
        DEV,
        "availabilityZones: 3",
        "availabilityZones: 1",
        ["foundation:network.availabilityZones", "too few", "at least 2"],
    ),
    (
        "az-count-high",
        DEV,
        "availabilityZones: 3",
        "availabilityZones: 7",
        ["foundation:network.availabilityZones", "us-east-1 offers 6 AZs", "at most 6"],
    ),
    (
        "az-unknown-id",
        DEV,
        "availabilityZones: 3",
        "availabilityZones: [use1-az1, euw1-az2]",
        ["foundation:network.availabilityZones[1]", "not an AZ name or AZ ID of us-east-1"],
    ),
    (
        "unknown-region",
        DEV,
        "aws:region: us-east-1",
        "aws:region: us-east-9",
        ["aws:region", "unknown Region 'us-east-9'"],
    ),
    (
        "empty-region",  # regression (property test): an internal error, UnboundLocalError
        DEV,
        "aws:region: us-east-1",
        "aws:region: ''",
        ["aws:region", "missing the AWS Region"],
    ),
    (
        "unknown-pool",
        DEV,
        "pool: dev-use1",
        "pool: dev-use2",
        ["foundation:network.pool", "unknown pool 'dev-use2'", "did you mean 'dev-use1'"],
    ),
    (
        "pools-overlap",
        ADDR,
        "prod-use1: 10.32.0.0/14",
        "prod-use1: 10.17.0.0/16",
        [ADDR, "pools.prod-use1", "overlaps pool dev-use1"],
    ),
    (
        "reserved-covers-pool",
        ADDR,
        "  - {cidr: 10.0.0.0/16,",
        "  - {cidr: 10.0.0.0/8,",
        [ADDR, "reserved[0].cidr", "covers the whole pool"],
    ),
    (
        "pool-host-bits",
        ADDR,
        "dev-use1: 10.16.0.0/14",
        "dev-use1: 10.17.0.0/14",
        [ADDR, "pools.dev-use1", "host bits set", "use 10.16.0.0/14"],
    ),
    (
        "unknown-project-key",
        DEV,
        "  foundation:network:",
        "  foundation:netwrk: {}\n  foundation:network:",
        ["config.foundation:netwrk", "did you mean 'foundation:network'"],
    ),
    (
        "s3-without-bucket",
        DEV,
        "flowLogs: {destination: cloudwatch",
        "flowLogs: {destination: s3",
        ["foundation:network.flowLogs", "needs bucketArn"],
    ),
    # inputs AWS would refuse (issue 10)
    *[
        (
            f"pool-unusable-{cidr}",
            ADDR,
            "prod-use1: 10.32.0.0/14",
            f"prod-use1: {cidr}",
            [ADDR, "pools.prod-use1", what, "AWS refuses for VPCs", "use private space"],
        )
        for cidr, what in [
            ("0.0.0.0/8", "'this network'"),
            ("127.0.0.0/16", "loopback"),
            ("169.254.0.0/16", "link-local"),
            ("169.0.0.0/8", "link-local"),
            ("224.0.0.0/8", "multicast"),
            ("240.0.0.0/12", "multicast and reserved"),
        ]
    ],
    *[
        (
            f"tgw-asn-{asn}",
            DEV,
            "    production: false",
            f"    production: false\n    transitGateway: {{asn: {asn}}}",
            ["foundation:network.transitGateway.asn", f"{asn} is not a private ASN", "64512-65534"],
        )
        for asn in (64511, 65535, 100000, 4199999999, 4294967295, 0)
    ],
    (
        "gateway-endpoint-twice",
        DEV,
        "gatewayEndpoints: [s3, dynamodb]",
        "gatewayEndpoints: [s3, s3, dynamodb]",
        ["foundation:network.gatewayEndpoints[1]", "'s3' is listed twice", "list each service"],
    ),
    *[
        (
            f"bucket-arn-{i}",
            DEV,
            "flowLogs: {destination: cloudwatch, retentionDays: 30}",
            f"flowLogs: {{destination: s3, bucketArn: '{arn}'}}",
            ["foundation:network.flowLogs.bucketArn", "is not an S3 bucket ARN", why],
        )
        for i, (arn, why) in enumerate(
            [
                ("org-flow-logs", "expected arn:<partition>:s3:::<bucket>"),
                ("arn:aws:s3:::Org_Logs", "bucket name 'Org_Logs'"),
                ("arn:aws:s3:::ab", "3-63"),
                ("arn:aws:s3:::logs..archive", "adjacent periods"),
                ("arn:aws:s3:::10.1.2.3", "IP address"),
                ("arn:aws:s3:::xn--logs", "reserves"),
                ("arn:aws-eu:s3:::logs-archive", "expected arn"),
                ("arn:aws:s3:us-east-1:123456789012:logs", "expected arn"),
                ("arn:aws:s3:::logs-archive/a b", "prefix 'a b'"),
                ("arn:aws:s3:::logs-archive/AWSLogs/x", "AWSLogs"),
            ]
        )
    ],
    *[
        (
            f"drift-reason-{name}",
            DEV,
            "drift:  {mode: warn, ignore: []}",
            f"drift:  {{mode: warn, ignore: [{{type: subnet, reason: {reason}}}]}}",
            ["foundation:network.drift.ignore[0].reason", "needs a reason"],
        )
        for name, reason in (("empty", "''"), ("spaces", "'   '"), ("tab", '"\\t"'))
    ],
    # Pulumi's YAML (1.2) reads `yes` as a string: the program would refuse what plan took
    (
        "yaml-1-1-yes-is-not-a-boolean",
        DEV,
        "production: false",
        "production: yes",
        ["foundation:network.production", "expected true or false, got 'yes'"],
    ),
    # `$` also matches before a trailing newline: names are anchored with \Z
    (
        "spoke-name-trailing-newline",
        DEV,
        "tools:    {segment",
        '"tools\\n":    {segment',
        ["invalid spoke name"],
    ),
]


@pytest.mark.parametrize(
    ("case", "path", "old", "new", "fragments"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_input_exits_2_with_a_clear_message_and_changes_nothing(
    workspace: Path, cli, case: str, path: str, old: str, new: str, fragments: list[str]
) -> None:
    target = workspace / path
    text = target.read_text()
    assert old in text
    target.write_text(text.replace(old, new, 1))
    before = snapshot(workspace)
    result = cli(workspace, "plan", "dev")
    assert result.code == 2, result.err
    for fragment in fragments:
        assert fragment in result.err, f"{fragment!r} missing from:\n{result.err}"
    assert "Fix:" in result.err
    assert "Traceback" not in result.err
    assert result.out == ""
    assert snapshot(workspace) == before


def test_every_problem_is_reported_at_once(workspace: Path, cli) -> None:
    edit_stack(workspace, "dev", "sandbox:  {segment: nonprod", "sandbox:  {segmnet: nonprod")
    edit_stack(workspace, "dev", "tools:    {segment: shared", "tools:    {segment: nope")
    edit_stack(workspace, "dev", "availabilityZones: 3", "availabilityZones: 1")
    result = cli(workspace, "plan", "dev")
    assert result.code == 2
    lines = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert len(lines) >= 3
    assert any("segmnet" in line for line in lines)
    assert any("undefined segment 'nope'" in line for line in lines)
    assert any("availabilityZones" in line for line in lines)


def test_unknown_stack_lists_the_stacks_that_exist(workspace: Path, cli) -> None:
    before = snapshot(workspace)
    result = cli(workspace, "plan", "qa")
    assert result.code == 2
    assert "no stack 'qa'" in result.err
    assert "existing stacks: dev, prod" in result.err
    assert snapshot(workspace) == before


def test_a_typo_in_the_stack_name_gets_a_suggestion(workspace: Path, cli) -> None:
    result = cli(workspace, "plan", "prdo")
    assert result.code == 2
    assert "did you mean 'prod'" in result.err


def test_duplicate_keys_anywhere_are_refused_all_at_once(workspace: Path, cli) -> None:
    edit_stack(
        workspace, "dev", "    production: false", "    production: false\n    production: true"
    )
    edit_stack(
        workspace, "dev", "      shared:  {}", "      shared:  {}\n      shared:  {isolated: true}"
    )
    result = cli(workspace, "plan", "dev")
    assert result.code == 2
    assert "foundation:network.production: duplicate key" in result.err
    assert "foundation:network.segments.shared: duplicate key" in result.err


def test_bad_usage_exits_2_without_traceback(workspace: Path, cli) -> None:
    with pytest.raises(SystemExit) as exc:
        cli(workspace, "plan", "dev", "--format", "html")
    assert exc.value.code == 2


def test_real_process_prints_no_traceback(workspace: Path) -> None:
    edit_stack(workspace, "dev", "pool: dev-use1", "pool: [dev-use1")
    before = snapshot(workspace)
    proc = subprocess.run(
        [sys.executable, "-m", "foundation", "--project", str(workspace), "plan", "dev"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "YAML syntax error" in proc.stderr
    assert snapshot(workspace) == before


def test_a_bare_off_is_accepted_although_yaml_1_1_reads_it_as_false(workspace: Path, cli) -> None:
    """Regression: PyYAML turned `mode: off` into False and the spec refused it."""
    edit_stack(workspace, "dev", "quotas: {mode: enforce, headroom: 0.15}", "quotas: {mode: off}")
    edit_stack(workspace, "dev", "drift:  {mode: warn, ignore: []}", "drift:  {mode: off}")
    assert cli(workspace, "plan", "dev", "--format", "json").code == 0
