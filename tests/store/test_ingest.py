"""``festengine ingest``: the replay summary through a durable store, resumable, and safe under SIGKILL."""

from __future__ import annotations

import contextlib
import io
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from store_fixtures import PACK, pack_fest, stream_lines

from festengine import load_fest
from festengine.cli import main
from festengine.events import KEEP_ERRORS, MAX_LINE_BYTES
from festengine.store import FestStore
from festengine.store.ingest import ingest_file


def _cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def _count(summary: str, label: str) -> int:
    match = re.search(rf"^\s*{label}: ([\d,]+)", summary, re.MULTILINE)
    assert match is not None, summary
    return int(match.group(1).replace(",", ""))


def _malformed(summary: str) -> int:
    match = re.search(r"^events read: [\d,]+ lines, ([\d,]+) malformed$", summary, re.MULTILINE)
    assert match is not None, summary
    return int(match.group(1).replace(",", ""))


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ingest_prints_the_replay_summary_and_the_same_final_snapshot(tmp_path: Path) -> None:
    """Ingest reports like replay (lines, malformed, applied, rejected…) and ``--snapshot`` writes the same bytes.
    Ids repeated after the lateness horizon count as duplicates in the store (replay calls them too late)."""
    events = _write(tmp_path / "events.jsonl", stream_lines(1500))
    code, replayed = _cli("replay", str(PACK), str(events), "--snapshot", str(tmp_path / "replay.snap"))
    assert code == 1  # the stream has one malformed line
    code, ingested = _cli("ingest", str(PACK), str(events), "--db", str(tmp_path / "s.db"),
                          "--snapshot", str(tmp_path / "ingest.snap"), "--batch", "100")  # fmt: skip
    assert code == 1  # like replay: a malformed line read makes the exit status 1
    assert (tmp_path / "ingest.snap").read_bytes() == (tmp_path / "replay.snap").read_bytes()
    for label in ("events read", "applied", "unknown_order", "missions completed", "badges awarded"):
        assert _count(ingested, label) == _count(replayed, label), label
    assert "1 malformed" in ingested
    too_late = _count(replayed, "too_late") if "too_late" in replayed else 0
    assert _count(ingested, "duplicates") == _count(replayed, "duplicates") + too_late


def test_a_second_run_resumes_after_the_committed_lines_and_changes_nothing(tmp_path: Path) -> None:
    """Run again on the same file, ingest skips every committed line: nothing applied, state unchanged."""
    events = _write(tmp_path / "events.jsonl", stream_lines(300))
    db = str(tmp_path / "s.db")
    _cli("ingest", str(PACK), str(events), "--db", db, "--snapshot", str(tmp_path / "first.snap"))
    code, again = _cli("ingest", str(PACK), str(events), "--db", db, "--snapshot", str(tmp_path / "second.snap"))
    assert code == 0
    assert f"resumed after line {len(stream_lines(300)):,}" in again
    assert _count(again, "applied") == 0
    assert (tmp_path / "first.snap").read_bytes() == (tmp_path / "second.snap").read_bytes()


def test_a_grown_file_continues_where_the_committed_work_ends(tmp_path: Path) -> None:
    """A file ingested in two parts (the second appended later) ends as one replay of the whole file; a
    refund refused before its purchase in the first part is not judged again (it would now be accepted)."""
    lines = stream_lines(1200)
    first_refund = next(i for i, line in enumerate(lines) if '"refund"' in line)
    cut = first_refund + 2  # the early refund is committed (refused); its purchase and resend come later
    events = _write(tmp_path / "events.jsonl", lines[:cut])
    db = str(tmp_path / "s.db")
    _cli("ingest", str(PACK), str(events), "--db", db, "--batch", "7")
    _write(events, lines)
    code, second = _cli("ingest", str(PACK), str(events), "--db", db, "--snapshot", str(tmp_path / "ingest.snap"))
    assert code == 1  # the stream's malformed line lies in the part this second run reads
    assert _malformed(second) == 1
    assert f"resumed after line {cut:,}" in second
    _cli("replay", str(PACK), str(events), "--snapshot", str(tmp_path / "replay.snap"))
    assert (tmp_path / "ingest.snap").read_bytes() == (tmp_path / "replay.snap").read_bytes()


