"""The HTTP service on a real server (``festengine serve`` on 127.0.0.1): events in, queries out, and load."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from store_fixtures import PACK, pack_fest, workload

from festengine import Engine, Event, outcome_to_dict
from festengine.events import dumps_event
from festengine.store import FestStore

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from festengine.store.http import MAX_BODY_BYTES  # noqa: E402 - after the extras are known to be installed
from festengine.store.serving import running_server  # noqa: E402

EVENTS = workload(600)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    db = tmp_path_factory.mktemp("http") / "s.db"
    with running_server(PACK, db) as base_url, httpx.Client(base_url=base_url, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def engine(client: Any) -> Engine:
    """The offline twin of the served store: the same events applied in the same order."""
    twin = Engine(pack_fest())
    lines = "\n".join(dumps_event(e) for e in EVENTS[2:])
    for event in EVENTS:
        twin.apply(event)
    assert client.post("/events", content=dumps_event(EVENTS[0])).status_code == 200
    assert client.post("/events", json=[json.loads(dumps_event(EVENTS[1]))]).status_code == 200
    assert client.post("/events", content=lines, headers={"content-type": "application/x-ndjson"}).status_code == 200
    return twin


def _outcomes(engine_steps: list[Any]) -> list[dict[str, Any]]:
    return [{"event_id": s.event_id, "outcomes": [outcome_to_dict(o) for o in s.outcomes]} for s in engine_steps]


def test_post_events_answers_each_events_outcomes_in_any_body_form(client: Any, engine: Engine) -> None:
    """One object, an array and JSON Lines are accepted; the answer is each event's outcomes as JSON."""
    twin = Engine.restore(pack_fest(), engine.snapshot())
    fresh = [attrs.evolve(e, event_id=f"fresh-{e.event_id}") for e in EVENTS[-3:]]
    body = "\n".join(dumps_event(e) for e in fresh)
    response = client.post("/events", content=body)
    assert response.status_code == 200
    assert response.json() == _outcomes([twin.apply(e) for e in fresh])
    again = client.post("/events", json=[json.loads(dumps_event(e)) for e in fresh]).json()
    assert all(item["outcomes"] == [{"kind": "duplicate", "event_id": item["event_id"]}] for item in again)


def test_bad_events_answer_422_with_the_parsers_reasons_and_change_nothing(client: Any, engine: Engine) -> None:
    """A batch with a malformed event is refused whole: 422, the reasons by index, the store unchanged;
    a body over the size limit answers 413."""
    before = client.get("/health").json()
    good = dumps_event(EVENTS[0]).replace(EVENTS[0].event_id, "new-but-refused")
    bad = '{"event_id": "x2", "type": "like", "occurred_at": "2026-06-20T10:00:00", "user_id": "u1"}'
    response = client.post("/events", content=f"{good}\n{bad}\n")
    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert problem["index"] == 1
    assert any("occurred_at" in reason for reason in problem["reasons"])
    for body in ("", "[1, 2", "not json"):
        assert client.post("/events", content=body).status_code == 422
    too_large = client.post("/events", content=b" " * (MAX_BODY_BYTES + 1))
    assert too_large.status_code == 413
    assert "larger than" in too_large.json()["detail"]
    assert client.get("/health").json() == before


def test_viewer_queries_answer_what_the_engine_knows(client: Any, engine: Engine) -> None:
    """Missions, badges, points and credits of a viewer equal the offline engine's."""
    touched_later = {e.user_id for e in EVENTS[-3:]}  # the posting test sends these users more events
    user = next(e.user_id for e in EVENTS if e.type == "gift" and e.user_id not in touched_later)
    missions = client.get(f"/viewers/{user}/missions").json()
    assert [(m["mission_id"], m["state"]) for m in missions] == [(m.mission_id, m.state) for m in engine.missions(user)]
    assert client.get(f"/viewers/{user}/badges").json() == engine.badges(user)
    assert client.get(f"/viewers/{user}/points").json() == {"user_id": user, "points": engine.points(user)}
    balance = engine.balance(f"viewer:{user}:credits")
    lots = [
        {"amount": str(lot.amount.amount), "budget_id": lot.budget_id,
         "expires_at": None if lot.expires_at is None else lot.expires_at.isoformat().replace("+00:00", "Z")}
        for lot in engine.credits(user)
    ]  # fmt: skip
    assert client.get(f"/viewers/{user}/credits").json() == {
        "user_id": user, "amount": str(balance.amount), "currency": balance.currency, "lots": lots,
    }  # fmt: skip
    assert sum(Decimal(lot["amount"]) for lot in lots) == balance.amount


