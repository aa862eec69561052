"""The store's file: its tables, its schema version and migrations, and the checks made on open.

A store is one SQLite database in WAL mode:

``meta``       key/value facts: the schema version, the fest's fingerprint and id
``events``     every accepted event, in the order it was applied (``position`` 1, 2, 3…), as its wire
               JSON with a CRC-32; ``event_id`` is UNIQUE, so an id is a duplicate forever (``user_id``
               is kept, not indexed: the projection knows which viewers were seen)
``snapshots``  the newest engine snapshot, the position of the last event it includes, its SHA-256
``sources``    for ``festengine ingest``: how far into each JSON Lines file the committed work reaches
``projection`` the analytics projection's position, format version and row count; its rows, one per
               key with a CRC-32, in ``projection_rows`` (see :mod:`festengine.store.projection`)

Schema versions only go up. ``MIGRATIONS[i]`` takes a file from version ``i`` to ``i + 1``; a new
store runs them all from version 0, an older store the ones it lacks, in one transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Final, Literal

from festengine.errors import StoreError

__all__ = [
    "MIGRATIONS",
    "PROJECTION_TABLES",
    "SCHEMA_VERSION",
    "Synchronous",
    "check_integrity",
    "connect",
    "migrate",
    "read_meta",
]

Synchronous = Literal["FULL", "NORMAL"]

#: The analytics projection's tables (also made again, if missing, when the projection is written whole).
PROJECTION_TABLES: Final = (
    "CREATE TABLE IF NOT EXISTS projection (name TEXT PRIMARY KEY, position INTEGER NOT NULL,"
    " version INTEGER NOT NULL, rows INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS projection_rows (part TEXT NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL,"
    " crc INTEGER NOT NULL, PRIMARY KEY (part, key)) WITHOUT ROWID",
)

MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
        "CREATE TABLE events (position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE,"
        " user_id TEXT NOT NULL, body TEXT NOT NULL, crc INTEGER NOT NULL)",
        "CREATE INDEX events_by_user ON events (user_id)",
        "CREATE TABLE snapshots (position INTEGER PRIMARY KEY, version INTEGER NOT NULL,"
        " sha256 TEXT NOT NULL, data BLOB NOT NULL)",
        "CREATE TABLE sources (name TEXT PRIMARY KEY, byte_offset INTEGER NOT NULL, lines INTEGER NOT NULL,"
        " sha256 TEXT NOT NULL) WITHOUT ROWID",
    ),
    (
        # the projection kept as rows per key instead of one blob (the blob table of earlier files goes;
        # their projection is rebuilt from the log once)
        "DROP TABLE IF EXISTS projections",
        *PROJECTION_TABLES,
        # "has this viewer been seen?" is answered by the projection; the index cost every insert
        "DROP INDEX IF EXISTS events_by_user",
    ),
)
SCHEMA_VERSION: Final = len(MIGRATIONS)

#: SQLite's busy timeout: how long a statement waits for another connection's lock (readers never wait in WAL).
_BUSY_MS: Final = 5_000
#: The writer's page cache, in KiB as SQLite's negative ``cache_size`` says (the id index stays hot).
_CACHE_KIB: Final = -32_768


def connect(path: Path, *, read_only: bool = False, synchronous: Synchronous = "FULL") -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL journal, the given ``synchronous``."""
    try:
        if read_only:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        else:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.isolation_level = None
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
        if not read_only:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"{path}: SQLite refused WAL mode (journal mode {mode!r})")
            conn.execute(f"PRAGMA synchronous = {synchronous}")
            conn.execute(f"PRAGMA cache_size = {_CACHE_KIB}")
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path}: cannot read the store file ({error}): it is damaged or not a store") from error
    return conn


def check_integrity(conn: sqlite3.Connection, path: Path, *, full: bool = False) -> None:
    """Refuse a damaged file: SQLite's ``quick_check`` (or ``integrity_check``), first problems named."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = conn.execute(f"PRAGMA {pragma}(20)").fetchall()
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path}: the store file is damaged ({error}); restore it from a backup") from error
    problems = [str(row[0]) for row in rows]
    if problems != ["ok"]:
        listed = "; ".join(problems[:5])
        raise StoreError(f"{path}: the store file is damaged ({pragma}: {listed}); restore it from a backup")


def read_meta(conn: sqlite3.Connection, path: Path) -> dict[str, str]:
    """The ``meta`` table; a file without one is not a festengine store."""
    try:
        return {str(key): str(value) for key, value in conn.execute("SELECT key, value FROM meta")}
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path}: not a festengine store ({error})") from error


def migrate(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """Bring a file from schema ``version`` to :data:`SCHEMA_VERSION` (inside the caller's transaction)."""
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: store schema version {version} is newer than this festengine reads ({SCHEMA_VERSION}); "
            "upgrade festengine"
        )
    for statements in MIGRATIONS[version:]:
        for statement in statements:
            conn.execute(statement)
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(SCHEMA_VERSION),),
    )
