"""The installed ``festengine`` command, run as a subprocess: validate, schema, explain, replay, test.

Each run costs about a second, so each test checks one command thoroughly: exit code, standard
output line by line, standard error, and the files it writes.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from festengine import Engine, Fest, load_fest
from festengine.catalog.explain import explain_fest
from festengine.catalog.schema import fest_json_schema

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"


def festengine_command() -> str:
    """The console script installed next to this Python (the venv's), else the one on PATH."""
    beside = Path(sys.executable).parent / "festengine"
    if beside.exists():
        return str(beside)
    found = shutil.which("festengine")
    assert found is not None, "the festengine command is not installed"
    return found


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command, arguments from the test
        [festengine_command(), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def fest() -> Fest:
    return load_fest(PACK)


BROKEN_FEST = """\
fest:
  id: broken_fest
  name: Broken Fest
  timezone: America/Los_Angeles
  starts_at: "2026-06-15T00:00:00-07:00"
  ends_at: "2026-07-06T00:00:00-07:00"
economy:
  currency: USD
  coin_value: {app: "0.0143"}
  default_channel: app
  split: {creator: "0.5", platform: "0.5"}
  gifts:
    - {id: rose, name: Rose, coins: 1}
"""

BROKEN_MISSIONS = """\
missions:
  - id: likes
    title: Likes
    counts: {event: like}
    target: 3
    rewards:
      - {badge: star, tier: gold}
  - id: gifts
    title: Gifts
    counts: {event: gift, where: {gift_id: {equals: tulip}}}
    target: 1
    window: {kind: phase, phase: week9}
"""


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A two-file pack whose missions file has two cross-reference problems."""
    pack = tmp_path / "broken"
    pack.mkdir()
    (pack / "fest.yaml").write_text(BROKEN_FEST, encoding="utf-8")
    (pack / "missions.yaml").write_text(BROKEN_MISSIONS, encoding="utf-8")
    return pack


# =========================================================================== validate


def test_validate_ok(fest: Fest) -> None:
    """A valid pack: exit 0 and exactly one summary line with its counts."""
    result = run("validate", PACK)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        f"{PACK}: ok: fest 'community_fest_2026': {len(fest.missions)} missions, {len(fest.journeys)} journeys, "
        f"{len(fest.badges)} badges, {len(fest.economy.gifts)} gifts, {len(fest.commission.rules)} commission rules, "
        f"{len(fest.promotions)} promotions"
    ]
    assert re.search(r": (\d+) missions, 1 journeys, (\d+) badges, (\d+) gifts, 4 commission rules", result.stdout)


def test_validate_broken_and_ok_together(broken: Path) -> None:
    """Several packs: a summary line for the good one, file:line:column: path: message lines for the bad one, exit 1."""
    result = run("validate", broken, PACK)
    assert result.returncode == 1
    missions = broken / "missions.yaml"
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        f"{missions}:7:17: missions[0].rewards[0].badge: unknown badge 'star'; define the badge first",
        f"{missions}:12:34: missions[1].window.phase: unknown phase 'week9'; define the phase first",
    ]
    assert lines[2].startswith(f"{PACK}: ok: fest 'community_fest_2026': ")
    assert len(lines) == 3
    for line in lines[:2]:  # the compiler format that editors and CI annotate
        assert re.fullmatch(r"[^:]+:\d+:\d+: [\w.\[\]]+: .+", line), line


def test_validate_json(broken: Path, fest: Fest) -> None:
    """--format json: one report per pack, with the counts or the located problems."""
    result = run("validate", "--format", "json", PACK, broken)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report[0] == {
        "path": str(PACK),
        "ok": True,
        "fest": "community_fest_2026",
        "missions": len(fest.missions),
        "journeys": len(fest.journeys),
        "badges": len(fest.badges),
        "gifts": len(fest.economy.gifts),
        "commission_rules": len(fest.commission.rules),
    }
    assert report[1]["path"] == str(broken)
    assert report[1]["ok"] is False
    assert report[1]["problems"] == [
        {
            "file": str(broken / "missions.yaml"),
            "line": 7,
            "column": 17,
            "path": "missions[0].rewards[0].badge",
            "message": "unknown badge 'star'; define the badge first",
        },
        {
            "file": str(broken / "missions.yaml"),
            "line": 12,
            "column": 34,
            "path": "missions[1].window.phase",
            "message": "unknown phase 'week9'; define the phase first",
        },
    ]


def test_command_line_mistakes_exit_2(tmp_path: Path) -> None:
    """A wrong command line (no pack named) is argparse's exit 2, with usage on standard error."""
    result = run("validate")
    assert result.returncode == 2
    assert "usage: festengine validate" in result.stderr
    assert result.stdout == ""


# =========================================================================== schema


def test_schema(tmp_path: Path) -> None:
    """schema prints the pack's JSON Schema; -o writes the same to a file."""
    result = run("schema")
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout) == fest_json_schema()
    written = tmp_path / "fest.schema.json"
    result = run("schema", "-o", written)
    assert (result.returncode, result.stdout) == (0, "")
    assert json.loads(written.read_text(encoding="utf-8")) == fest_json_schema()


# =========================================================================== explain


def test_explain_all_one_and_unknown(fest: Fest) -> None:
    """explain: every mission as 'id: text'; one mission; an unknown id exits 1 with a suggestion."""
    result = run("explain", PACK)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [f"{mission_id}: {text}" for mission_id, text in explain_fest(fest)]

    result = run("explain", PACK, "daily_check_in")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "daily_check_in: Check in once, daily (resets 00:00 America/Los_Angeles). Reward: 10 fest points.\n"
    )

    result = run("explain", PACK, "daily_check_inn")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"festengine: no mission 'daily_check_inn' in {PACK} (did you mean 'daily_check_in'?)\n"


