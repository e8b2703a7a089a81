"""The CLI's promises under generated input (issue 10), checked in-process with hypothesis.

Each example starts from a copy of the shipped stacks/, applies a few mutations to the
stack it plans, the address plan and the lock (valid edits and broken ones: bad keys, bad
CIDRs and types, overlaps, reserved and public ranges, bad names, duplicated keys, truncated
YAML, unknown lock keys, ...), runs `plan` (with and without --frozen, with generated
--output targets inside the temp project, sometimes --live against a closed local port)
and asserts:
- the exit code is 0, 1 or 2, and nothing prints a traceback or an "internal error";
- exit 2: every file of the project is byte-identical and no report was written;
- an --output target that cannot or must not be written (a missing folder, a directory, a
  file under stacks/) and --live with AWS unreachable exit 2, fast;
- exit 0 or 1 with --output: the report is in the file, not on stdout;
- exit 0, or 1 without --frozen: `ipam check` on the same project exits 0 (the lock plan
  recorded is consistent); exit 0 or 1: `plan --frozen` again does not exit 2.

--output never names a device: in-process, /dev/stdout is the test runner's, and an
earlier bug replaced /dev/null on this machine.

Only the planned stack's file is mutated: `ipam check` validates every stack, so a broken
stack that `plan` never read would fail it by design.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from netaddr import IPNetwork

from foundation.cli import main
from foundation.live import aws as aws_module
from tests.conftest import REPO, snapshot

STACKS = REPO / "stacks"

Project = dict[str, str]  # file name under stacks/ -> text
Mutation = Callable[[Project, str], None]  # (project, planned stack) -> edits in place

# --- values --------------------------------------------------------------------------------

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 2**33),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=6),
    st.lists(st.integers(0, 30), max_size=3),
    st.dictionaries(st.sampled_from(["a", "size", "cidr"]), st.integers(0, 30), max_size=2),
)

any_cidr = st.builds(
    lambda address, prefix: f"{IPv4Address(address)}/{prefix}",
    st.integers(0, 2**32 - 1),
    st.integers(0, 33),
)
canonical_cidr = st.builds(
    lambda address, prefix: str(IPNetwork(f"{IPv4Address(address)}/{prefix}").cidr),
    st.integers(0, 2**32 - 1),
    st.integers(8, 28),
)
notable_cidr = st.sampled_from(
    [
        "10.16.0.0/14",  # the dev pool: overlaps
        "10.20.0.0/14",
        "10.64.0.0/12",
        "10.16.16.0/21",  # an allocated spoke
        "10.16.16.0/24",  # inside it
        "10.16.20.0/22",
        "10.16.96.0/22",  # free, inside the dev pool
        "10.18.0.0/16",  # free space inside the dev pool
        "0.0.0.0/8",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "224.0.0.0/4",
        "240.0.0.0/8",
        "11.0.0.0/16",  # public
        "100.64.0.0/14",
        "172.17.0.0/16",
        "192.168.0.0/16",
        "10.16.0.1/20",  # host bits
        "10.0.0.0/33",
        "10.0.0.0",
        "not-a-cidr",
        "",
    ]
)
cidrs = st.one_of(notable_cidr, canonical_cidr, any_cidr)

# Spoke names: valid ones, and the reserved or invalid ones the spec must refuse (a spoke
# named hub-<tier> clashes with a hub subnet's logical name only after allocation).
hub_names = st.sampled_from(["hub-private", "hub-public", "hub-transit", "hub-data"])
names = st.one_of(
    hub_names,
    st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
    st.sampled_from(
        ["hub", "transit", "inspection", "Bad_Name", "9lives", "a" * 40, "x y", "hubs"]
    ),
)
tier_names = st.sampled_from(["private", "data", "web", "public", "transit", "Bad", "a1"])
prefixes = st.one_of(st.integers(14, 30), junk)


def _load(text: str) -> Any:
    """The YAML of an earlier (possibly damaging) mutation's output, or None."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _put(doc: dict[str, Any], key: str, name: str, value: Any) -> None:
    """doc[key][name] = value, making doc[key] a mapping if an earlier mutation broke it."""
    if not isinstance(doc.get(key), dict):
        doc[key] = {}
    doc[key][name] = value