def test_unknown_ids_answer_404_with_a_reason(client: Any, engine: Engine) -> None:
    """A viewer with no accepted event, an unknown board or goal, an unranked entity: 404 and why."""
    for path, reason in (
        ("/viewers/nobody/missions", "no event from viewer 'nobody'"),
        ("/viewers/nobody/points", "no event from viewer 'nobody'"),
        ("/leaderboards/nope", "no leaderboard 'nope'"),
        ("/leaderboards/top_gifters?around=nobody", "'nobody' is not ranked"),
        ("/community-goals/nope", "no community goal 'nope'"),
        ("/community-goals/daily_check_in", "no community goal 'daily_check_in'"),
        ("/community-goals/creator_week_goal?subject_id=nobody", "has not started for 'nobody'"),
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert reason in response.json()["detail"], path


def test_fest_queries_and_their_refusals(client: Any, engine: Engine) -> None:
    """Boards (top or around an entity), goals and promotions; a scoped board without its scope is 422."""
    assert client.get("/leaderboards/creator_points").json() == [
        {"rank": e.rank, "entity_id": e.entity_id, "score": e.score} for e in engine.leaderboard("creator_points")
    ]
    leader = engine.leaderboard("creator_points")[0].entity_id
    assert client.get(f"/leaderboards/creator_points?around={leader}").json()["rank"] == 1
    assert client.get("/leaderboards/top_fans_per_creator").status_code == 422
    assert client.get("/leaderboards/creator_points?limit=0").status_code == 422
    goals = client.get("/community-goals/creator_week_goal").json()
    assert goals
    subject = goals[0]["subject"]
    assert client.get(f"/community-goals/creator_week_goal?subject_id={subject}").json()["subject"] == subject
    user = EVENTS[-1].user_id
    assert client.get(f"/promotions/active?user_id={user}").status_code == 200
    assert client.get(f"/promotions/active?user_id={user}&at=2026-06-20T10:00:00").status_code == 422
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/events", "/viewers/{user_id}/missions", "/leaderboards/{board_id}", "/health"} <= set(paths)
    health = client.get("/health").json()
    assert health["fest"] == pack_fest().id
    assert health["events"] > 0


def _load_batches(events: list[Event], clients: int, size: int) -> list[list[list[str]]]:
    """Batches of JSON lines for each client, consecutive batches dealt round robin, with duplicates:
    every fifth batch also repeats lines of another client's batch."""
    lines = [dumps_event(e) for e in events]
    batches = [lines[i : i + size] for i in range(0, len(lines), size)]
    plan: list[list[list[str]]] = [[] for _ in range(clients)]
    for index, batch in enumerate(batches):
        repeated = batches[index - 1][:20] if index % 5 == 4 else []
        plan[index % clients].append([*batch, *repeated])
    return plan


def test_load_eight_clients_each_event_applied_once_and_replay_equals_the_store(tmp_path: Path) -> None:
    """8 concurrent clients post a stream in batches with duplicates: every event id is applied exactly once,
    and an offline replay of the events in the order the store logged them gives the store's snapshot."""
    began = time.monotonic()
    events = workload(4000, viewers=200, creators=8, seed=9)
    plan = _load_batches(events, clients=8, size=100)
    answers: Counter[str] = Counter()
    failures: list[str] = []
    lock = threading.Lock()
    db = tmp_path / "load.db"

    def post_all(base_url: str, batches: list[list[str]]) -> None:
        with httpx.Client(base_url=base_url, timeout=60) as http:
            for batch in batches:
                response = http.post("/events", content="\n".join(batch))
                if response.status_code != 200:
                    failures.append(f"{response.status_code}: {response.text[:200]}")
                    return
                with lock:
                    for item in response.json():
                        kinds = [o["kind"] for o in item["outcomes"]]
                        answers["duplicate" if kinds == ["duplicate"] else "rejected" if kinds == ["rejected"]
                                else f"accepted:{item['event_id']}"] += 1  # fmt: skip

    with running_server(PACK, db) as base_url:
        threads = [threading.Thread(target=post_all, args=(base_url, batches)) for batches in plan]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "the load did not finish in time"
    assert not failures
    accepted = {key.split(":", 1)[1]: count for key, count in answers.items() if key.startswith("accepted:")}
    assert set(accepted.values()) == {1}, "an event was applied twice"
    assert sum(answers.values()) == sum(len(batch) for batches in plan for batch in batches)
    assert answers["duplicate"] > 0
    with FestStore.open(db, pack_fest(), read_only=True) as store:
        logged = [event for _, event in store.logged_events()]
        served = store.engine.snapshot()
    assert sorted(e.event_id for e in logged) == sorted(accepted)
    replay = Engine(pack_fest())
    assert all(replay.apply(event).accepted for event in logged)
    assert replay.snapshot() == served
    assert time.monotonic() - began < 120
