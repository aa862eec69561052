"""``festengine-tiktoklive run``: JSON Lines without a store, problems on standard error, exit codes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from festengine import parse_event

import tiktok_messages as m
from festengine_tiktoklive.cli import main
from recorded_client import RecordedClient

PACK = Path(__file__).parent / "pack"


def client_playing(*connections: list[Any] | Exception) -> Any:
    return lambda creator: RecordedClient(list(connections))


def test_run_prints_json_lines_and_reports_problems(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --db every event is one wire-format line on standard output; problems are JSON lines on
    standard error, followed by the count of events applied."""
    play = client_playing([m.like(1, 5, 12, 3), m.gift(2, 6, 13, 9999), m.live_end(3, 10)])
    assert main(["run", "@creator", "--pack", str(PACK)], make_client=play) == 0
    out, err = capsys.readouterr()
    events = [parse_event(line) for line in out.splitlines()]
    assert [e.type for e in events] == ["stream_started", "like", "view", "view", "stream_ended"]
    problem, summary = err.splitlines()
    assert json.loads(problem) == {
        "problem": "unknown_gift",
        "message_id": "2",
        "reason": "TikTok gift 9999 (Galaxy) has no gift with that tiktok_gift_id",
    }
    assert summary == "5 events written"


def test_bad_pack_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A pack that does not load: exit 2 with festengine's message, and no connection is made."""
    (tmp_path / "fest.yaml").write_text("fest: {id: x}\n", encoding="utf-8")
    assert main(["run", "@creator", "--pack", str(tmp_path)], make_client=client_playing()) == 2
    assert capsys.readouterr().err.startswith("error: ")


@pytest.mark.parametrize("option", [["--slot", "0"], ["--presence", "86401"]])
def test_bad_watch_settings_exit_2(option: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Slots of 1-3600 seconds and a presence of 1-86400 seconds, checked before connecting."""
    assert main(["run", "@creator", "--pack", str(PACK), *option], make_client=client_playing()) == 2
    assert capsys.readouterr().err == "error: --slot is 1-3600 seconds and --presence 1-86400\n"


def test_slot_longer_than_the_fests_lateness_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Views come up to a slot after their time: a slot longer than the fest's allowed lateness is refused."""
    assert main(["run", "@creator", "--pack", str(PACK), "--slot", "3600"], make_client=client_playing()) == 2
    assert capsys.readouterr().err == "error: --slot 3600 is longer than the fest's allowed_lateness (600 s)\n"


def test_creator_not_live_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    """A creator who is not LIVE: exit 1 with the reason."""
    from TikTokLive.client.errors import UserOfflineError

    assert main(["run", "@creator", "--pack", str(PACK)], make_client=client_playing(UserOfflineError())) == 1
    assert capsys.readouterr().err == "error: the creator is not LIVE now\n"


def test_db_without_a_store_in_festengine_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--db with a festengine that has no durable store: exit 1 saying so, and no connection is made."""
    monkeypatch.setitem(sys.modules, "festengine.store", None)  # import festengine.store fails
    args = ["run", "@creator", "--pack", str(PACK), "--db", str(tmp_path / "fest.db")]
    assert main(args, make_client=client_playing()) == 1
    assert "this festengine has no durable store (festengine.store)" in capsys.readouterr().err
