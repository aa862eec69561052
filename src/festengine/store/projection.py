"""The store's analytics projection on disk: the bytes of :class:`~festengine.analytics.live.LiveAnalytics`
kept in the table ``projections``, written in the same transaction as each engine snapshot and at the
same position, so the two always describe the same committed events.

On open, the store restores the projection stored at its snapshot's position and folds the events
logged after it, as it does for the engine. A store without a stored projection at that position (made
by an older festengine, or its projection damaged or of another version) replays its whole log once
to rebuild it. The table is created on the first write that needs it; a read-only store without it
rebuilds the projection in memory.
"""

from __future__ import annotations

import hashlib
import sqlite3
from typing import Final

from festengine.analytics.live import LiveAnalytics
from festengine.catalog.model import Fest

__all__ = ["load_projection", "save_projection"]

_NAME: Final = "analytics"
_CREATE: Final = (
    "CREATE TABLE IF NOT EXISTS projections (name TEXT PRIMARY KEY, position INTEGER NOT NULL,"
    " sha256 TEXT NOT NULL, data BLOB NOT NULL) WITHOUT ROWID"
)


def save_projection(conn: sqlite3.Connection, position: int, live: LiveAnalytics) -> None:
    """Store the projection as of ``position`` (call inside the transaction that writes the snapshot)."""
    data = live.to_bytes()
    conn.execute(_CREATE)
    conn.execute(
        "INSERT INTO projections (name, position, sha256, data) VALUES (?,?,?,?) ON CONFLICT (name) DO UPDATE "
        "SET position = excluded.position, sha256 = excluded.sha256, data = excluded.data",
        (_NAME, position, hashlib.sha256(data).hexdigest(), data),
    )


def load_projection(conn: sqlite3.Connection, fest: Fest, position: int) -> LiveAnalytics | None:
    """The projection stored as of ``position``; ``None`` if there is none at that position, or it is damaged."""
    try:
        row = conn.execute("SELECT position, sha256, data FROM projections WHERE name = ?", (_NAME,)).fetchone()
    except sqlite3.OperationalError:  # no such table: a store made before the projection was kept
        return None
    if row is None or int(row[0]) != position or hashlib.sha256(row[2]).hexdigest() != row[1]:
        return None
    return LiveAnalytics.from_bytes(fest, bytes(row[2]))