def test_a_file_whose_start_changed_is_read_from_its_start(tmp_path: Path) -> None:
    """If the committed prefix no longer matches the file, ingest says so and reads it all (logged ids are
    duplicates)."""
    lines = stream_lines(200)
    events = _write(tmp_path / "events.jsonl", lines)
    db = str(tmp_path / "s.db")
    _cli("ingest", str(PACK), str(events), "--db", db)
    _write(events, [lines[1], lines[0], *lines[2:]])
    code, again = _cli("ingest", str(PACK), str(events), "--db", db)
    assert code == 1  # read from its start again, the stream's malformed line is read again
    assert "read from its start" in again
    assert _count(again, "applied") == 0


def test_bad_batch_sizes_and_foreign_stores_exit_1_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A batch size below 1, or a database that is not a store, exit 1 with the reason on stderr."""
    events = _write(tmp_path / "events.jsonl", stream_lines(10))
    assert _cli("ingest", str(PACK), str(events), "--db", str(tmp_path / "s.db"), "--batch", "0")[0] == 1
    assert "batch size must be at least 1" in capsys.readouterr().err
    (tmp_path / "junk.db").write_bytes(b"junk" * 2000)
    assert _cli("ingest", str(PACK), str(events), "--db", str(tmp_path / "junk.db"))[0] == 1
    assert "damaged or not a store" in capsys.readouterr().err


def test_backup_command_copies_a_store(tmp_path: Path) -> None:
    """``festengine backup --db FILE OUT`` writes a copy that opens with the same state."""
    events = _write(tmp_path / "events.jsonl", stream_lines(100))
    db = tmp_path / "s.db"
    _cli("ingest", str(PACK), str(events), "--db", str(db), "--snapshot", str(tmp_path / "s.snap"))
    code, said = _cli("backup", "--db", str(db), str(tmp_path / "copy.db"))
    assert code == 0
    assert "backed up" in said
    with FestStore.open(tmp_path / "copy.db", pack_fest()) as copy:
        assert copy.engine.snapshot() == (tmp_path / "s.snap").read_bytes()


_SMALL_MISSIONS = """
missions:
  - id: daily_likes
    title: Like 50 times a day
    counts: {event: like}
    target: 50
    window: {kind: daily}
    repeat: 3
  - id: daily_watch
    title: Watch 10 minutes a day
    counts: {event: view}
    measure: {kind: sum, field: seconds}
    target: 600
    window: {kind: daily}
