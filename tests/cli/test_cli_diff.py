"""``festengine diff OLD NEW [--snapshot FILE | --db FILE]``: what changes, what it does, exit 1 if refused."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from festengine import Engine, load_fest
from festengine.cli import main
from festengine.sim import workload_events
from festengine.store import FestStore

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"
TARGET = "    target: 100\n    window: {kind: daily}"


def changed(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "new"
    if not folder.exists():
        shutil.copytree(PACK, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def diff(*args: str | Path) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["diff", *(str(a) for a in args)], out=out)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def events() -> list[object]:
    fest = load_fest(PACK)
    return list(workload_events(fest, viewers=60, creators=3, events=1500, seed=3, streams=True))


def test_diff_says_each_change_and_its_rule(tmp_path: Path) -> None:
    new = changed(tmp_path, "missions.yaml", TARGET, TARGET.replace("100", "150"))
    changed(tmp_path, "missions.yaml", "title: Tap 100 likes", "title: Tap 150 likes")
    code, text = diff(PACK, new)
    assert code == 0
    assert "2 changes" in text
    assert "missions daily_like_tapper: target 100 → 150: progress kept, completion re-checked now" in text
    assert "missions daily_like_tapper: title Tap 100 likes → Tap 150 likes: text only" in text


def test_diff_with_a_snapshot_says_what_it_will_do(tmp_path: Path, events: list[object]) -> None:
    engine = Engine(load_fest(PACK))
    for event in events:
        engine.apply(event)  # type: ignore[arg-type]
    snapshot = tmp_path / "fest.snapshot"
    snapshot.write_bytes(engine.snapshot())
    new = changed(tmp_path, "missions.yaml", TARGET, TARGET.replace("100", "150"))
    code, text = diff(PACK, new, "--snapshot", snapshot)
    assert code == 0
    assert "daily_like_tapper target 100 → 150: " in text
    assert "viewers in progress keep their progress;" in text


def test_diff_with_a_store_reads_its_live_state(tmp_path: Path, events: list[object]) -> None:
    db = tmp_path / "fest.db"
    with FestStore.open(db, load_fest(PACK), synchronous="NORMAL") as store:
        store.apply_batch(events)  # type: ignore[arg-type]
    new = changed(tmp_path, "missions.yaml", TARGET, TARGET.replace("100", "20"))
    code, text = diff(PACK, new, "--db", db)
    assert code == 0
    assert "complete now" in text


def test_a_refused_change_exits_1_and_says_why(tmp_path: Path) -> None:
    new = changed(tmp_path, "economy.yaml", "currency: USD", "currency: EUR")
    code, text = diff(PACK, new)
    assert code == 1
    assert "refused: economy: currency USD → EUR: every amount in the ledger is in the old currency" in text
    assert text.endswith("the change would be refused\n")


def test_the_same_pack_has_no_changes() -> None:
    assert diff(PACK, PACK) == (0, f"{PACK} → {PACK}: 0 changes\n")