def test_explain_broken_pack(broken: Path) -> None:
    """explain (like replay) on a broken pack exits 1 and lists its problems on standard error."""
    result = run("explain", broken)
    assert result.returncode == 1
    assert result.stdout == ""
    assert [line.split(": ", 2)[1] for line in result.stderr.splitlines()] == [
        "missions[0].rewards[0].badge",
        "missions[1].window.phase",
    ]


# =========================================================================== replay


def event(number: int, kind: str, at: str, user: str, **fields: Any) -> str:
    return json.dumps({"event_id": f"e{number}", "type": kind, "occurred_at": at, "user_id": user, **fields})


def write_events(path: Path) -> Path:
    """22 lines: a check-in (and its duplicate), an unknown gift, bad JSON, 15 comments, an event before the
    fest, a blank line and a like with a bad count."""
    stream = {"creator_id": "c1", "stream_id": "s1"}
    lines = [
        event(1, "check_in", "2026-06-16T03:00:00Z", "u1", **stream),
        event(1, "check_in", "2026-06-16T03:00:00Z", "u1", **stream),
        event(2, "gift", "2026-06-16T03:01:00Z", "u1", gift_id="tulip", **stream),
        "{not json",
        *(event(10 + i, "comment", f"2026-06-16T04:{i:02d}:00Z", "u2", text="hi", **stream) for i in range(15)),
        event(3, "like", "2026-05-01T00:00:00Z", "u1", count=1, **stream),
        "",
        event(4, "like", "2026-06-16T05:00:00Z", "u3", count="many", **stream),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_replay(tmp_path: Path, fest: Fest) -> None:
    """replay: summary counts (applied, duplicates, rejected by reason, missions completed, badges), the outcomes
    and snapshot files, malformed lines reported by number while the rest go on; --strict exits 1."""
    events = write_events(tmp_path / "events.jsonl")
    outcomes, snapshot = tmp_path / "outcomes.jsonl", tmp_path / "snapshot.bin"
    result = run("replay", PACK, events, "--outcomes", outcomes, "--snapshot", snapshot)
    assert result.returncode == 0
    # u1: daily_check_in; u2 (15 comments in week 1): journey_say_hello, daily_chat twice, week1_warm_up
    assert result.stdout.splitlines() == [
        "events read: 22 lines, 2 malformed",
        "applied: 16",
        "duplicates: 1",
        "rejected: 2",
        "  outside_fest: 1",
        "  unknown_gift: 1",
        "missions completed: 5",
        "badges awarded: 1",
    ]
    errors = result.stderr.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"{events}:line 4: ")
    assert "Invalid JSON" in errors[0]
    assert errors[1].startswith(f"{events}:line 22: count: ")

    written = [json.loads(line) for line in outcomes.read_text(encoding="utf-8").splitlines()]
    kinds = [o["kind"] for o in written]
    assert kinds.count("mission_completed") == 5
    assert kinds.count("badge_awarded") == 1
    assert kinds.count("duplicate") == 1
    assert sorted(o["code"] for o in written if o["kind"] == "rejected") == ["outside_fest", "unknown_gift"]
    badge = next(o for o in written if o["kind"] == "badge_awarded")
    assert (badge["user_id"], badge["badge_id"], badge["tier"], badge["source"]) == (
        "u2",
        "community_icon",
        "bronze",
        "week1_warm_up",
    )

    engine = Engine.restore(fest, snapshot.read_bytes())
    assert engine.badges("u2") == {"community_icon": "bronze"}
    assert any(m.mission_id == "daily_check_in" and m.state == "claimed" for m in engine.missions("u1"))

    strict = run("replay", PACK, events, "--strict")
    assert strict.returncode == 1
    assert strict.stdout == result.stdout


