"""The durable store: commits, whole-fest idempotency, resume, one writer, damage detection, failures."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_fixtures import PACK, pack_fest, workload

from festengine import Engine, Event, load_fest
from festengine.engine.outcomes import Duplicate
from festengine.errors import FestEngineError, StoreError
from festengine.events import dumps_event
from festengine.store import FestStore, backup_store
from festengine.store.store import _Snapshots
from festengine.testing.strategies import events as pack_events

FAST = {"synchronous": "NORMAL"}


def _replayed(events: list[Event]) -> bytes:
    engine = Engine(pack_fest())
    for event in events:
        engine.apply(event)
    return engine.snapshot()


def _store_with(path: Path, events: list[Event], **options: object) -> bytes:
    with FestStore.open(path, pack_fest(), **FAST, **options) as store:  # type: ignore[arg-type]
        store.apply_batch(events)
        return store.engine.snapshot()


def test_the_api_contract_names_exist() -> None:
    """``FestStore`` and ``StoreError`` come from ``festengine.store``; StoreError is a FestEngineError."""
    assert issubclass(StoreError, FestEngineError)
    assert callable(FestStore.open)


def test_snapshots_are_due_after_the_interval_and_within_their_share_of_cpu_time() -> None:
    """A snapshot is due after ``every`` events, and with an overhead bound only once the time spent applying
    since the last one is at least (1 - share) / share times what the last snapshot cost."""
    fixed = _Snapshots(every=100, overhead=None, position=50)
    assert not fixed.due(149)
    assert fixed.due(150)
    bounded = _Snapshots(every=100, overhead=0.2, position=0, last_cost=1.0, spent_since=3.9)
    assert not bounded.due(1_000)
    bounded.spent_since = 4.0
    assert bounded.due(1_000)
    assert not bounded.due(99)


def test_apply_returns_the_engines_steps_and_logs_only_accepted_events(tmp_path: Path) -> None:
    """Steps are what the engine answers; the log holds the accepted events in order, nothing else."""
    events = workload(300)
    rejected = attrs.evolve(events[0], event_id="late", occurred_at=events[0].occurred_at - timedelta(days=400))
    with FestStore.open(tmp_path / "s.db", pack_fest(), **FAST) as store:
        steps = [store.apply(e) for e in events[:100]] + store.apply_batch([*events[100:], rejected, events[5]])
        engine = Engine(pack_fest())
        expected = [engine.apply(e) for e in [*events, rejected]]
        assert steps[: len(expected)] == expected
        assert steps[-2].rejected is not None
        assert steps[-1].duplicate
        logged = [event for _, event in store.logged_events()]
        assert logged == events
        assert store.position == len(events)
        assert store.engine.snapshot() == engine.snapshot()


def test_an_event_id_is_a_duplicate_forever_not_only_within_the_lateness_horizon(tmp_path: Path) -> None:
    """Sent again days later (beyond the lateness the engine remembers ids for), an id answers Duplicate."""
    events = workload(2000)
    first = events[0]
    assert events[-1].occurred_at - first.occurred_at > timedelta(days=2)
    with FestStore.open(tmp_path / "s.db", pack_fest(), **FAST) as store:
        store.apply_batch(events)
        plain_engine_says = Engine.restore(pack_fest(), store.engine.snapshot()).apply(first)
        assert plain_engine_says.rejected is not None  # the engine alone forgot the id: too late
        before = store.engine.snapshot()
        step = store.apply(first)
        assert step.outcomes == (Duplicate(first.event_id),)
        assert store.engine.snapshot() == before
        assert store.position == len(events)


def test_a_duplicate_inside_one_batch_is_a_duplicate(tmp_path: Path) -> None:
    """The same id twice in one batch is applied once; the second answers Duplicate."""
    events = workload(50)
    with FestStore.open(tmp_path / "s.db", pack_fest(), **FAST) as store:
        steps = store.apply_batch([*events, events[3]])
        assert steps[-1].outcomes == (Duplicate(events[3].event_id),)
        assert store.position == len(events)


def test_reopening_restores_snapshot_plus_log_byte_for_byte(tmp_path: Path) -> None:
    """Resume = newest snapshot + events after it; the state equals an uninterrupted run."""
    events = workload(1500)
    path = tmp_path / "s.db"
    with FestStore.open(path, pack_fest(), snapshot_every=400, snapshot_overhead=None, **FAST) as store:
        for start in range(0, len(events), 250):
            store.apply_batch(events[start : start + 250])
        assert 0 < store.snapshot_position < store.position
    with FestStore.open(path, pack_fest()) as reopened:
        assert reopened.position == len(events)
        assert reopened.engine.snapshot() == _replayed(events)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stream=pack_events(pack_fest(), max_size=40, users=4, duplicates=True, out_of_order=True),
    cut=st.integers(min_value=0, max_value=40),
    batch=st.integers(min_value=1, max_value=7),
    every=st.integers(min_value=1, max_value=10),
)
def test_property_store_and_resume_equal_an_uninterrupted_engine(
    stream: list[Event], cut: int, batch: int, every: int
) -> None:
    """Any stream, cut anywhere, in any batch size and snapshot interval: close, reopen, go on; same bytes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.db"
        options = {"snapshot_every": every, "snapshot_overhead": None, "synchronous": "NORMAL"}
        for part in (stream[:cut], stream[cut:]):
            with FestStore.open(path, pack_fest(), **options) as store:  # type: ignore[arg-type]
                for start in range(0, len(part), batch):
                    store.apply_batch(part[start : start + batch])
        with FestStore.open(path, pack_fest()) as store:
            assert store.engine.snapshot() == _replayed(stream)


