"""The store's file on disk: creating it whole, opening and checking it, reading snapshots and logged
events with their checksums, and online backups."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import zlib
from pathlib import Path

from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.engine.core import SNAPSHOT_VERSION
from festengine.errors import EventParseError, SnapshotError, StoreError
from festengine.events import Event, parse_event
from festengine.store.schema import (
    SCHEMA_VERSION,
    Synchronous,
    check_integrity,
    connect,
    migrate,
    read_meta,
)

__all__ = ["backup_store", "copy_to", "decode_event", "open_file", "restore_snapshot"]


def open_file(
    path: Path, fest: Fest, *, synchronous: Synchronous, read_only: bool, full_check: bool
) -> sqlite3.Connection:
    """Connect, check the file, migrate it, and check it belongs to ``fest``; create it if missing."""
    if not path.exists():
        if read_only:
            raise StoreError(f"{path}: no such store")
        _create(path, fest)
    if path.stat().st_size == 0:
        raise StoreError(f"{path}: the store file is empty (truncated); restore it from a backup")
    conn = connect(path, read_only=read_only, synchronous=synchronous)
    try:
        check_integrity(conn, path, full=full_check)
        meta = read_meta(conn, path)
        _check_meta(path, fest, meta)
        version = int(meta.get("schema_version", "0"))
        if version != SCHEMA_VERSION and not read_only:
            conn.execute("BEGIN IMMEDIATE")
            migrate(conn, path, version)
            conn.execute("COMMIT")
    except BaseException:
        conn.close()
        raise
    return conn


def _check_meta(path: Path, fest: Fest, meta: dict[str, str]) -> None:
    if "fest_fingerprint" not in meta:
        raise StoreError(f"{path}: not a festengine store (it has no fest fingerprint)")
    if int(meta.get("schema_version", "0")) > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: store schema version {meta['schema_version']} is newer than this festengine reads "
            f"({SCHEMA_VERSION}); upgrade festengine"
        )
    if meta["fest_fingerprint"] != fest.fingerprint:
        raise StoreError(
            f"{path}: this store belongs to fest {meta.get('fest_id', '?')!r} with fingerprint "
            f"{meta['fest_fingerprint'][:12]}…, not to fest {fest.id!r} ({fest.fingerprint[:12]}…); "
            "open it with the pack it was created with"
        )


def _create(path: Path, fest: Fest) -> None:
    """Create a store under a temporary name and rename it into place, so a file at ``path`` is always whole."""
    temporary = path.with_name(path.name + ".creating")
    temporary.unlink(missing_ok=True)
    conn = connect(temporary)
    try:
        conn.execute("BEGIN IMMEDIATE")
        migrate(conn, temporary, 0)
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [("fest_fingerprint", fest.fingerprint), ("fest_id", fest.id)],
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        temporary.with_name(temporary.name + suffix).unlink(missing_ok=True)
    _fsync(temporary)
    os.replace(temporary, path)
    _fsync(path.parent)


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # directories cannot be opened on some platforms; nothing to sync there
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def restore_snapshot(path: Path, fest: Fest, snapshot: tuple[object, ...]) -> Engine:
    position, version, sha256, data = snapshot
    if not isinstance(data, bytes) or hashlib.sha256(data).hexdigest() != sha256:
        raise StoreError(f"{path}: the snapshot at position {position} fails its checksum; the file is damaged")
    if version != SNAPSHOT_VERSION:
        raise StoreError(
            f"{path}: the stored snapshot has version {version}, this festengine reads {SNAPSHOT_VERSION}; "
            "open the store with rebuild=True to rebuild it from the event log"
        )
    try:
        return Engine.restore(fest, data)
    except SnapshotError as error:
        raise StoreError(f"{path}: the snapshot at position {position} cannot be restored: {error}") from error


def decode_event(path: Path, position: int, body: str, crc: int) -> Event:
    if zlib.crc32(body.encode()) != crc:
        raise StoreError(f"{path}: logged event at position {position} fails its checksum; the file is damaged")
    try:
        return parse_event(body)
    except EventParseError as error:
        raise StoreError(f"{path}: logged event at position {position} cannot be read: {error}") from error


def copy_to(source: sqlite3.Connection, target: Path) -> None:
    if target.exists():
        raise StoreError(f"{target}: the backup target exists already; choose a new file")
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        check_integrity(copy, target)
    finally:
        copy.close()


def backup_store(path: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """Copy the store at ``path`` to ``target`` with SQLite's online backup; a writer may keep writing."""
    source_path = Path(path)
    if not source_path.exists():
        raise StoreError(f"{source_path}: no such store")
    conn = connect(source_path, read_only=True)
    try:
        read_meta(conn, source_path)
        copy_to(conn, Path(target))
    finally:
        conn.close()