def test_replay_strict_passes_clean_events(tmp_path: Path) -> None:
    """--strict exits 0 when nothing is rejected or malformed (duplicates are fine); no files unless asked."""
    events = tmp_path / "events.jsonl"
    stream = {"creator_id": "c1", "stream_id": "s1"}
    check_in = event(1, "check_in", "2026-06-16T03:00:00Z", "u1", **stream)
    events.write_text(f"{check_in}\n{check_in}\n", encoding="utf-8")
    result = run("replay", PACK, events, "--strict", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[:4] == [
        "events read: 2 lines, 0 malformed",
        "applied: 1",
        "duplicates: 1",
        "rejected: 0",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.jsonl"]


# =========================================================================== test (scenarios)


PASSING = """\
name: a check-in and a warm week
pack: {pack}
events:
  - {{event_id: e1, type: check_in, occurred_at: "2026-06-16T03:00:00Z", user_id: u1, creator_id: c1, stream_id: s1}}
{comments}
expect:
  outcomes:
    - {{kind: mission_completed, subject: u1, mission_id: daily_check_in}}
    - {{kind: badge_awarded, user_id: u2, badge_id: community_icon, tier: bronze}}
  absent:
    - {{kind: rejected}}
  missions: {{u1: {{daily_check_in: claimed}}, u2: {{week1_warm_up: claimed}}}}
  badges: {{u2: {{community_icon: bronze}}}}
  points: {{u1: 10}}
"""

FAILING = """\
name: expectations that do not hold
pack: {pack}
events:
  - {{event_id: e1, type: check_in, occurred_at: "2026-06-16T03:00:00Z", user_id: u1, creator_id: c1, stream_id: s1}}
  - {{event_id: e2, type: gift, occurred_at: "2026-06-16T03:01:00Z", user_id: u1, creator_id: c1, stream_id: s1,
      gift_id: tulip}}
expect:
  outcomes:
    - {{kind: mission_completed, subject: u1, mission_id: daily_chat}}
  absent:
    - {{kind: rejected}}
  badges: {{u1: {{streak_keeper: week}}}}
  points: {{u1: 99}}
"""


def test_scenarios(tmp_path: Path) -> None:
    """festengine test: PASS/FAIL per scenario with each failed expectation listed, a summary, exit 1 on a failure."""
    comments = "\n".join(
        f'  - {{event_id: c{i}, type: comment, occurred_at: "2026-06-16T04:{i:02d}:00Z", user_id: u2, '
        f"creator_id: c1, stream_id: s1, text: hi}}"
        for i in range(15)
    )
    passing = tmp_path / "passing.yaml"
    passing.write_text(PASSING.format(pack=PACK, comments=comments), encoding="utf-8")
    failing = tmp_path / "failing.yaml"
    failing.write_text(FAILING.format(pack=PACK), encoding="utf-8")

    result = run("test", passing)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        f"PASS {passing}: a check-in and a warm week",
        "scenarios: 1 passed, 0 failed",
    ]

    result = run("test", passing, failing)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"PASS {passing}: a check-in and a warm week"
    assert lines[1] == f"FAIL {failing}: expectations that do not hold"
    assert lines[-1] == "scenarios: 1 passed, 1 failed"
    failures = lines[2:-1]
    assert len(failures) == 4
    assert all(line.startswith("  - ") for line in failures)
    assert "expected outcome {'kind': 'mission_completed', 'subject': 'u1', 'mission_id': 'daily_chat'}" in failures[0]
    assert "should not happen" in failures[1]
    assert "unknown_gift" in failures[1]
    assert failures[2] == "  - badge 'streak_keeper' of 'u1': expected week, got None"
    assert failures[3] == "  - points of 'u1': expected 99, got 10"


def test_malformed_scenario(tmp_path: Path) -> None:
    """A scenario file that is not a scenario exits 1 with one message: file:line:column, the key, a did-you-mean."""
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(f"name: bad\npack: {PACK}\nexpectations: {{}}\n", encoding="utf-8")
    result = run("test", scenario)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"festengine: {scenario}:3:1: expectations: unknown key 'expectations' (did you mean 'expect'?); "
        "allowed keys here: name, pack, events, advance_to, expect\n"
    )
