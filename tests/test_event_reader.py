"""Reading JSON Lines with many bad lines: bounded memory, counts by problem, the first few errors kept.

``festengine replay`` reads through the same EventReader; it is run here in-process, under tracemalloc.
"""

from __future__ import annotations

import io
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from festengine import EventParseError, read_events
from festengine.cli import main
from festengine.events import KEEP_ERRORS, MAX_LINE_BYTES
from test_events import wire

PACK = Path(__file__).resolve().parents[1] / "missions" / "community-fest"

#: Four kinds of bad line, each with the problems it is counted under.
BAD_LINES: list[tuple[str, dict[str, int]]] = [
    ("{not json", {"event: invalid_json": 1}),
    (json.dumps(wire("view", seconds="60")), {"seconds: wrong_type": 1}),
    (json.dumps(wire("like", colour="red", count=0)), {"unknown_field": 1, "count: out_of_range": 1}),
    ('["a list"]', {"event: not_an_object": 1}),
]


def write_bad_file(path: Path, lines: int) -> dict[str, int]:
    """A file of ``lines`` lines: mostly broken JSON, every 100th line another kind of bad line in turn, every
    1,000th a good one; returns how many times each problem occurs."""
    expected: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as handle:
        for number in range(lines):
            if number % 1_000 == 999:
                handle.write(json.dumps(wire("check_in", event_id=f"ok{number}")) + "\n")
                continue
            text, counts = BAD_LINES[(number // 100) % len(BAD_LINES) if number % 100 == 50 else 0]
            handle.write(text + "\n")
            for key, count in counts.items():
                expected[key] = expected.get(key, 0) + count
    return expected


def peak_bytes(run: Callable[[], Any]) -> int:
    """The peak of memory allocated by Python while ``run`` runs (tracemalloc)."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_reading_200_000_bad_lines_keeps_counts_and_the_first_errors_in_bounded_memory(tmp_path: Path) -> None:
    """Every bad line is counted by problem; only the first 20 errors are kept; memory stays small."""
    path = tmp_path / "events.jsonl"
    expected = write_bad_file(path, 200_000)
    reader = read_events(path)
    good: list[str] = []
    peak = peak_bytes(lambda: good.extend(event.event_id for event in reader))
    assert len(good) == 200
    assert reader.lines_read == 200_000
    assert reader.malformed == 199_800
    assert dict(reader.problem_counts) == expected
    assert len(reader.errors) == KEEP_ERRORS == 20
    assert [error.line for error in reader.errors] == list(range(1, 21))
    assert all(error.__traceback__ is None for error in reader.errors)
    assert peak < 2**20, peak  # each kept exception used to cost about 2.7 KB: 540 MB here


def test_replay_of_20_000_bad_lines_runs_in_bounded_memory_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """festengine replay: counts by problem, the first 20 lines' errors, how many more, exit 1; small memory."""
    path = tmp_path / "events.jsonl"
    expected = write_bad_file(path, 20_000)
    out = io.StringIO()
    codes: list[int] = []
    peak = peak_bytes(lambda: codes.append(main(["replay", str(PACK), str(path)], out=out)))
    assert codes == [1]
    lines = out.getvalue().splitlines()
    assert lines[0] == "events read: 20,000 lines, 19,980 malformed"
    assert lines[1 : 1 + len(expected)] == [f"  {key}: {count:,}" for key, count in sorted(expected.items())]
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 21
    assert errors[0] == (
        f"{path}:line 1: event: Invalid JSON: Expecting property name enclosed in double quotes at line 1 column 2"
    )
    assert errors[-1] == "… and 19,960 more malformed lines"
    assert peak < 64 * 2**20, peak  # the fest and the engine included


def test_replay_without_malformed_lines_exits_0_unless_strict_and_rejected(tmp_path: Path) -> None:
    """Rejected events are outcomes: exit 0, or 1 with --strict; malformed lines always make it 1."""
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(wire("check_in", occurred_at="2020-01-01T00:00:00Z")) + "\n", encoding="utf-8")
    assert main(["replay", str(PACK), str(path)], out=io.StringIO()) == 0
    assert main(["replay", str(PACK), str(path), "--strict"], out=io.StringIO()) == 1
    path.write_text("{}\n", encoding="utf-8")
    assert main(["replay", str(PACK), str(path)], out=io.StringIO()) == 1


def test_a_line_longer_than_the_limit_is_one_malformed_line_and_reading_goes_on(tmp_path: Path) -> None:
    """A line over MAX_LINE_BYTES is refused for its length, without being held whole; the next lines are read."""
    path = tmp_path / "events.jsonl"
    good = json.dumps(wire("like"))
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"text": "' + "x" * (3 * MAX_LINE_BYTES) + '"}\n' + good + "\n")
        handle.write(" " * (MAX_LINE_BYTES - len(good) - 1) + good + "\n")  # just within the limit, blanks and all
        handle.write(" " * (MAX_LINE_BYTES - len(good)) + good + "\n")  # one byte over
    reader = read_events(path)
    events: list[Any] = []
    peak = peak_bytes(lambda: events.extend(reader))
    assert [event.event_id for event in events] == ["e1", "e1"]
    assert reader.malformed == 2
    assert [str(error) for error in reader.errors] == [
        f"line 1: event: the line is longer than {MAX_LINE_BYTES:,} bytes",
        f"line 4: event: the line is longer than {MAX_LINE_BYTES:,} bytes",
    ]
    assert peak < 4 * MAX_LINE_BYTES, peak


def test_read_events_keeps_as_many_errors_as_asked(tmp_path: Path) -> None:
    """keep_errors bounds reader.errors; the count of malformed lines is always complete."""
    path = tmp_path / "events.jsonl"
    path.write_text("x\n" * 50, encoding="utf-8")
    for keep in (0, 5, 100):
        reader = read_events(path, keep_errors=keep)
        assert list(reader) == []
        assert (len(reader.errors), reader.malformed) == (min(keep, 50), 50)
        assert all(isinstance(error, EventParseError) for error in reader.errors)
