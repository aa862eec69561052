"""Which pack applied to which events: the versions of a store's pack, so replays take the same upgrades.

A store is created for one pack (its fingerprint is in ``meta``). Each later upgrade
(:meth:`FestStore.upgrade <festengine.store.FestStore.upgrade>`) adds a row to ``pack_versions``:
its number (2, 3…), the position of the last event applied before it (it applies to the events
after that position), the pack itself as canonical JSON text, its fingerprint and its SHA-256.
Opening a store restores its snapshot with the pack in force at the snapshot's position, and
replays the logged events, upgrading the engine again after the position each version starts at:
the same state, through the same upgrades at the same points, as the live run.

The table is created by the first upgrade; a store that never changed pack has none.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

import attrs

from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.catalog.stored import StoredPack, pack_from_text
from festengine.errors import FestValidationError, StoreError, UpgradeRefusedError

__all__ = ["PackVersion", "PackVersions"]

_TABLE = (
    "CREATE TABLE IF NOT EXISTS pack_versions (version INTEGER PRIMARY KEY, position INTEGER NOT NULL,"
    " fingerprint TEXT NOT NULL, sha256 TEXT NOT NULL, pack TEXT NOT NULL)"
)


@attrs.frozen(slots=True)
class PackVersion:
    """One pack change: version number, the position after which it applies, the fest."""

    version: int
    position: int
    fest: Fest = attrs.field(repr=False)


class PackVersions:
    """The first pack of a store and every upgrade since, in order."""

    def __init__(self, path: Path, first: Fest, upgrades: list[PackVersion]) -> None:
        self.path = path
        self.first = first
        self.upgrades = upgrades

    @classmethod
    def read(cls, conn: sqlite3.Connection, path: Path, first: Fest) -> PackVersions:
        """The versions stored in the file (none: the first pack only), each pack checked."""
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pack_versions'")
        if exists.fetchone() is None:
            return cls(path, first, [])
        upgrades = []
        rows = conn.execute("SELECT version, position, fingerprint, sha256, pack FROM pack_versions ORDER BY version")
        for version, position, fingerprint, sha256, text in rows:
            if hashlib.sha256(str(text).encode()).hexdigest() != sha256:
                raise StoreError(f"{path}: pack version {version} fails its checksum; the file is damaged")
            try:
                fest = pack_from_text(str(text), f"{path} pack version {version}").fest
            except FestValidationError as error:
                raise StoreError(f"{path}: pack version {version} cannot be read: {error}") from error
            if fest.fingerprint != fingerprint:
                raise StoreError(f"{path}: pack version {version} does not compile to its fingerprint")
            upgrades.append(PackVersion(int(version), int(position), fest))
        return cls(path, first, upgrades)

    @property
    def current(self) -> Fest:
        """The pack in force after the last upgrade."""
        return self.upgrades[-1].fest if self.upgrades else self.first

    def fest_at(self, position: int) -> Fest:
        """The pack in force once the events up to ``position`` and the upgrades there were applied."""
        fest = self.first
        for upgrade in self.upgrades:
            if upgrade.position <= position:
                fest = upgrade.fest
        return fest

    def catch_up(self, engine: Engine, position: int, also: Callable[[Fest], object] | None = None) -> None:
        """Apply the upgrades recorded at ``position`` (after the event there), in order; ``also`` is
        told each new fest (e.g. a projection that follows the pack)."""
        for upgrade in self.upgrades:
            if upgrade.position == position:
                if also is not None:
                    also(upgrade.fest)
                try:
                    engine.upgrade(upgrade.fest)
                except UpgradeRefusedError as error:
                    raise StoreError(
                        f"{self.path}: pack version {upgrade.version} (after position {position}) was refused on "
                        f"replay: {error}"
                    ) from error

    def record(self, conn: sqlite3.Connection, position: int, pack: StoredPack) -> None:
        """Add a version applying after ``position`` (inside the caller's transaction)."""
        conn.execute(_TABLE)
        version = len(self.upgrades) + 2  # the first pack is version 1
        sha256 = hashlib.sha256(pack.text.encode()).hexdigest()
        conn.execute(
            "INSERT INTO pack_versions (version, position, fingerprint, sha256, pack) VALUES (?,?,?,?,?)",
            (version, position, pack.fest.fingerprint, sha256, pack.text),
        )
        self.upgrades.append(PackVersion(version, position, pack.fest))
