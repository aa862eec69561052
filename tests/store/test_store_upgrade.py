"""A store through a pack change: the version is recorded, and resume and replay take it at the same point."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from store_fixtures import PACK, pack_fest, workload

from festengine import Engine, Fest
from festengine.catalog.stored import StoredPack, load_pack, pack_from_text
from festengine.errors import FestValidationError, StoreError, UpgradeRefusedError
from festengine.store import FestStore

FAST = {"synchronous": "NORMAL"}


def changed_pack(tmp_path: Path, old: str, new: str, name: str = "pack") -> StoredPack:
    """The bundled pack with one text replaced in its missions file."""
    folder = tmp_path / name
    shutil.copytree(PACK, folder)
    missions = folder / "missions.yaml"
    text = missions.read_text(encoding="utf-8")
    assert old in text
    missions.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_pack(folder)


def lower_target(tmp_path: Path) -> StoredPack:
    return changed_pack(
        tmp_path, "    target: 100\n    window: {kind: daily}", "    target: 20\n    window: {kind: daily}"
    )


def test_a_stored_pack_compiles_again_to_the_same_fest() -> None:
    pack = load_pack(PACK)
    again = pack_from_text(pack.text)
    assert again.fest.fingerprint == pack.fest.fingerprint == pack_fest().fingerprint
    with pytest.raises(FestValidationError, match="not a stored pack"):
        pack_from_text("{not json")


def test_resume_and_replay_through_an_upgrade_equal_the_live_run(tmp_path: Path) -> None:
    events = workload(600)
    pack = lower_target(tmp_path)
    live = Engine(pack_fest())
    for event in events[:300]:
        live.apply(event)
    upgraded = live.upgrade(pack.fest)
    for event in events[300:]:
        live.apply(event)

    path = tmp_path / "fest.db"
    with FestStore.open(path, pack_fest(), snapshot_every=10**9, **FAST) as store:  # type: ignore[arg-type]
        store.apply_batch(events[:300])
        at = store.position
        assert store.upgrade(pack) == upgraded
        assert store.fest is pack.fest
        store.apply_batch(events[300:])
        assert store.engine.snapshot() == live.snapshot()
        assert [(v.version, v.position) for v in store.pack_versions.upgrades] == [(2, at)]
    with FestStore.open(path, pack_fest(), **FAST) as resumed:  # type: ignore[arg-type]
        assert resumed.engine.snapshot() == live.snapshot()
        assert resumed.fest.fingerprint == pack.fest.fingerprint
    with FestStore.open(path, pack_fest(), rebuild=True, **FAST) as replayed:  # type: ignore[arg-type]
        assert replayed.engine.snapshot() == live.snapshot()
        told: list[Fest] = []
        fresh = Engine(pack_fest())
        replayed.pack_versions.catch_up(fresh, at, told.append)  # a projection following the pack is told
        assert [fest.fingerprint for fest in told] == [fresh.fest.fingerprint] == [pack.fest.fingerprint]


def test_an_upgrade_before_any_event_is_replayed_too(tmp_path: Path) -> None:
    pack = lower_target(tmp_path)
    path = tmp_path / "fest.db"
    with FestStore.open(path, pack_fest(), **FAST) as store:  # type: ignore[arg-type]
        store.upgrade(pack)
        store.apply_batch(workload(100))
        expected = store.engine.snapshot()
    with FestStore.open(path, pack_fest(), rebuild=True, **FAST) as replayed:  # type: ignore[arg-type]
        assert replayed.engine.snapshot() == expected


def test_a_refused_upgrade_changes_neither_the_engine_nor_the_file(tmp_path: Path) -> None:
    refused = changed_pack(
        tmp_path, "    target: 100\n    window: {kind: daily}", "    target: 100\n    window: {kind: weekly}"
    )
    path = tmp_path / "fest.db"
    with FestStore.open(path, pack_fest(), **FAST) as store:  # type: ignore[arg-type]
        store.apply_batch(workload(100))
        before = store.engine.snapshot()
        with pytest.raises(UpgradeRefusedError, match="daily_like_tapper: window daily → weekly"):
            store.upgrade(refused)
        assert store.engine.snapshot() == before
        assert store.fest is pack_fest()
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE name = 'pack_versions'").fetchall()
    assert tables == []


def test_a_damaged_stored_pack_is_refused_on_open(tmp_path: Path) -> None:
    path = tmp_path / "fest.db"
    with FestStore.open(path, pack_fest(), **FAST) as store:  # type: ignore[arg-type]
        store.upgrade(lower_target(tmp_path))
    conn = sqlite3.connect(path)
    conn.execute("UPDATE pack_versions SET pack = pack || ' '")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="pack version 2 fails its checksum"):
        FestStore.open(path, pack_fest(), **FAST)  # type: ignore[arg-type]
