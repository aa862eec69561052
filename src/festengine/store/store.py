"""A durable fest: an :class:`~festengine.Engine` whose accepted events and snapshots live in SQLite.

``FestStore.apply_batch`` runs the events through the engine and, in one transaction, appends the
accepted ones to the log (with the ingest position of their source, if given) and, now and then, a
new snapshot. Opening a store restores its newest snapshot and re-applies the events logged after
it, which rebuilds exactly the committed state (the engine is deterministic).

What is logged: only accepted events. A duplicate or a rejected event changes nothing in the engine,
so replaying the accepted events in their order rebuilds the state byte for byte; every accepted
``event_id`` stays in a UNIQUE index forever, so an id seen at any time answers ``Duplicate`` (the
engine alone forgets ids beyond its lateness horizon). A rejected event is not remembered, as in the
engine: sent again later, it is judged again.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Final

import attrs

from festengine.analytics.live import LiveAnalytics
from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.catalog.stored import StoredPack
from festengine.engine.core import SNAPSHOT_VERSION, Step
from festengine.engine.outcomes import Duplicate
from festengine.errors import StoreError
from festengine.events import Event
from festengine.store.codec import encode_event
from festengine.store.files import copy_to, decode_event, open_file, restore_snapshot
from festengine.store.lock import WriterLock
from festengine.store.packs import PackVersions
from festengine.store.projection import load_projection, save_projection
from festengine.store.schema import Synchronous

__all__ = ["FestStore", "SourcePosition", "WireText"]

#: The wire JSON an event was parsed from, as received (one line of JSON Lines, or one JSON object);
#: ``None`` where it is not at hand (the store then writes the event's JSON itself).
WireText = str | bytes | None

#: Largest number of ids in one ``IN (…)`` lookup (SQLite allows 32,766 host parameters).
_LOOKUP_CHUNK: Final = 500
#: The whitespace JSON allows around a value.
_JSON_BLANKS: Final = " \t\r\n"


@attrs.frozen(slots=True)
class SourcePosition:
    """How far into an input file the committed work reaches: bytes and lines read, and the
    SHA-256 of those bytes (so a resumed ingest can tell the same file from another one)."""

    name: str
    byte_offset: int
    lines: int
    sha256: str


@attrs.define(slots=True)
class _Snapshots:
    """When the next snapshot is due: after ``every`` events, and (with ``overhead``) only once the
    CPU time spent applying since the last one is large enough that snapshots take at most that share."""

    every: int
    overhead: float | None
    position: int = 0
    last_cost: float = 0.0
    spent_since: float = 0.0

    def due(self, position: int) -> bool:
        if position - self.position < self.every:
            return False
        if self.overhead is None:
            return True
        return self.spent_since * self.overhead / (1.0 - self.overhead) >= self.last_cost


class FestStore:
    """One fest's durable state in one SQLite file. Open it with :meth:`open`; not thread-safe."""

    def __init__(
        self,
        path: Path,
        fest: Fest,
        conn: sqlite3.Connection,
        lock: WriterLock | None,
        snapshots: _Snapshots,
    ) -> None:
        self.path = path
        #: the pack in force now (the store's first pack, or the last it was upgraded to)
        self.fest = fest
        self._versions = PackVersions(path, fest, [])
        self._conn: sqlite3.Connection | None = conn
        self._lock = lock
        self._snapshots = snapshots
        self._engine = Engine(fest)
        self._analytics = LiveAnalytics(fest)
        #: whether the stored projection rows are not those of ``_analytics`` (rebuilt from the log):
        #: the next snapshot then writes every row instead of the changed ones
        self._projection_whole = True
        self._position = 0

    # ------------------------------------------------------------------ opening and closing

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        fest: Fest,
        *,
        snapshot_every: int = 10_000,
        snapshot_overhead: float | None = 0.1,
        synchronous: Synchronous = "FULL",
        read_only: bool = False,
        rebuild: bool = False,
        full_check: bool = False,
    ) -> FestStore:
        """Create the store at ``path`` for ``fest``, or open it and restore its committed state.

        ``snapshot_every``: events between snapshots, at least; ``snapshot_overhead``: the largest share
        of write CPU time snapshots may take (``None``: a snapshot exactly every ``snapshot_every``
        events). ``synchronous``: ``FULL`` (a commit survives power loss) or ``NORMAL`` (survives a
        crash of the process; a power loss may undo the last commits, never corrupts). ``read_only``:
        no writer lock, no writes. ``rebuild``: ignore the snapshot and replay the whole log (after an
        upgrade that changed the snapshot format). ``full_check``: SQLite's ``integrity_check``
        instead of ``quick_check``.
        """
        if snapshot_every < 1 or (snapshot_overhead is not None and not 0.0 < snapshot_overhead < 1.0):
            raise StoreError("snapshot_every must be at least 1 and snapshot_overhead between 0 and 1 (or None)")
        target = Path(path)
        lock = None if read_only else WriterLock(target)
        if lock is not None:
            lock.acquire()
        try:
            conn = open_file(target, fest, synchronous=synchronous, read_only=read_only, full_check=full_check)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        store = cls(target, fest, conn, lock, _Snapshots(snapshot_every, snapshot_overhead))
        try:
            store._load(rebuild=rebuild)
            # a projection rebuilt from the log (asked for, missing, damaged or of an older format) is written
            # at once with a snapshot, so that the next open does not replay the whole log again
            rebuilt = rebuild or (store._projection_whole and store._position > 0)
            if rebuilt and not read_only:
                store._transaction(store._write_snapshot)
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Close the database and release the writer lock (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> FestStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ reading

    @property
    def engine(self) -> Engine:
        """The engine holding the committed state, for queries. Do not apply events to it directly."""
        return self._engine

    @property
    def analytics(self) -> LiveAnalytics:
        """The dashboard and audience projection of the committed events (store.projection). Read only."""
        return self._analytics

    @property
    def position(self) -> int:
        """The number of events logged so far (the position of the newest one)."""
        return self._position

    @property
    def snapshot_position(self) -> int:
        """The position of the last event the newest stored snapshot includes (0: no snapshot yet)."""
        return self._snapshots.position

    @property
    def read_only(self) -> bool:
        return self._lock is None

    def logged_events(self, after: int = 0) -> Iterator[tuple[int, Event]]:
        """The logged events after a position, in the order they were applied, each checked."""
        conn = self._open_conn()
        rows = conn.execute(
            "SELECT position, event_id, body, crc FROM events WHERE position > ? ORDER BY position", (after,)
        )
        for position, _event_id, body, crc in rows:
            yield position, decode_event(self.path, position, body, crc)

    def has_user(self, user_id: str) -> bool:
        """Whether any accepted event names this user (the analytics projection numbers every viewer an
        accepted event names, so this needs no index on the log)."""
        self._open_conn()
        return self._analytics.knows_viewer(user_id)

    def source(self, name: str) -> SourcePosition | None:
        """How far the committed work reaches into the input named ``name`` (see ``apply_batch``)."""
        row = (
            self._open_conn()
            .execute("SELECT byte_offset, lines, sha256 FROM sources WHERE name = ?", (name,))
            .fetchone()
        )
        return None if row is None else SourcePosition(name, int(row[0]), int(row[1]), str(row[2]))

    def backup(self, target: str | os.PathLike[str]) -> None:
        """Copy the committed store to ``target`` with SQLite's online backup (safe while open)."""
        copy_to(self._open_conn(), Path(target))

    # ------------------------------------------------------------------ writing

    def apply(self, event: Event) -> Step:
        """Apply one event; it is committed (or refused) before this returns."""
        return self.apply_batch((event,))[0]

    def apply_batch(
        self,
        events: Iterable[Event],
        *,
        source: SourcePosition | None = None,
        texts: Sequence[WireText] | None = None,
    ) -> list[Step]:
        """Apply events in order, in one transaction; with ``source``, record that position in it too.

        ``texts``, if given, holds for each event the wire JSON it was parsed from (``parse_event``
        of that text gives the event; ``None`` where it is not at hand): the log keeps that text
        instead of writing the event's JSON again, which saves the encoding. Replay parses it back
        to the same event, so the state rebuilt on open is the same either way.

        If the engine or the database fails, the transaction is rolled back, the engine is rebuilt
        from the store (so it holds the committed state again) and :class:`StoreError` is raised with
        the failure as its cause.
        """
        batch = list(events)
        if texts is not None and len(texts) != len(batch):
            raise StoreError(f"apply_batch got {len(batch)} events but {len(texts)} texts; give one text per event")
        steps: list[Step] = []

        def work() -> None:
            started = time.process_time()
            steps.extend(self._apply_and_log(batch, texts))
            if source is not None:
                self._record_source(source)
            self._snapshots.spent_since += time.process_time() - started
            if self._snapshots.due(self._position):
                self._write_snapshot()

        self._transaction(work)
        return steps

    def upgrade(self, pack: StoredPack) -> Step:
        """Move the running fest to a changed pack (see ``Engine.upgrade``) after the events logged so far.

        The pack is recorded with the position it applies after, and a snapshot is stored, in one
        transaction, so reopening or replaying the store takes the same upgrade at the same point.
        A refused change raises :class:`~festengine.errors.UpgradeRefusedError` and changes nothing.
        """
        if self.read_only:
            raise StoreError(f"{self.path}: the store was opened read-only")
        self._open_conn()
        step = self._engine.upgrade(pack.fest)  # refused: raises, the engine is as it was
        self._analytics.upgrade(pack.fest)

        def work() -> None:
            self._versions.record(self._open_conn(), self._position, pack)
            self._write_snapshot()

        self._transaction(work)  # a failed write reloads the committed state (the old pack)
        self.fest = pack.fest
        return step

    @property
    def pack_versions(self) -> PackVersions:
        """The store's first pack and the upgrades since, with the positions they apply after."""
        return self._versions

    def snapshot_now(self) -> None:
        """Store a snapshot of the committed state now (e.g. before a planned shutdown or a backup)."""
        if self._position != self._snapshots.position:
            self._transaction(self._write_snapshot)

    # ------------------------------------------------------------------ internals: writes

    def _open_conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"{self.path}: the store is closed")
        return self._conn

    def _transaction(self, work: Callable[[], None]) -> None:
        conn = self._open_conn()
        if self._lock is None:
            raise StoreError(f"{self.path}: the store was opened read-only")
        conn.execute("BEGIN IMMEDIATE")
        try:
            work()
            conn.execute("COMMIT")
        except BaseException as error:
            self._recover(conn)
            if isinstance(error, Exception):
                raise StoreError(f"{self.path}: the write failed and was rolled back ({error!r})") from error
            raise

    def _recover(self, conn: sqlite3.Connection) -> None:
        """Roll back and make the engine equal the committed state again; close the store if that fails."""
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._load(rebuild=False)
        except BaseException as error:
            self.close()
            raise StoreError(f"{self.path}: a write failed and the store could not be reloaded; reopen it") from error

    def _apply_and_log(self, batch: list[Event], texts: Sequence[WireText] | None) -> list[Step]:
        conn = self._open_conn()
        logged = self._logged_ids([event.event_id for event in batch])
        apply, fold = self._engine.apply, self._analytics.fold
        steps: list[Step] = []
        rows: list[tuple[int, str, str, str, int]] = []
        position = self._position
        for index, event in enumerate(batch):
            event_id = event.event_id
            if event_id in logged:
                steps.append(Step(event_id, (Duplicate(event_id),)))
                continue
            step = apply(event)
            steps.append(step)
            if step.accepted:
                fold(event, step)
                logged.add(event_id)
                body = _log_body(event, None if texts is None else texts[index])
                position += 1
                rows.append((position, event_id, event.user_id, body, zlib.crc32(body.encode())))
        if rows:
            conn.executemany("INSERT INTO events (position, event_id, user_id, body, crc) VALUES (?,?,?,?,?)", rows)
        self._position = position
        return steps

    def _logged_ids(self, ids: list[str]) -> set[str]:
        conn = self._open_conn()
        found: set[str] = set()
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), _LOOKUP_CHUNK):
            chunk = unique[start : start + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT event_id FROM events WHERE event_id IN ({marks})"  # noqa: S608 - only placeholders
            found.update(row[0] for row in conn.execute(query, chunk))
        return found

    def _record_source(self, source: SourcePosition) -> None:
        self._open_conn().execute(
            "INSERT INTO sources (name, byte_offset, lines, sha256) VALUES (?,?,?,?) ON CONFLICT (name) DO UPDATE "
            "SET byte_offset = excluded.byte_offset, lines = excluded.lines, sha256 = excluded.sha256",
            (source.name, source.byte_offset, source.lines, source.sha256),
        )

    def _write_snapshot(self) -> None:
        started = time.process_time()
        data = self._engine.snapshot()
        conn = self._open_conn()
        conn.execute("DELETE FROM snapshots")
        conn.execute(
            "INSERT INTO snapshots (position, version, sha256, data) VALUES (?,?,?,?)",
            (self._position, SNAPSHOT_VERSION, hashlib.sha256(data).hexdigest(), data),
        )
        save_projection(conn, self._position, self._analytics, whole=self._projection_whole)
        self._projection_whole = False
        snapshots = self._snapshots
        snapshots.position = self._position
        snapshots.last_cost = time.process_time() - started
        snapshots.spent_since = 0.0

    # ------------------------------------------------------------------ internals: loading

    def _load(self, *, rebuild: bool) -> None:
        """Restore the newest snapshot (unless ``rebuild``) and re-apply the events logged after it."""
        conn = self._open_conn()
        versions = self._versions = PackVersions.read(conn, self.path, self._versions.first)
        engine, start = Engine(versions.first), 0
        row = conn.execute("SELECT position, version, sha256, data FROM snapshots ORDER BY position DESC LIMIT 1")
        snapshot = row.fetchone()
        at = None if snapshot is None or rebuild else int(snapshot[0])
        analytics = None if at is None else load_projection(conn, versions.fest_at(at), at)
        stored_rows = at is not None and analytics is not None
        if at is not None and analytics is not None:  # else the whole log rebuilds both
            engine, start = restore_snapshot(self.path, versions.fest_at(at), snapshot), at
        else:
            analytics = LiveAnalytics(versions.first)
            versions.catch_up(engine, 0, analytics.upgrade)
        restored_at = position = start
        for position, event in self.logged_events(after=start):
            if position != start + 1:
                raise StoreError(f"{self.path}: the event log has a gap after position {start}; the file is damaged")
            start = position
            step = engine.apply(event)
            analytics.observe(event, step)
            if not step.accepted:
                raise StoreError(
                    f"{self.path}: logged event {event.event_id!r} (position {position}) was not accepted on "
                    "replay; the log does not match this fest and festengine version (open with rebuild=True "
                    "to replay the whole log)"
                )
            versions.catch_up(engine, position, analytics.upgrade)
        self._engine = engine
        self.fest = engine.fest
        self._analytics = analytics
        self._projection_whole = not stored_rows
        self._position = position
        self._snapshots.position = restored_at
        self._snapshots.spent_since = 0.0


def _log_body(event: Event, text: WireText) -> str:
    """What the log keeps of an accepted event: the text it was parsed from if that is one line of
    JSON (so the log stays JSON Lines), else the event's JSON written by :func:`encode_event`."""
    if text is None:
        return encode_event(event)
    try:
        body = (text.decode() if isinstance(text, bytes) else text).strip(_JSON_BLANKS)
    except UnicodeDecodeError:
        return encode_event(event)
    return encode_event(event) if "\n" in body or "\r" in body else body