def _edit_network(edit: Callable[[dict[str, Any]], None]) -> Mutation:
    def apply(project: Project, stack: str) -> None:
        name = f"Pulumi.{stack}.yaml"
        if name not in project:
            return
        doc = _load(project[name])
        try:
            net = doc["config"]["foundation:network"]
        except (TypeError, KeyError):
            return
        if isinstance(net, dict):
            edit(net)
            project[name] = yaml.safe_dump(doc, sort_keys=False)

    return apply


def _edit_addresses(edit: Callable[[dict[str, Any]], None]) -> Mutation:
    def apply(project: Project, stack: str) -> None:
        doc = _load(project["addresses.yaml"])
        if isinstance(doc, dict):
            edit(doc)
            project["addresses.yaml"] = yaml.safe_dump(doc, sort_keys=False)

    return apply


# --- mutations of the planned stack ----------------------------------------------------------

network_keys = st.sampled_from(
    [
        "pool",
        "availabilityZones",
        "hub",
        "segments",
        "spokes",
        "flowLogs",
        "gatewayEndpoints",
        "quotas",
        "drift",
        "transitGateway",
        "production",
        "segmnet",  # unknown
    ]
)


@st.composite
def plausible(draw: st.DrawFn, key: str) -> Any:
    """A value of the right shape for a key, valid or not."""
    choices: dict[str, st.SearchStrategy[Any]] = {
        "pool": st.sampled_from(["dev-use1", "prod-use1", "qa-pool", "nope"]),
        "availabilityZones": st.one_of(
            st.integers(0, 8),
            st.lists(
                st.sampled_from(["us-east-1a", "us-east-1b", "us-east-1c", "use1-az4", "x"]),
                max_size=4,
            ),
        ),
        "hub": st.fixed_dictionaries(
            {},
            optional={
                "size": prefixes,
                "cidr": cidrs,
                "egress": st.sampled_from(["nat-per-az", "single-nat", "none", "all"]),
            },
        ),
        "segments": st.dictionaries(
            names,
            st.fixed_dictionaries(
                {}, optional={"connectsTo": st.lists(names, max_size=2), "isolated": junk}
            ),
            max_size=3,
        ),
        "flowLogs": st.fixed_dictionaries(
            {},
            optional={
                "destination": st.sampled_from(["s3", "cloudwatch", "kinesis"]),
                "bucketArn": st.sampled_from(
                    ["arn:aws:s3:::org-flow-logs", "arn:aws:s3:::Bad", "bucket", "arn:aws:s3:::a/b"]
                ),
                "retentionDays": st.sampled_from([1, 2, 90, 365, 400, -1]),
            },
        ),
        "gatewayEndpoints": st.lists(st.sampled_from(["s3", "dynamodb", "sqs"]), max_size=3),
        "quotas": st.fixed_dictionaries(
            {},
            optional={
                "mode": st.sampled_from(["enforce", "warn", "off", False, "on"]),
                "headroom": st.sampled_from([0, 0.15, 0.99, 1, -0.1]),
            },
        ),
        "drift": st.fixed_dictionaries(
            {},
            optional={
                "mode": st.sampled_from(["fail", "warn", "off", "loud"]),
                "ignore": st.lists(
                    st.fixed_dictionaries(
                        {"reason": st.sampled_from(["ticket NET-1", "", "  "])},
                        optional={"type": st.sampled_from(["subnet", "*"])},
                    ),
                    max_size=2,
                ),
            },
        ),
        "transitGateway": st.fixed_dictionaries(
            {},
            optional={
                "asn": st.sampled_from([64512, 64513, 65534, 65535, 4200000000, 100000, 1]),
                "autoAcceptSharedAttachments": st.booleans(),
            },
        ),
        "production": st.booleans(),
    }
    strategy = choices.get(key)
    return draw(strategy if strategy is not None and draw(st.booleans()) else junk)


