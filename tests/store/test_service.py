"""The service layer without HTTP: request bodies, JSON values, and the install hint of the extra."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from store_fixtures import pack_fest, workload

from festengine.errors import FestEngineError
from festengine.events import dumps_event
from festengine.store import FestStore
from festengine.store.service import MAX_EVENTS, BadEventsError, FestService, parse_body, plain


def test_a_body_is_one_object_an_array_or_json_lines() -> None:
    """The three body forms give the same events; a pretty-printed object is one event, not lines."""
    events = workload(3)[:3]
    lines = [dumps_event(e) for e in events]
    assert parse_body(lines[0].encode()) == events[:1]
    assert parse_body(json.dumps(json.loads(lines[0]), indent=2).encode()) == events[:1]
    assert parse_body(("[" + ",".join(lines) + "]").encode()) == events
    assert parse_body(("\n".join(lines) + "\n\n").encode()) == events


def test_bad_bodies_name_every_bad_event_by_index() -> None:
    """Each malformed event is reported with its index and the parser's reasons; empty or oversized bodies too."""
    good = dumps_event(workload(1)[0])
    with pytest.raises(BadEventsError) as caught:
        parse_body(f'{good}\n{{"event_id": "x"}}\n[1]\n'.encode())
    assert [p["index"] for p in caught.value.problems] == [1, 2]
    assert any("type" in reason for reason in caught.value.problems[0]["reasons"])
    for body in (b"", b"  \n", b"[1, 2", b"[1]"):
        with pytest.raises(BadEventsError):
            parse_body(body)
    with pytest.raises(BadEventsError) as too_many:
        parse_body(("\n".join([good] * (MAX_EVENTS + 1))).encode())
    assert "at most" in too_many.value.problems[0]["reasons"][0]


def test_plain_turns_query_results_into_json_values() -> None:
    """Decimals become strings, times ISO text, tuples lists; the result survives json.dumps."""
    value = {"a": (Decimal("1.50"), datetime(2026, 6, 20, tzinfo=UTC), date(2026, 6, 20)), "b": None}
    assert plain(value) == {"a": ["1.50", "2026-06-20T00:00:00+00:00", "2026-06-20"], "b": None}
    json.dumps(plain(value))


def test_a_refused_post_changes_nothing(tmp_path: Path) -> None:
    """A body with one bad event applies none of its good ones."""
    with FestStore.open(tmp_path / "s.db", pack_fest(), synchronous="NORMAL") as store:
        service = FestService(store)
        before = store.engine.snapshot()
        with pytest.raises(BadEventsError):
            service.post_events(f'{dumps_event(workload(1)[0])}\n{{"nope": 1}}'.encode())
        assert store.position == 0
        assert store.engine.snapshot() == before


def test_without_the_serve_extra_the_app_explains_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the app without FastAPI raises our error with the pip command, not ImportError."""
    from festengine.store.http import create_app

    monkeypatch.setitem(sys.modules, "fastapi", None)
    with (
        FestStore.open(tmp_path / "s.db", pack_fest(), synchronous="NORMAL") as store,
        pytest.raises(FestEngineError, match=r"festengine\[serve\]"),
    ):
        create_app(FestService(store))


def test_a_json_lines_body_is_logged_as_received_and_an_array_as_the_stores_json(tmp_path: Path) -> None:
    """Each line of a JSON Lines body is the text the log keeps; an array's items were read as mappings, so
    the store writes their JSON; both replay to the same events."""
    events = workload(4)[:4]
    sent = [dumps_event(event).replace('"event_id":', '"event_id": ', 1) for event in events]
    with FestStore.open(tmp_path / "s.db", pack_fest(), synchronous="NORMAL") as store:
        service = FestService(store)
        service.post_events(("\n".join(sent[:2]) + "\n").encode())
        service.post_events(("[" + ",".join(sent[2:]) + "]").encode())
        assert [event for _, event in store.logged_events()] == events
    with contextlib.closing(sqlite3.connect(tmp_path / "s.db")) as conn:
        bodies = [str(row[0]) for row in conn.execute("SELECT body FROM events ORDER BY position")]
    assert bodies[:2] == sent[:2]
    assert bodies[2:] != sent[2:]
