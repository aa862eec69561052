"""Resumable ingest of a JSON Lines file through a :class:`FestStore` (``festengine ingest``).

Each batch commits with the byte offset and line count it reaches in the file and the SHA-256 of
the bytes up to there. Run again after a crash, the ingest checks that the file still starts with
those bytes and goes on from that offset, so every line is judged exactly once, as in one
uninterrupted ``replay``. Skipping by offset, not only by duplicate ids, matters: a line the engine
refused (an unknown order, say) could be accepted if it were judged again in a later state.
A file whose start changed is read from its start again (its logged events are then duplicates).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import attrs

from festengine.engine.core import Step
from festengine.errors import EventParseError, StoreError
from festengine.events import KEEP_ERRORS, MAX_LINE_BYTES, Event, count_problems, line_too_long, parse_event
from festengine.store.store import FestStore, SourcePosition

__all__ = ["IngestSummary", "ingest_file"]


@attrs.define
class IngestSummary:
    """What one ingest run did (lines before ``resumed_after_line`` were committed by an earlier run)."""

    resumed_after_line: int = 0
    restarted: bool = False
    lines_read: int = 0
    #: the first KEEP_ERRORS malformed lines' errors; ``malformed`` counts them all, ``problem_counts`` by kind
    errors: list[EventParseError] = attrs.field(factory=list)
    malformed: int = 0
    problem_counts: Counter[str] = attrs.field(factory=Counter)
    applied: int = 0
    duplicates: int = 0
    rejected: Counter[str] = attrs.field(factory=Counter)
    kinds: Counter[str] = attrs.field(factory=Counter)

    def count_malformed(self, error: EventParseError) -> None:
        """Count a malformed line, keeping only the first few errors (memory stays bounded)."""
        self.malformed += 1
        count_problems(error, self.problem_counts)
        if len(self.errors) < KEEP_ERRORS:
            self.errors.append(error.with_traceback(None))

    def count(self, steps: list[Step]) -> None:
        for step in steps:
            if step.duplicate:
                self.duplicates += 1
            elif (rejection := step.rejected) is not None:
                self.rejected[rejection.code] += 1
            else:
                self.applied += 1
            for outcome in step.outcomes:
                self.kinds[outcome.kind] += 1


@attrs.define
class _Cursor:
    """Where reading is: bytes and lines consumed and the hash of those bytes."""

    name: str
    offset: int = 0
    lines: int = 0
    hasher: hashlib._Hash = attrs.field(factory=hashlib.sha256)

    def advance(self, raw: bytes) -> None:
        """Consume ``raw``: a whole line, or a piece of an overlong one (``lines`` counts whole lines only)."""
        self.offset += len(raw)
        self.hasher.update(raw)

    def position(self) -> SourcePosition:
        return SourcePosition(self.name, self.offset, self.lines, self.hasher.hexdigest())


def ingest_file(
    store: FestStore,
    path: str | Path,
    *,
    batch: int = 1_000,
    progress: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Apply the events of a JSON Lines file through ``store`` in batches, resuming where committed work ends."""
    if batch < 1:
        raise StoreError("the batch size must be at least 1")
    source = Path(path)
    summary = IngestSummary()
    with source.open("rb") as handle:
        cursor = _resume(store, source, handle, summary)
        pending: list[Event] = []
        texts: list[bytes] = []  # each pending event's line, which the log keeps as it is
        committed_lines = cursor.lines
        for raw in _lines(handle, cursor):
            event = _parse(raw, cursor.lines, summary)
            if event is not None and raw is not None:
                pending.append(event)
                texts.append(raw)
            if len(pending) >= batch:
                summary.count(store.apply_batch(pending, source=cursor.position(), texts=texts))
                pending, texts, committed_lines = [], [], cursor.lines
                if progress is not None:
                    progress(cursor.lines)
        if pending or cursor.lines != committed_lines:
            summary.count(store.apply_batch(pending, source=cursor.position(), texts=texts))
    summary.lines_read = cursor.lines
    return summary


def _lines(handle: BinaryIO, cursor: _Cursor) -> Iterator[bytes | None]:
    """The file's lines, each consumed by ``cursor``; ``None`` for a line longer than MAX_LINE_BYTES, which is
    read past in pieces, never held whole."""
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        cursor.advance(raw)
        whole = len(raw) <= MAX_LINE_BYTES
        piece = raw
        while not whole and not piece.endswith(b"\n") and (piece := handle.readline(MAX_LINE_BYTES)):
            cursor.advance(piece)
        cursor.lines += 1
        yield raw if whole else None


def _parse(raw: bytes | None, line: int, summary: IngestSummary) -> Event | None:
    if raw is None:
        summary.count_malformed(line_too_long(line))
        return None
    if not raw.strip():
        return None
    try:
        return parse_event(raw, line=line)
    except EventParseError as error:
        summary.count_malformed(error)
        return None


def _resume(store: FestStore, source: Path, handle: BinaryIO, summary: IngestSummary) -> _Cursor:
    """A cursor after the committed prefix of the file, if the file still starts with it; else at its start."""
    name = str(source.resolve())
    cursor = _Cursor(name)
    done = store.source(name)
    if done is None:
        return cursor
    prefix = handle.read(done.byte_offset)
    hasher = hashlib.sha256(prefix)
    if len(prefix) == done.byte_offset and hasher.hexdigest() == done.sha256:
        summary.resumed_after_line = done.lines
        return _Cursor(name, done.byte_offset, done.lines, hasher)
    handle.seek(0)
    summary.restarted = True
    return cursor