@st.composite
def set_network_key(draw: st.DrawFn) -> Mutation:
    key = draw(network_keys)
    value = draw(plausible(key))
    return _edit_network(lambda net: net.__setitem__(key, value))


@st.composite
def add_spoke(draw: st.DrawFn) -> Mutation:
    name = draw(names)
    body: dict[str, Any] = {
        "segment": draw(st.sampled_from(["prod", "shared", "nonprod", "nope"])),
    }
    sizing = draw(st.sampled_from(["size", "size", "cidr", "cidr", "both"]))
    if sizing != "cidr":
        body["size"] = draw(prefixes)
    if draw(st.booleans()):
        body["tiers"] = draw(st.dictionaries(tier_names, prefixes, max_size=3))
    if sizing != "size":
        body["cidr"] = draw(cidrs)
    return _edit_network(lambda net: _put(net, "spokes", name, body))


@st.composite
def remove_spoke(draw: st.DrawFn) -> Mutation:
    index = draw(st.integers(0, 10))

    def edit(net: dict[str, Any]) -> None:
        spokes = net.get("spokes")
        if isinstance(spokes, dict) and spokes:
            del spokes[sorted(spokes)[index % len(spokes)]]

    return _edit_network(edit)


@st.composite
def set_region(draw: st.DrawFn) -> Mutation:
    region = draw(st.sampled_from(["eu-west-1", "us-east-9", "", "ap-southeast-2"]))

    def apply(project: Project, stack: str) -> None:
        name = f"Pulumi.{stack}.yaml"
        doc = _load(project.get(name, ""))
        if isinstance(doc, dict) and isinstance(doc.get("config"), dict):
            doc["config"]["aws:region"] = region
            project[name] = yaml.safe_dump(doc, sort_keys=False)

    return apply


# --- mutations of the address plan ----------------------------------------------------------


@st.composite
def add_pool(draw: st.DrawFn) -> Mutation:
    name = draw(st.sampled_from(["qa-pool", "extra", "dev-use1"]))
    cidr = draw(cidrs)  # dev-use1 holds lock entries: a new CIDR can strand them
    return _edit_addresses(lambda doc: _put(doc, "pools", name, cidr))


@st.composite
def add_reserved(draw: st.DrawFn) -> Mutation:
    cidr = draw(cidrs)
    reason = draw(st.sampled_from(["partner", "", None]))
    entry: Any = {"cidr": cidr, "reason": reason} if reason is not None else {"cidr": cidr}
    if draw(st.integers(0, 9)) == 0:
        entry = draw(junk)

    def edit(doc: dict[str, Any]) -> None:
        if not isinstance(doc.get("reserved"), list):
            doc["reserved"] = []
        doc["reserved"].append(entry)

    return _edit_addresses(edit)


@st.composite
def addresses_key(draw: st.DrawFn) -> Mutation:
    key = draw(st.sampled_from(["pools", "reserved", "pool"]))
    value = draw(junk)
    return _edit_addresses(lambda doc: doc.__setitem__(key, value))


# --- mutations of the lock (tool-written, hand-edited here) ---------------------------------


@st.composite
def lock_edit(draw: st.DrawFn) -> Mutation:
    kind = draw(
        st.sampled_from(
            ["unknown-top-key", "bad-key", "bad-value", "drop-entry", "duplicate-entry", "empty"]
        )
    )
    index = draw(st.integers(0, 200))
    drawn = draw(cidrs)

    def apply(project: Project, stack: str) -> None:
        value = drawn
        text = project["addresses.lock.yaml"]
        lines = text.splitlines(keepends=True)
        entries = [i for i, line in enumerate(lines) if line.startswith("  ")]
        line = entries[index % len(entries)] if entries else None
        if kind == "unknown-top-key":
            text += "azs: {dev/hub/az0: use1-az1}\n"
        elif kind == "bad-key":
            text += f"  dev/Hub Bad: {value!r}\n"
        elif kind == "bad-value" and line is not None:
            key = lines[line].split(":", 1)[0]
            lines[line] = f"{key}: {value!r}\n"
            text = "".join(lines)
        elif kind == "drop-entry" and line is not None:
            del lines[line]  # a VPC's entry too, while its subnets stay
            text = "".join(lines)
        elif kind == "duplicate-entry" and line is not None:
            lines.insert(line, lines[line])  # the same key twice, with the same value
            text = "".join(lines)
        elif kind == "empty":
            text = ""
        project["addresses.lock.yaml"] = text

    return apply


