"""The recorded LIVE through festengine's durable store: applied once, even when run twice.

These tests need ``festengine.store`` (the durable store); they are skipped when the installed
festengine does not have it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from festengine import Engine, Fest

import tiktok_messages as m
from festengine_tiktoklive import EngineSink, Feed, Mapper, room_of
from festengine_tiktoklive.cli import main
from recorded_client import INFO, RecordedClient

pytest.importorskip("festengine.store", reason="this festengine has no durable store (festengine.store)")

PACK = Path(__file__).parent / "pack"
RECORDING = Path(__file__).parent / "fixtures" / "live.jsonl"


def test_recorded_live_into_the_store_twice(tmp_path: Path, fest: Fest, capsys: pytest.CaptureFixture[str]) -> None:
    """``run --db`` applies the LIVE through the store; a second run over the same messages (a restart)
    applies nothing again, and the store's state equals an engine fed the LIVE once."""
    from festengine.store import FestStore

    messages = m.read_recording(RECORDING)
    db = tmp_path / "fest.db"
    args = ["run", "@creator", "--pack", str(PACK), "--db", str(db)]
    for _ in range(2):
        assert main(args, make_client=lambda creator: RecordedClient([messages])) == 0
    first, second = (line for line in capsys.readouterr().err.splitlines() if "events applied" in line)
    assert first == "39 events applied, 0 applied before, 0 rejected"
    assert second == "0 events applied, 39 applied before, 0 rejected"
    clean = Engine(fest)
    feed = Feed(fest, EngineSink(clean), report=lambda problem: None)
    feed.connected(room_of(m.ROOM, "creator", INFO))
    feed.receive_all(messages)
    with FestStore.open(db, fest) as store:
        for user in ("11", "12", "13"):
            assert store.engine.missions(user) == clean.missions(user)
            assert store.engine.badges(user) == clean.badges(user)
        again = Mapper(fest, room_of(m.ROOM, "creator", INFO)).map(messages[0]).events
        assert again
        assert all(step.duplicate for step in store.apply_batch(again))