def test_another_fest_is_refused_with_both_fingerprints(tmp_path: Path) -> None:
    """A store belongs to one fest: opening it with another pack is a clear error and changes nothing."""
    path = tmp_path / "s.db"
    events = workload(20)
    _store_with(path, events)
    copy = shutil.copytree(PACK, tmp_path / "pack")
    fest_yaml = copy / "fest.yaml"
    text = fest_yaml.read_text(encoding="utf-8")
    fest_yaml.write_text(
        text.replace("name: Community Fest 2026", "name: Community Fest 2026 (changed)"), encoding="utf-8"
    )
    other = load_fest(copy)
    assert other.fingerprint != pack_fest().fingerprint
    with pytest.raises(StoreError, match="belongs to fest 'community_fest_2026' with fingerprint"):
        FestStore.open(path, other)
    with FestStore.open(path, pack_fest()) as store:
        assert store.position == len(events)


def test_a_second_writer_is_refused_while_readers_may_read(tmp_path: Path) -> None:
    """One writer at a time: a second writer gets StoreError; a read-only store and plain SQLite still read."""
    path = tmp_path / "s.db"
    events = workload(200)
    with FestStore.open(path, pack_fest(), **FAST) as writer:
        writer.apply_batch(events[:100])
        with pytest.raises(StoreError, match="another writer has this store open"):
            FestStore.open(path, pack_fest())
        with FestStore.open(path, pack_fest(), read_only=True) as reader:
            assert reader.position == 100
            assert reader.engine.snapshot() == writer.engine.snapshot()
            with pytest.raises(StoreError, match="read-only"):
                reader.apply(events[100])
        writer._open_conn().execute("BEGIN IMMEDIATE")  # a write in progress
        with sqlite3.connect(path) as plain:
            assert plain.execute("SELECT count(*) FROM events").fetchone() == (100,)
        writer._open_conn().execute("ROLLBACK")
        writer.apply_batch(events[100:])
    with FestStore.open(path, pack_fest()) as next_writer:  # the lock went with the first writer
        assert next_writer.position == len(events)