# --- text-level damage to any file the planned command reads --------------------------------


@st.composite
def damage(draw: st.DrawFn) -> Mutation:
    which = draw(st.sampled_from(["stack", "addresses.yaml", "addresses.lock.yaml"]))
    kind = draw(st.sampled_from(["truncate", "duplicate-line", "tab", "bad-utf8"]))
    at = draw(st.floats(0, 1))

    def apply(project: Project, stack: str) -> None:
        name = f"Pulumi.{stack}.yaml" if which == "stack" else which
        if name not in project:
            return
        text = project[name]
        cut = int(len(text) * at)
        if kind == "truncate":
            text = text[:cut]
        elif kind == "duplicate-line":
            lines = text.splitlines(keepends=True)
            if lines:
                i = min(int(len(lines) * at), len(lines) - 1)
                lines.insert(i, lines[i])
                text = "".join(lines)
        elif kind == "tab":
            text = text[:cut] + "\t" + text[cut:]
        else:
            text = text[:cut] + "\udce9" + text[cut:]  # written with surrogateescape: byte 0xe9
        project[name] = text

    return apply


@st.composite
def valid_spoke(draw: st.DrawFn) -> Mutation:
    """A change a user makes every day: a new spoke in an existing segment."""
    name = draw(st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True))
    body = {"segment": draw(st.sampled_from(["prod", "shared"])), "size": draw(st.integers(22, 25))}
    return _edit_network(lambda net: _put(net, "spokes", name, body))


@st.composite
def production_or_egress(draw: st.DrawFn) -> Mutation:
    """Valid settings that some stacks fail a policy check with (exit 1)."""
    key, value = draw(
        st.sampled_from(
            [
                ("production", True),
                ("production", False),
                ("hub", {"size": 20, "egress": "single-nat"}),
                ("hub", {"size": 20, "egress": "none"}),
            ]
        )
    )
    return _edit_network(lambda net: net.__setitem__(key, value))


everyday = st.one_of(valid_spoke(), remove_spoke(), production_or_egress())

mutation = st.one_of(
    set_network_key(),
    add_spoke(),
    remove_spoke(),
    set_region(),
    add_pool(),
    add_reserved(),
    addresses_key(),
    lock_edit(),
    damage(),
)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Project, str, list[str], str | None, bool]:
    project = {p.name: p.read_text() for p in STACKS.iterdir() if p.is_file()}
    stack = draw(st.sampled_from(["dev", "prod", "qa", "qa"]))
    if stack == "qa":  # a new stack in a new pool: everything allocated fresh
        project["Pulumi.qa.yaml"] = project["Pulumi.dev.yaml"].replace(
            "pool: dev-use1", "pool: qa-pool"
        )
        pools = yaml.safe_load(project["addresses.yaml"])
        pools["pools"]["qa-pool"] = draw(st.sampled_from(["10.48.0.0/14", "100.64.0.0/14"]))
        project["addresses.yaml"] = yaml.safe_dump(pools, sort_keys=False)
    # everyday changes (most allocate, so `plan` writes the lock) mixed with breakage, so a
    # failure after the write is likely to be generated
    edits = draw(st.lists(everyday, max_size=3)) + draw(st.lists(mutation, max_size=2))
    for edit in draw(st.permutations(edits)):
        edit(project, stack)
    flags = draw(
        st.sampled_from(
            [[], ["--frozen"], ["--format", "json"], ["--frozen", "--format", "markdown"]]
        )
    )
    # --output targets, all inside the temp project (never a device: see the module doc)
    output = draw(
        st.sampled_from(
            [None, None, None, "new", "existing", "missing-folder", "directory", "in-stacks"]
        )
    )
    live = draw(st.integers(0, 9)) == 0  # --live against a closed port: exit 2, fast
    return project, stack, flags, output, live