"""


def _small_pack(folder: Path) -> Path:
    """The bundled fest, economy and commission with two missions: the same events, a cheaper engine."""
    folder.mkdir()
    for name in ("fest.yaml", "economy.yaml", "commission.yaml"):
        shutil.copy(PACK / name, folder / name)
    (folder / "missions.yaml").write_text(_SMALL_MISSIONS, encoding="utf-8")
    return folder


def _logged(db: Path) -> int:
    """The position of the newest committed event (0 while the store does not exist yet)."""
    if not db.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            return int(conn.execute("SELECT coalesce(max(position), 0) FROM events").fetchone()[0])
    except sqlite3.Error:
        return 0


def _kill_at(process: subprocess.Popen[bytes], db: Path, chooser: random.Random, target: int | None) -> None:
    """SIGKILL the process: with no ``target``, a random moment into its start or resume; else just after the
    store has committed past ``target`` (the next batch is then under way)."""
    if target is None:
        deadline = time.monotonic() + chooser.uniform(0.1, 1.5)
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
    else:
        deadline = time.monotonic() + 120
        while process.poll() is None and _logged(db) < target and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(chooser.uniform(0.0, 0.05))
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait()


def _crash_repeatedly(command: list[str], db: Path, started: float) -> int:
    """Start the ingest and SIGKILL it 12 times: twice while it starts, ten times after random positions
    (seeded, below 40,000 events, so the work never finishes first). Returns the number of kills."""
    chooser = random.Random(16)
    targets: list[int | None] = [None, *sorted(chooser.sample(range(500, 40_000), 10)), None]
    targets.insert(6, targets.pop())
    kills = 0
    for target in targets:
        goal = None if target is None else max(target, _logged(db) + 1)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        try:
            _kill_at(process, db, chooser, goal)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        kills += process.returncode == -signal.SIGKILL
        assert process.returncode in (0, -signal.SIGKILL)
        assert time.monotonic() - started < 400, "the crash test is taking too long"
    return kills


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_ingest_killed_at_random_moments_ends_equal_to_one_uninterrupted_replay(tmp_path: Path) -> None:
    """SIGKILL ``festengine ingest`` at least 10 times at seeded random moments on 50,000+ events, restart it
    each time: the final snapshot equals an uninterrupted replay's, every accepted event logged exactly once.
    (A small pack keeps the engine cheap, so the kills land in the store's work, not in the missions.)"""
    started = time.monotonic()
    pack = _small_pack(tmp_path / "pack")
    events = _write(tmp_path / "events.jsonl", stream_lines(50_000, viewers=300, creators=10, seed=5))
    cli = [sys.executable, "-m", "festengine.cli"]
    reference = subprocess.Popen(  # noqa: S603 - the uninterrupted replay runs alongside
        [*cli, "replay", str(pack), str(events), "--snapshot", str(tmp_path / "replay.snap")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    db = tmp_path / "s.db"
    command = [*cli, "ingest", str(pack), str(events), "--db", str(db), "--batch", "500", "--snapshot-every", "2000",
               "--snapshot", str(tmp_path / "ingest.snap")]  # fmt: skip
    try:
        assert _crash_repeatedly(command, db, started) >= 10
        completed = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603
        malformed_read = _malformed(completed.stdout)  # by this last run: 1 if the malformed line was left to it
        assert completed.returncode == (1 if malformed_read else 0), completed.stderr
        replayed, _ = reference.communicate(timeout=300)
        assert reference.returncode == 1  # the stream has one malformed line
    finally:
        if reference.poll() is None:
            reference.kill()
            reference.communicate()
    assert (tmp_path / "ingest.snap").read_bytes() == (tmp_path / "replay.snap").read_bytes()
    with FestStore.open(db, load_fest(pack), read_only=True) as store:
        assert store.position == _count(replayed, "applied")
        ids = [event.event_id for _, event in store.logged_events()]
    assert len(ids) == len(set(ids))


def test_malformed_lines_are_counted_in_bounded_memory_and_an_overlong_line_is_skipped(tmp_path: Path) -> None:
    """Ingest keeps only the first 20 malformed lines' errors (all are counted, by kind), reads past a line
    longer than the line limit without holding it, exits 1 like replay, and a second run resumes after them."""
    good = stream_lines(60)
    lines = [*good[:30], *(['{"event_id": 5}'] * 50), "x" * (MAX_LINE_BYTES + 10), *good[30:]]
    events = _write(tmp_path / "events.jsonl", lines)
    db = tmp_path / "s.db"
    with FestStore.open(db, pack_fest()) as store:
        summary = ingest_file(store, events, batch=7)
    assert summary.malformed == 51 + 1  # and the stream's own malformed line
    assert len(summary.errors) == KEEP_ERRORS
    assert summary.problem_counts["event: out_of_range"] == 1
    assert summary.lines_read == len(lines)
    code, said = _cli("ingest", str(PACK), str(events), "--db", str(db))
    assert code == 0  # every line was committed by the first run: nothing malformed is read again
    assert f"resumed after line {len(lines):,}" in said
    fresh = tmp_path / "fresh.db"
    code, said = _cli("ingest", str(PACK), str(events), "--db", str(fresh))
    assert code == 1
    assert f"events read: {len(lines):,} lines, 52 malformed" in said
    with FestStore.open(fresh, pack_fest(), read_only=True) as ingested, FestStore.open(db, pack_fest()) as first:
        assert ingested.engine.snapshot() == first.engine.snapshot()


def test_the_log_keeps_each_accepted_line_as_it_was_read(tmp_path: Path) -> None:
    """Ingest hands the store each line it parsed: the log holds exactly the file's lines of the accepted
    events (without their line ends), in order, and reads back as JSON Lines to the same state."""
    lines = [line.replace('"event_id":', '"event_id": ', 1) for line in stream_lines(300)]
    events = _write(tmp_path / "events.jsonl", lines)
    db = tmp_path / "s.db"
    with FestStore.open(db, pack_fest(), synchronous="NORMAL") as store:
        summary = ingest_file(store, events, batch=64)
        snapshot = store.engine.snapshot()
    with contextlib.closing(sqlite3.connect(db)) as conn:
        bodies = [str(row[0]) for row in conn.execute("SELECT body FROM events ORDER BY position")]
    assert len(bodies) == summary.applied
    remaining = iter(lines)
    assert all(body in remaining for body in bodies)  # each one a line of the file, in the file's order
    replayed = _write(tmp_path / "log.jsonl", bodies)
    code, _ = _cli("replay", str(PACK), str(replayed), "--snapshot", str(tmp_path / "log.snap"))
    assert code == 0
    assert (tmp_path / "log.snap").read_bytes() == snapshot