def test_a_truncated_file_is_refused(tmp_path: Path) -> None:
    """A store file cut short on disk is detected on open, never used."""
    path = tmp_path / "s.db"
    _store_with(path, workload(1500), snapshot_every=500, snapshot_overhead=None)
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.truncate(size // 2 // 4096 * 4096)
    with pytest.raises(StoreError, match="damaged"):
        FestStore.open(path, pack_fest())


def test_an_empty_or_foreign_file_is_refused(tmp_path: Path) -> None:
    """An empty file (a store is created whole, under another name first) and a non-store are refused."""
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(StoreError, match="empty"):
        FestStore.open(empty, pack_fest())
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not sqlite at all" * 400)
    with pytest.raises(StoreError, match="damaged or not a store"):
        FestStore.open(garbage, pack_fest())
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="not a festengine store"):
        FestStore.open(other, pack_fest())


def _flip_after(path: Path, marker: bytes, skip: int) -> None:
    data = bytearray(path.read_bytes())
    at = data.index(marker) + skip
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_damaged_snapshot_fails_its_checksum(tmp_path: Path) -> None:
    """A snapshot blob whose bytes changed on disk is refused on open (SHA-256), never restored."""
    path = tmp_path / "s.db"
    _store_with(path, workload(1000), snapshot_every=500, snapshot_overhead=None)
    _flip_after(path, b"FESTENGINE-SNAPSHOT\n", 200)
    with pytest.raises(StoreError, match="fails its checksum"):
        FestStore.open(path, pack_fest())


def test_a_damaged_logged_event_fails_its_checksum(tmp_path: Path) -> None:
    """A logged event whose text changed on disk (still valid JSON) is refused when it is replayed."""
    path = tmp_path / "s.db"
    events = workload(200)
    _store_with(path, events)
    target = next(e for e in events if e.type == "view")
    _flip_after(path, f'"event_id":"{target.event_id}"'.encode(), len('"event_id":"'))
    with pytest.raises(StoreError, match="fails its checksum"):
        FestStore.open(path, pack_fest())


def test_a_newer_schema_version_is_refused(tmp_path: Path) -> None:
    """A file written by a newer festengine (higher schema version) is refused with a hint to upgrade."""
    path = tmp_path / "s.db"
    _store_with(path, workload(10))
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99 is newer"):
        FestStore.open(path, pack_fest())


def test_an_old_snapshot_version_is_refused_unless_rebuilt_from_the_log(tmp_path: Path) -> None:
    """A snapshot of another format version is an error; ``rebuild=True`` replays the whole log instead."""
    path = tmp_path / "s.db"
    events = workload(600)
    expected = _store_with(path, events, snapshot_every=200, snapshot_overhead=None)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE snapshots SET version = 1")
    with pytest.raises(StoreError, match="rebuild=True"):
        FestStore.open(path, pack_fest())
    with FestStore.open(path, pack_fest(), rebuild=True) as store:
        assert store.engine.snapshot() == expected
        assert store.snapshot_position == len(events)
    with FestStore.open(path, pack_fest()) as store:
        assert store.engine.snapshot() == expected