OUTPUT_TARGETS = {
    "new": "plan.out",
    "existing": "report.txt",
    "missing-folder": "no-such-folder/plan.out",
    "directory": "reports",
    "in-stacks": "stacks/addresses.lock.yaml",  # the report must never replace the lock
}

# --live: a local port nothing listens on, dummy credentials, and a retry budget of a
# fraction of a second (the default waits up to 40 s per call before giving up)
LIVE_POLICY = aws_module.RetryPolicy(
    base_delay=0.001, max_delay=0.005, deadline=0.3, connect_timeout=0.3, read_timeout=0.3
)


def closed_port() -> int:
    """A local TCP port with nothing listening (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def live_environment(tmp: Path) -> Iterator[None]:
    empty = tmp / "aws-empty-config"
    empty.touch()
    env = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed_port()}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
    }
    dropped = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION")
    saved = {k: os.environ.get(k) for k in (*env, *dropped)}
    saved_policy = aws_module.POLICY
    os.environ.update(env)
    for name in dropped:
        os.environ.pop(name, None)
    aws_module.POLICY = LIVE_POLICY
    try:
        yield
    finally:
        aws_module.POLICY = saved_policy
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run(project_root: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--project", str(project_root), *args])
    return code, out.getvalue(), err.getvalue()


@settings(
    max_examples=int(os.environ.get("FOUNDATION_PROPERTY_EXAMPLES", "50")),
    deadline=None,
    # a failing example is a whole project, printed in full; shrinking it costs minutes
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=scenarios())
def test_exit_codes_no_tracebacks_exit_2_changes_nothing_exit_0_passes_ipam_check(
    scenario: tuple[Project, str, list[str], str | None, bool],
) -> None:
    project, stack, flags, output, live = scenario
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        stacks = root / "stacks"
        stacks.mkdir(parents=True)
        for name, text in project.items():
            (stacks / name).write_bytes(text.encode("utf-8", "surrogateescape"))
        (root / "report.txt").write_text("an earlier report\n")
        (root / "reports").mkdir()
        args = ["plan", stack, *flags]
        target = None
        if output is not None:
            target = root / OUTPUT_TARGETS[output]
            args += ["--output", str(target)]
        if live:
            args.append("--live")
        before = snapshot(root)
        with live_environment(Path(tmp)) if live else contextlib.nullcontext():
            started = time.monotonic()
            code, out, err = run(root, *args)
            elapsed = time.monotonic() - started
        event(f"plan exit {code}")  # --hypothesis-show-statistics prints the spread
        event(f"output {output}, live {live}")
        assert code in (0, 1, 2), (code, err)
        for stream in (out, err):
            assert "Traceback" not in stream
            assert "internal error" not in stream, err
        if live:
            assert code == 2, err  # nothing listens: the live quota check cannot answer
            assert elapsed < 10, elapsed
        if output in ("missing-folder", "directory", "in-stacks"):
            assert code == 2, err
            assert "--output" in err, err
        if code == 2:
            assert snapshot(root) == before, err
            assert out == ""
            assert err.startswith("error: ")
        elif target is not None:
            assert out == "", out  # the report went to the file, not stdout
            assert target.is_file() and target.read_text() not in ("", "an earlier report\n")
            assert f"wrote {target}" in err, err
        if code in (0, 1):
            # the lock plan recorded (it records on exit 1 too; --frozen leaves stale entries,
            # which ipam check reports) is consistent, and the next plan does not call it bad
            if code == 0 or "--frozen" not in flags:
                check_code, check_out, check_err = run(root, "ipam", "check")
                assert check_code == 0, (check_out, check_err)
            again, _, again_err = run(root, "plan", stack, "--frozen")
            assert again in (0, 1), again_err
