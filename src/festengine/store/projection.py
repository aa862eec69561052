"""The store's analytics projection on disk: the rows of :class:`~festengine.analytics.live.LiveAnalytics`,
one per key (a creator's, stream's and hour's cell, a viewer, an order…), in the table
``projection_rows``, and in ``projection`` the position they describe, their format version and how
many rows there are.

They are written in the same transaction as each engine snapshot and at the same position, so the two
always describe the same committed events; only the rows changed since the last snapshot are written
(``executemany``; a key the projection dropped is deleted). Each row carries a CRC-32 of its part, key
and value.

On open, the store reads the rows stored at its snapshot's position and folds the events logged after
it, as it does for the engine. Rows that fail their CRC, a row count that does not match, rows that do
not decode, rows at another position or of another version, or no rows at all (a store made by an
older festengine): the projection is not used; the store replays its whole log once to rebuild it and
writes every row again with its next snapshot.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterator
from typing import Final

from festengine.analytics.live import STATE_VERSION, LiveAnalytics
from festengine.catalog.model import Fest
from festengine.store.schema import PROJECTION_TABLES

__all__ = ["load_projection", "row_crc", "save_projection"]

_NAME: Final = "analytics"
#: the CRC-32 of each part's name (and a separator), where each row's CRC starts
_PART_CRC: dict[str, int] = {}
_UPSERT: Final = (
    "INSERT INTO projection_rows (part, key, value, crc) VALUES (?,?,?,?) "
    "ON CONFLICT (part, key) DO UPDATE SET value = excluded.value, crc = excluded.crc"
)


def row_crc(part: str, key: bytes, value: bytes) -> int:
    """The CRC-32 a stored row carries: of its part, key and value, so a value under another key fails
    (a key is a JSON value, so where it ends is clear)."""
    start = _PART_CRC.get(part)
    if start is None:
        start = _PART_CRC[part] = zlib.crc32(part.encode() + b"\x00")
    return zlib.crc32(value, zlib.crc32(key, start))


def save_projection(conn: sqlite3.Connection, position: int, live: LiveAnalytics, *, whole: bool) -> None:
    """Store the projection as of ``position`` (inside the transaction that writes the snapshot): the rows
    changed since it was last stored, or (``whole``) every row, replacing what the table held."""
    if whole:
        for statement in PROJECTION_TABLES:
            conn.execute(statement)
        conn.execute("DELETE FROM projection_rows")
    written: list[tuple[str, bytes, bytes, int]] = []
    removed: list[tuple[str, bytes]] = []
    for part, key, value in live.rows(changed_only=not whole):
        if value is None:
            removed.append((part, key))
        else:
            written.append((part, key, value, row_crc(part, key, value)))
    if removed:
        conn.executemany("DELETE FROM projection_rows WHERE part = ? AND key = ?", removed)
    conn.executemany(_UPSERT, written)
    conn.execute(
        "INSERT INTO projection (name, position, version, rows) VALUES (?,?,?,?) ON CONFLICT (name) DO UPDATE "
        "SET position = excluded.position, version = excluded.version, rows = excluded.rows",
        (_NAME, position, STATE_VERSION, live.row_count()),
    )
    live.forget_changes()


def load_projection(conn: sqlite3.Connection, fest: Fest, position: int) -> LiveAnalytics | None:
    """The projection stored as of ``position``; ``None`` if there is none at that position, or it is damaged."""
    try:
        header = conn.execute("SELECT position, version, rows FROM projection WHERE name = ?", (_NAME,)).fetchone()
        if header is None or int(header[0]) != position or int(header[1]) != STATE_VERSION:
            return None
        rows = conn.execute("SELECT part, key, value, crc FROM projection_rows").fetchall()
    except sqlite3.OperationalError:  # no such table: a store made before the projection was kept as rows
        return None
    if len(rows) != int(header[2]):
        return None
    live = LiveAnalytics.from_rows(fest, _checked(rows))
    if live is None or live.row_count() != len(rows):
        return None
    live.forget_changes()
    return live


def _checked(rows: list[tuple[str, bytes, bytes, int]]) -> Iterator[tuple[str, bytes, bytes]]:
    """The rows without their CRC; a row failing it ends the projection (``ValueError``, caught by the reader)."""
    for part, key, value, crc in rows:
        if not isinstance(key, bytes) or not isinstance(value, bytes) or row_crc(part, key, value) != crc:
            raise ValueError(f"projection row {part}/{key!r} fails its checksum")
        yield part, key, value