def test_an_engine_failure_rolls_back_the_batch_and_rebuilds_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If engine.apply raises mid-batch, nothing of the batch is committed, the engine equals the committed
    state again, StoreError chains the cause, and the store goes on working."""
    events = workload(300)
    with FestStore.open(tmp_path / "s.db", pack_fest(), **FAST) as store:
        store.apply_batch(events[:100])
        committed = store.engine.snapshot()
        real_apply = store.engine.apply
        bad = events[150].event_id

        def failing(event: Event) -> object:
            step = real_apply(event)  # the state changes, then the "bug" strikes
            if event.event_id == bad:
                raise RuntimeError("a bug in a handler")
            return step

        monkeypatch.setattr(store.engine, "apply", failing)
        with pytest.raises(StoreError, match="rolled back") as caught:
            store.apply_batch(events[100:200])
        assert isinstance(caught.value.__cause__, RuntimeError)
        assert store.position == 100
        assert store.engine.snapshot() == committed
        store.apply_batch(events[100:])
        assert store.engine.snapshot() == _replayed(events)


def test_backup_copies_the_committed_store_while_it_is_open(tmp_path: Path) -> None:
    """``backup`` (and ``backup_store`` from another connection) copy a consistent store that opens."""
    events = workload(400)
    path = tmp_path / "s.db"
    with FestStore.open(path, pack_fest(), **FAST) as store:
        store.apply_batch(events)
        store.backup(tmp_path / "copy1.db")
        backup_store(path, tmp_path / "copy2.db")
        with pytest.raises(StoreError, match="exists already"):
            store.backup(tmp_path / "copy1.db")
        expected = store.engine.snapshot()
    for name in ("copy1.db", "copy2.db"):
        with FestStore.open(tmp_path / name, pack_fest()) as copy:
            assert copy.engine.snapshot() == expected


def test_bad_options_and_closed_stores_are_refused(tmp_path: Path) -> None:
    """Nonsense snapshot options and use after close are StoreErrors; a missing read-only store too."""
    with pytest.raises(StoreError, match="snapshot_every"):
        FestStore.open(tmp_path / "s.db", pack_fest(), snapshot_every=0)
    with pytest.raises(StoreError, match="no such store"):
        FestStore.open(tmp_path / "missing.db", pack_fest(), read_only=True)
    store = FestStore.open(tmp_path / "s.db", pack_fest(), **FAST)
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.apply(workload(1)[0])


def _bodies(path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return [str(row[0]) for row in conn.execute("SELECT body FROM events ORDER BY position")]


def _as_sent(event: Event) -> str:
    """The event's JSON as a producer might send it: a blank after the first colon (so it differs from
    the store's own writing of the event)."""
    return dumps_event(event).replace('"event_id":', '"event_id": ', 1)


def test_the_log_keeps_the_text_an_event_was_parsed_from_and_resumes_to_the_same_state(tmp_path: Path) -> None:
    """Given each event's wire text (bytes or str), the log keeps that text as received, without the blanks
    around it; where the text is None or spans lines, the store writes the event's JSON. Either way,
    reopening rebuilds the state of a run given the events alone, byte for byte."""
    events = workload(400)
    texts: list[str | bytes | None] = [_as_sent(event).encode() + b" \r\n" for event in events]
    texts[0] = None
    texts[1] = _as_sent(events[1]).replace(": ", ":\n", 1)
    texts[2] = " \t" + _as_sent(events[2])
    engine = Engine(pack_fest())
    steps = [engine.apply(event) for event in events]
    accepted = [event for event, step in zip(events, steps, strict=True) if step.accepted]
    assert events[:3] == accepted[:3]
    expected = _store_with(tmp_path / "plain.db", events)
    with FestStore.open(tmp_path / "texts.db", pack_fest(), **FAST) as store:  # type: ignore[arg-type]
        assert store.apply_batch(events, texts=texts) == steps
    with FestStore.open(tmp_path / "texts.db", pack_fest(), snapshot_every=10**9, **FAST) as store:  # type: ignore[arg-type]
        assert store.engine.snapshot() == expected
        assert [event for _, event in store.logged_events()] == accepted
    logged, plain = _bodies(tmp_path / "texts.db"), _bodies(tmp_path / "plain.db")
    assert logged[:2] == plain[:2]  # no text, or a text over two lines: the event's JSON (the log stays lines)
    assert logged[2:] == [_as_sent(event) for event in accepted[2:]]
    assert plain[2] != logged[2]


def test_texts_that_do_not_match_the_events_are_refused_and_change_nothing(tmp_path: Path) -> None:
    """One text per event: another count is a StoreError before anything is applied."""
    events = workload(50)
    with FestStore.open(tmp_path / "s.db", pack_fest(), **FAST) as store:  # type: ignore[arg-type]
        store.apply_batch(events[:10])
        before = store.engine.snapshot()
        with pytest.raises(StoreError, match="10 events but 9 texts"):
            store.apply_batch(events[10:20], texts=[None] * 9)
        assert store.position == 10
        assert store.engine.snapshot() == before
