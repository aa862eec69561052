"""Scenario files are a boundary: a file that cannot run says where and why, and raises only ScenarioError."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from festengine.errors import FestEngineError
from festengine.testing import ScenarioError, load_scenario, run_scenario

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"
EVENT = (
    '{event_id: e1, type: check_in, occurred_at: "2026-06-16T03:00:00Z", user_id: u1, creator_id: c1, stream_id: s1}'
)
GOOD = f"""\
name: a check-in
pack: {PACK}
events:
  - {EVENT}
expect:
  outcomes:
    - {{kind: mission_completed, subject: u1, mission_id: daily_check_in}}
  absent:
    - {{kind: rejected}}
  missions: {{u1: {{daily_check_in: claimed}}}}
  points: {{u1: 10}}
"""


def _write(folder: Path, text: str | bytes, name: str = "scenario_x.yaml") -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(ScenarioError) as caught:
        run_scenario(path)
    assert isinstance(caught.value, FestEngineError)
    return str(caught.value)


def test_a_good_scenario_passes(tmp_path: Path) -> None:
    """The reference scenario of these tests runs and passes (so each refusal below is the edit's doing)."""
    result = run_scenario(_write(tmp_path, GOOD))
    assert result.passed, result.failures
    assert result.name == "a check-in"


def test_an_unknown_expect_key_names_its_line_and_the_key_meant(tmp_path: Path) -> None:
    """A wrong key under expect says file:line:column, the key, a did-you-mean and the allowed keys."""
    path = _write(tmp_path, GOOD.replace("  outcomes:", "  outcome:"))
    assert _error(path) == (
        f"{path}:6:3: expect.outcome: unknown key 'outcome' (did you mean 'outcomes'?); "
        "allowed keys here: outcomes, absent, missions, badges, points, balances"
    )


def test_every_problem_of_a_file_is_reported_together(tmp_path: Path) -> None:
    """A missing key, a mistyped mission state and a count that is not a number are all reported, each at its line."""
    text = GOOD.replace("name: a check-in\n", "").replace("claimed}", "claimd}").replace("u1: 10}", "u1: ten}")
    path = _write(tmp_path, text)
    assert _error(path).splitlines() == [
        f"{path}:1:1: name: missing required key 'name'",
        f"{path}:9:35: expect.missions.u1.daily_check_in: 'claimd' is not allowed here (did you mean 'claimed'?); "
        "write one of: locked, active, completed, claimed, expired",
        f"{path}:10:16: expect.points.u1: expected a whole number, got 'ten'",
    ]


def test_an_outcome_pattern_that_can_never_match_is_refused(tmp_path: Path) -> None:
    """An unknown outcome kind (which under absent would always pass) or field is a problem with a did-you-mean."""
    text = GOOD.replace("{kind: rejected}", "{kind: rejectd}").replace("subject: u1, mission", "subjct: u1, mission")
    path = _write(tmp_path, text)
    lines = _error(path).splitlines()
    assert lines[0] == (
        f"{path}:7:33: expect.outcomes[0].subjct: 'subjct' is not a field of a mission_completed outcome "
        "(did you mean 'subject'?); its fields: kind, event_id, subject, mission_id, window, completion, "
        "claim_deadline"
    )
    assert (
        lines[1] == f"{path}:9:14: expect.absent[0].kind: 'rejectd' is not an outcome kind (did you mean 'rejected'?)"
    )


def test_a_malformed_event_names_its_line(tmp_path: Path) -> None:
    """An event that does not parse is a problem of the file, at the event's line, with the parser's reason."""
    path = _write(tmp_path, GOOD.replace("type: check_in", "type: check_inn"))
    message = _error(path)
    assert message.startswith(f"{path}:4:5: events[0]: a malformed event: ")
    assert "check_inn" in message


def test_a_missing_pack_names_the_scenario_and_the_path(tmp_path: Path) -> None:
    """A pack path that leads nowhere is reported at the scenario's pack line, with the path looked at."""
    path = _write(tmp_path, GOOD.replace(f"pack: {PACK}", "pack: ../nowhere"))
    assert _error(path) == (
        f"{path}:2:7: pack: no pack at {str(tmp_path / '../nowhere')!r} (the path is relative to the scenario "
        "file), and no bundled pack named '../nowhere'; bundled packs: community-fest"
    )


def test_a_scenario_may_name_a_bundled_pack(tmp_path: Path) -> None:
    """``pack: community-fest`` (no such file next to the scenario) runs on the pack festengine ships."""
    result = run_scenario(_write(tmp_path, GOOD.replace(f"pack: {PACK}", "pack: community-fest")))
    assert result.passed, result.failures


def test_a_pack_with_problems_is_reported_after_the_scenario_line(tmp_path: Path) -> None:
    """A pack that does not load: the scenario's pack line first, then each of the pack's own problems."""
    pack = tmp_path / "pack.yaml"
    pack.write_text("fest: {id: x}\n", encoding="utf-8")
    path = _write(tmp_path, GOOD.replace(f"pack: {PACK}", "pack: pack.yaml"))
    lines = _error(path).splitlines()
    assert lines[0].startswith(f"{path}:2:7: pack: the pack 'pack.yaml' does not load (")
    assert all(line.startswith(str(pack)) for line in lines[1:])
    assert len(lines) > 1


def test_a_file_that_is_not_utf8_gives_line_and_reason(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 give file:line:column and the byte, never a UnicodeDecodeError."""
    path = _write(tmp_path, GOOD.encode("utf-8").replace(b"a check-in", b"a caf\xe9"))
    assert _error(path) == (
        f"{path}:1:12: <document>: the file is not UTF-8 text (byte 0xe9 cannot be read); save it as UTF-8"
    )


def test_a_file_that_is_not_yaml_gives_line_and_reason(tmp_path: Path) -> None:
    """YAML syntax errors are reported with their line, as for packs."""
    path = _write(tmp_path, "name: x\n\tpack: y\n")
    assert _error(path).startswith(f"{path}:2:1: <document>: ")


@pytest.mark.parametrize(
    ("text", "shown"),
    [("", "empty"), ("- a\n- b\n", "a list"), ("just words\n", "a single value")],
    ids=["empty", "list", "scalar"],
)
def test_a_file_that_is_not_a_mapping_says_what_a_scenario_is(tmp_path: Path, text: str, shown: str) -> None:
    """An empty file, a list or a single value: the top level must be a mapping of the scenario's keys."""
    path = _write(tmp_path, text)
    assert _error(path) == (
        f"{path}:1:1: <document>: "
        "the top level of a scenario file must be a mapping of keys (name:, pack:, events:, expect:)"
    ), shown


def test_unreadable_paths_are_refused_with_a_reason(tmp_path: Path) -> None:
    """A missing file, a folder and (where there are FIFOs) a FIFO are refused at once, naming the path."""
    absent = tmp_path / "absent.yaml"
    assert _error(absent) == f"{absent}: <document>: could not read the file: No such file or directory"
    assert _error(tmp_path).startswith(f"{tmp_path}: <document>: ")
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "scenario_fifo.yaml"
        os.mkfifo(fifo)
        assert _error(fifo) == f"{fifo}: <document>: not a regular file; a scenario is a YAML file"


def test_an_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    """A file over the size limit is refused by its size."""
    path = _write(tmp_path, "name: x\n" + "#" * 1_100_000 + "\n")
    assert _error(path) == (
        f"{path}: <document>: "
        "the file is 1,100,009 bytes, more than the limit of 1,048,576; split it into several files"
    )


def test_advance_to_outside_the_supported_range_is_refused(tmp_path: Path) -> None:
    """advance_to beyond the supported time range is a problem at its line, not an engine crash."""
    path = _write(tmp_path, GOOD + 'advance_to: "9999-12-31T23:59:59-14:00"\n')
    assert _error(path) == (
        f"{path}:12:13: advance_to: advance_to must lie from 1970-01-01T00:00:00+00:00 to before "
        "2100-01-01T00:00:00+00:00"
    )


def test_load_scenario_returns_the_parsed_model(tmp_path: Path) -> None:
    """load_scenario checks a file without running it and returns its contents."""
    scenario = load_scenario(_write(tmp_path, GOOD))
    assert (scenario.name, scenario.pack, len(scenario.events)) == ("a check-in", str(PACK), 1)
    assert scenario.expect.points == {"u1": 10}


def test_the_cli_reports_a_non_utf8_scenario_without_a_traceback(tmp_path: Path) -> None:
    """festengine test on a file that is not UTF-8: exit 1, file:line:column and the reason, no traceback."""
    path = _write(tmp_path, b"name: \xff\n")
    done = subprocess.run(  # noqa: S603 - our own command line, run by this interpreter
        [sys.executable, "-m", "festengine.cli", "test", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"festengine: {path}:1:7: <document>: the file is not UTF-8 text (byte 0xff cannot be read); save it as UTF-8\n"
    )


# --------------------------------------------------------------------------- fuzz

TINY_PACK = """\
fest: {id: tiny, name: Tiny, timezone: UTC, starts_at: "2026-03-01T00:00:00Z", ends_at: "2026-03-08T00:00:00Z"}
economy:
  currency: USD
  coin_value: {app: "0.01"}
  default_channel: app
  split: {creator: "0.50", platform: "0.50"}
  gifts: [{id: rose, name: Rose, coins: 1}]
badges: [{id: fan, name: Fan, tiers: [bronze]}]
missions:
  - {id: likes, title: Likes, counts: {event: like}, target: 10, rewards: [{points: 3}]}
"""

TINY_SCENARIO = """\
name: ten likes
pack: pack.yaml
events:
  - {event_id: e1, type: like, occurred_at: "2026-03-02T00:00:00Z", user_id: u1, creator_id: c1, stream_id: s1,
     count: 10}
advance_to: "2026-03-03T00:00:00Z"
expect:
  outcomes: [{kind: mission_completed, mission_id: likes}]
  absent: [{kind: rejected}]
  missions: {u1: {likes: claimed}}
  badges: {u1: {fan: bronze}}
  points: {u1: 3}
  balances: {"viewer:u1:credits": "0.00"}
"""

_PIECES = ["\n", " ", "  ", ":", "- ", "{", "}", "[", "]", ",", '"', "'", "#", "&a", "*a", "!!str ", "\t", "1.5",
           "-3", "1e400", "NaN", "true", "null", "x", "kind", "expect", "events", "é", "\x00", "\ufeff"]  # fmt: skip


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    text = TINY_SCENARIO
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        start = draw(st.integers(min_value=0, max_value=len(text)))
        end = draw(st.integers(min_value=start, max_value=min(len(text), start + 12)))
        text = text[:start] + draw(st.sampled_from(_PIECES)) + text[end:]
    raw = text.encode("utf-8")
    if draw(st.booleans()) and raw:
        index = draw(st.integers(min_value=0, max_value=len(raw) - 1))
        raw = raw[:index] + bytes([draw(st.integers(min_value=0, max_value=255))]) + raw[index + 1 :]
    return raw


def test_the_tiny_fuzz_scenario_passes() -> None:
    """The scenario the fuzz test mutates is itself a passing one (all expect keys used)."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "pack.yaml").write_text(TINY_PACK, encoding="utf-8")
        path = _write(Path(folder), TINY_SCENARIO)
        result = run_scenario(path)
    assert result.failures == ("badge 'fan' of 'u1': expected bronze, got None",)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=_mutated() | st.binary(max_size=300))
def test_any_file_content_gives_a_result_or_a_scenario_error(raw: bytes) -> None:
    """Whatever a scenario file holds, running it returns a result or raises ScenarioError, nothing else."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "pack.yaml").write_text(TINY_PACK, encoding="utf-8")
        path = _write(Path(folder), raw)
        try:
            result = run_scenario(path)
        except ScenarioError as error:
            problems = error.problems
        else:
            assert isinstance(result.failures, tuple)
            return
    assert problems
    assert all(problem.file for problem in problems)
