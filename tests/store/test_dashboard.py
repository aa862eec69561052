"""The store's analytics projection: kept up to date as events are applied, stored with each snapshot,
equal after a restart, a rollback or a rebuild; and the service's dashboard answers over it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_fixtures import pack_fest, workload

from festengine import Engine, Event
from festengine.analytics import DashboardProjection
from festengine.analytics.live import STATE_VERSION, LiveAnalytics
from festengine.errors import StoreError
from festengine.store import FestStore
from festengine.store.projection import row_crc
from festengine.store.service import BadRequestError, FestService, NotFoundError

FAST: dict[str, Any] = {"synchronous": "NORMAL"}


def _offline(events: list[Event]) -> LiveAnalytics:
    """The projection folded next to a plain engine, as ``festengine simulate`` feeds its analytics."""
    engine, live = Engine(pack_fest()), LiveAnalytics(pack_fest())
    for event in events:
        live.observe(event, engine.apply(event))
    return live


def test_the_store_projection_equals_the_simulators_analytics_fed_the_same_events(tmp_path: Path) -> None:
    """Batches through the store give the dashboard a DashboardProjection fed step by step gives."""
    events = workload(1500)
    with FestStore.open(tmp_path / "s.db", pack_fest(), **FAST) as store:
        for start in range(0, len(events), 200):
            store.apply_batch(events[start : start + 200])
        live = store.analytics.dashboard.current().to_dict()
    engine, projection = Engine(pack_fest()), DashboardProjection(pack_fest())
    for event in events:
        projection.observe(event, engine.apply(event))
    assert live == projection.current().to_dict()
    assert live["fest"]["total"]["views"] > 0
    assert live["creators"]
    assert live["streams"]


def test_a_duplicate_or_a_rejected_event_changes_no_figure(tmp_path: Path) -> None:
    """Sent again, an event is a duplicate and the figures stay as they were."""
    events = workload(300)
    with FestStore.open(tmp_path / "s.db", pack_fest(), **FAST) as store:
        store.apply_batch(events)
        before = store.analytics.to_bytes()
        store.apply_batch(events[:50])
        assert store.analytics.to_bytes() == before


@pytest.mark.parametrize("snapshot_every", [1, 250, 100_000])
def test_a_reopened_store_shows_the_same_figures_byte_for_byte(tmp_path: Path, snapshot_every: int) -> None:
    """Whether the snapshot is at the end, in the middle or absent, reopening gives the same projection
    bytes as the live one and as a projection that never stopped; a read-only open too."""
    events = workload(1200)
    path = tmp_path / "s.db"
    with FestStore.open(path, pack_fest(), snapshot_every=snapshot_every, snapshot_overhead=None, **FAST) as store:
        for start in range(0, 900, 100):
            store.apply_batch(events[start : start + 100])
        live = store.analytics.to_bytes()
    assert live == _offline(events[:900]).to_bytes()
    whole = _offline(events).to_bytes()
    with FestStore.open(path, pack_fest(), **FAST) as reopened:
        assert reopened.analytics.to_bytes() == live
        reopened.apply_batch(events[900:])
        assert reopened.analytics.to_bytes() == whole
    with FestStore.open(path, pack_fest(), read_only=True) as reader:
        assert reader.analytics.to_bytes() == whole


def _stored_rows(path: Path) -> list[tuple[str, bytes, bytes]]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute("SELECT part, key, value FROM projection_rows").fetchall())
    finally:
        conn.close()


def test_the_projection_is_stored_as_rows_at_the_snapshots_position(tmp_path: Path) -> None:
    """One header at the snapshot's position with the row count; the rows are those of the projection."""
    path = tmp_path / "s.db"
    with FestStore.open(path, pack_fest(), snapshot_every=100, snapshot_overhead=None, **FAST) as store:
        store.apply_batch(workload(250))
        store.snapshot_now()
        position = store.snapshot_position
        rows = sorted(store.analytics.rows())
    conn = sqlite3.connect(path)
    header = conn.execute("SELECT name, position, version, rows FROM projection").fetchall()
    conn.close()
    assert header == [("analytics", position, STATE_VERSION, len(rows))]
    assert _stored_rows(path) == rows
    assert {part.split(".")[0] for part, _key, _value in rows} == {"dashboard", "audience"}


def test_a_snapshot_writes_only_the_rows_changed_since_the_last(tmp_path: Path) -> None:
    """After a snapshot, a batch of a few events changes a few rows, and the next snapshot writes those
    (and the watermark), not the whole projection; the table then holds exactly a fresh fold's rows."""
    events = workload(1200)
    path = tmp_path / "s.db"
    with FestStore.open(path, pack_fest(), snapshot_every=1, snapshot_overhead=None, **FAST) as store:
        store.apply_batch(events[:1190])
        written: list[str] = []
        conn = store._open_conn()
        conn.set_trace_callback(written.append)
        store.apply_batch(events[1190:1192])
        conn.set_trace_callback(None)
        changed = [statement for statement in written if "INTO projection_rows" in statement]
        assert 1 <= len(changed) < 40 < store.analytics.row_count()
        store.apply_batch(events[1192:])
    assert _stored_rows(path) == sorted(_offline(events).rows())


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.integers(min_value=1, max_value=599), min_size=1, max_size=4), every=st.sampled_from([1, 50]))
def test_property_the_stored_rows_equal_a_fresh_fold_after_any_resume(
    tmp_path: Path, cuts: list[int], every: int
) -> None:
    """Batches cut anywhere, snapshots now and then, the store closed and reopened at each cut: the
    projection in memory and its stored rows equal those of one fold that never stopped."""
    events = workload(600)
    path = tmp_path / f"s-{len(list(tmp_path.iterdir()))}.db"
    start = 0
    for cut in [*sorted(set(cuts)), len(events)]:
        with FestStore.open(path, pack_fest(), snapshot_every=every, snapshot_overhead=None, **FAST) as store:
            store.apply_batch(events[start:cut])
            start = cut
    fresh = _offline(events)
    with FestStore.open(path, pack_fest(), **FAST) as store:
        assert store.analytics.to_bytes() == fresh.to_bytes()
        store.snapshot_now()
    if every == 1:
        assert _stored_rows(path) == sorted(fresh.rows())


@pytest.mark.parametrize(
    "damage",
    ["drop", "value", "crc", "swap", "delete", "insert", "position", "version", "undecodable"],
)
def test_a_missing_or_damaged_projection_is_rebuilt_from_the_log(tmp_path: Path, damage: str) -> None:
    """A store from before the rows (no table), a row whose value or CRC changed, two rows whose values
    were swapped, a row missing or added, a header at another position or of another version, a row
    whose value is not what its part holds (with a valid CRC): the stored rows are not used, the whole
    log is replayed, the figures are the same, and the next snapshot writes every row again."""
    events = workload(620)
    path = tmp_path / "s.db"
    with FestStore.open(path, pack_fest(), **FAST) as store:
        store.apply_batch(events[:600])
        store.snapshot_now()
        expected = store.analytics.to_bytes()
        expected_rows = sorted(store.analytics.rows())
        engine_state = store.engine.snapshot()
    conn = sqlite3.connect(path)
    first, second = conn.execute("SELECT part, key FROM projection_rows ORDER BY part, key LIMIT 2").fetchall()
    bad, extra = b"[1,2", b'"zz"'
    statements: list[tuple[str, tuple[object, ...]]] = {
        "drop": [("DROP TABLE projection_rows", ())],
        "value": [("UPDATE projection_rows SET value = '0' WHERE part = ? AND key = ?", first)],
        "crc": [("UPDATE projection_rows SET crc = crc + 1 WHERE part = ? AND key = ?", first)],
        "swap": [
            ("UPDATE projection_rows SET (value, crc) = (SELECT value, crc FROM projection_rows"
             " WHERE part = ? AND key = ?) WHERE part = ? AND key = ?", (*second, *first)),
        ],
        "delete": [("DELETE FROM projection_rows WHERE part = ? AND key = ?", first)],
        "insert": [
            ("INSERT INTO projection_rows VALUES ('dashboard.user', ?, ?, ?)",
             (extra, b"99999", row_crc("dashboard.user", extra, b"99999"))),
            ("UPDATE projection SET rows = rows + 1", ()),
        ],
        "position": [("UPDATE projection SET position = position - 1", ())],
        "version": [("UPDATE projection SET version = version + 1", ())],
        "undecodable": [("UPDATE projection_rows SET value = ?, crc = ? WHERE part = ? AND key = ?",
                         (bad, row_crc(*first, bad), *first))],
    }[damage]  # fmt: skip
    for statement, parameters in statements:
        conn.execute(statement, parameters)
    conn.commit()
    conn.close()
    with FestStore.open(path, pack_fest(), **FAST) as reopened:
        assert reopened.analytics.to_bytes() == expected
        assert reopened.engine.snapshot() == engine_state
    assert _stored_rows(path) == expected_rows  # rebuilt once: written on open, the next open reads it
    with FestStore.open(path, pack_fest(), **FAST) as reopened:
        assert reopened.analytics.to_bytes() == expected
        reopened.snapshot_now()
        reopened.apply_batch(events[600:])
        reopened.snapshot_now()
    if damage != "drop":
        assert _stored_rows(path) == sorted(_offline(events).rows())
    assert expected_rows


def test_a_stored_projection_of_another_version_or_fest_is_not_read() -> None:
    """from_bytes answers None (the store then rebuilds) for bytes of another version or damaged ones."""
    live = _offline(workload(50))
    assert LiveAnalytics.from_bytes(pack_fest(), live.to_bytes()) is not None
    for data in (b"", b"not zlib", __import__("zlib").compress(b'{"version": 999}')):
        assert LiveAnalytics.from_bytes(pack_fest(), data) is None


def test_a_failed_batch_leaves_the_figures_of_the_committed_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the engine fails mid-batch, the rollback rebuilds the projection too: the figures are those of
    the committed events, and the store goes on."""
    events = workload(300)
    with FestStore.open(tmp_path / "s.db", pack_fest(), **FAST) as store:
        store.apply_batch(events[:100])
        committed = store.analytics.to_bytes()
        real_apply = store.engine.apply
        bad = events[150].event_id

        def failing(event: Event) -> object:
            step = real_apply(event)
            if event.event_id == bad:
                raise RuntimeError("a bug in a handler")
            return step

        monkeypatch.setattr(store.engine, "apply", failing)
        with pytest.raises(StoreError, match="rolled back"):
            store.apply_batch(events[100:200])
        assert store.analytics.to_bytes() == committed
        store.apply_batch(events[100:])
        assert store.analytics.to_bytes() == _offline(events).to_bytes()


# --------------------------------------------------------------------------- the service


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Any:
    store = FestStore.open(tmp_path_factory.mktemp("dash") / "s.db", pack_fest(), **FAST)
    store.apply_batch(workload(1200))
    yield FestService(store)
    store.close()


def test_the_dashboard_answers_the_projections_figures(service: FestService) -> None:
    """/dashboard: the position, fest, creators and streams; the same dict until the next write."""
    data = service.dashboard()
    assert data["events"] == service.store.position
    assert data == {"events": service.store.position, **service.store.analytics.dashboard.current().to_dict()}
    assert service.dashboard() is data
    total = data["fest"]["total"]
    figures = "views unique_viewers peak_concurrent watch_seconds likes comments shares follows gifts gift_value"
    for name in (*figures.split(), "product_clicks", "ctr", "orders", "conversion", "gmv", "gpm"):
        assert name in total
    assert sum(c["total"]["views"] for c in data["creators"]) == total["views"]


def test_a_creator_and_a_stream_answer_hourly_figures_and_unknown_ids_404(service: FestService) -> None:
    """A creator's figures per day and hour with its spikes and audience; a stream's per hour; unknown ids
    are NotFoundError naming the id."""
    data = service.dashboard()
    creator, stream = data["creators"][0]["id"], data["streams"][0]["id"]
    one = service.dashboard_creator(creator)
    assert one["total"] == data["creators"][0]["total"]
    assert one["hourly"]
    assert sum(h["views"] for h in one["hourly"]) == one["total"]["views"]
    assert one["audience"]["creator_id"] == creator
    assert all(s["scope_id"] == creator for s in one["spikes"])
    stream_data = service.dashboard_stream(stream)
    assert stream_data["total"] == data["streams"][0]["total"]
    assert stream_data["creator_id"] == data["streams"][0]["creator_id"]
    with pytest.raises(NotFoundError, match="no-such-creator"):
        service.dashboard_creator("no-such-creator")
    with pytest.raises(NotFoundError, match="no-such-stream"):
        service.dashboard_stream("no-such-stream")
    with pytest.raises(NotFoundError, match="nobody"):
        service.creator_audience("nobody")


def test_best_streams_rank_by_each_measure_and_refuse_bad_parameters(service: FestService) -> None:
    """Each measure lists streams best first with the figures behind it; unknown measures are refused."""
    streams = {s["id"]: s["total"] for s in service.dashboard()["streams"]}
    for by in ("gpm", "conversion", "gifts_per_viewer"):
        listed = service.best_streams(by, 5, 1)["streams"]
        assert 0 < len(listed) <= 5
        assert [s["rank"] for s in listed] == list(range(1, len(listed) + 1))
        values = [float(s["value"]) for s in listed]
        assert values == sorted(values, reverse=True)
        for entry in listed:
            assert entry["views"] == streams[entry["stream_id"]]["views"]
    assert service.best_streams("gpm", 5, 10**9)["streams"] == []
    for by, limit, min_views in (("likes", 5, 1), ("gpm", 0, 1), ("gpm", 5, -1)):
        with pytest.raises(BadRequestError):
            service.best_streams(by, limit, min_views)


def test_creator_fit_refuses_an_empty_or_malformed_target(service: FestService) -> None:
    for region, age, category, sample in ((None, None, None, 5), (None, "34-18", None, 5), ("US", "old", None, 5),
                                          ("US", None, None, 0)):  # fmt: skip
        with pytest.raises(BadRequestError):
            service.creator_fit(region, age, category, sample)


def test_the_http_routes_answer_json_404_with_the_reason_and_the_page(service: FestService) -> None:
    """The dashboard routes over the app (in process): figures, 404 naming the id, 422 for bad parameters,
    the page and its script from the package."""
    pytest.importorskip("httpx")
    testclient = pytest.importorskip("fastapi.testclient")
    from festengine.store.http import create_app

    client = testclient.TestClient(create_app(service))
    data = client.get("/dashboard").json()
    assert data == service.dashboard()
    creator, stream = data["creators"][0]["id"], data["streams"][0]["id"]
    assert client.get(f"/dashboard/creators/{creator}").json()["total"] == data["creators"][0]["total"]
    assert client.get(f"/dashboard/streams/{stream}").json()["total"] == data["streams"][0]["total"]
    for path, name in (("/dashboard/creators/ghost", "ghost"), ("/dashboard/streams/ghost-s", "ghost-s"),
                       ("/creators/ghost/audience", "ghost")):  # fmt: skip
        answer = client.get(path)
        assert answer.status_code == 404
        assert repr(name) in answer.json()["detail"]
    assert client.get("/dashboard/best-streams", params={"by": "likes"}).status_code == 422
    assert client.get("/dashboard/best-streams", params={"min_views": 1}).json()["streams"]
    assert client.get("/creators/fit").status_code == 422
    assert client.get("/creators/fit", params={"age": "18-34", "min_sample": 1}).status_code == 200
    page = client.get("/dashboard/live")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    script = client.get("/dashboard/live/dashboard.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "textContent" in script.text


def test_the_dashboard_is_summarized_again_no_sooner_than_its_cost_allows(tmp_path: Path) -> None:
    """Summarizing holds the writers' lock, so it takes at most DASHBOARD_SHARE of the time: a summary that
    took 1 s is not redone for 4 s (pollers get the last one, with the position it is of); then it is."""
    ticks = iter(range(1000))
    events = workload(200)
    with FestStore.open(tmp_path / "s.db", pack_fest(), **FAST) as store:
        service = FestService(store, clock=lambda: float(next(ticks)))  # each reading: one second later
        store.apply_batch(events[:100])
        first = service.dashboard()  # summarized from 0 to 1: next one from 5
        assert first["events"] == 100
        store.apply_batch(events[100:])
        assert service.dashboard() is first  # at 2
        assert service.dashboard() is first  # at 3
        assert service.dashboard() is first  # at 4
        assert service.dashboard()["events"] == store.position  # at 5


def _age(born: Any, day: Any) -> int:
    return int(day.year - born.year - ((day.month, day.day) < (born.month, born.day)))


def test_creator_fit_on_a_simulated_fest_agrees_with_the_engines_profiles(tmp_path: Path) -> None:
    """A simulated fest (profiles first, then the fest) through the store: each creator's profiled and
    matching viewers are those a direct count over the logged events and the engine's own record of
    each viewer's profile gives."""
    from festengine.analytics.audience import AgeRange, FitQuery
    from festengine.sim import simulate_events

    fest = pack_fest()
    events = list(simulate_events(fest, viewers=400, creators=4, days=3, seed=5))
    first_day = fest.calendar.local_date(0)
    with FestStore.open(tmp_path / "s.db", fest, **FAST) as store:
        store.apply_batch(events)
        ranking = store.analytics.audience.fit(FitQuery(region="US", age=AgeRange.parse("18-34"), min_sample=1))
        audience: dict[str, set[str]] = {}
        for _position, event in store.logged_events():
            if event.creator_id and event.type != "viewer_profile":
                audience.setdefault(event.creator_id, set()).add(event.user_id)
        expected = {}
        for creator, viewers in audience.items():
            profiles = [store.engine.viewer_profile(user) for user in viewers]
            known = [p for p in profiles if p is not None and p.region is not None and p.birth_date is not None]
            matching = sum(1 for p in known if p.region == "US" and 18 <= _age(p.birth_date, first_day) <= 34)
            expected[creator] = (len(viewers), len(known), matching)
    assert len(ranking.creators) == len(audience) >= 2
    assert {c.creator_id: (c.audience, c.profiled, c.matching) for c in ranking.creators} == expected
    assert any(c.matching for c in ranking.creators)
    fits = [c.fit for c in ranking.creators]
    assert fits == sorted(fits, reverse=True)


def test_a_store_of_the_first_schema_is_migrated_its_blob_and_user_index_dropped(tmp_path: Path) -> None:
    """A file as the first schema left it (a `projections` blob table, the `user_id` index, schema version
    1) is migrated on open: the blob table and the index go, the projection is rebuilt from the log with
    the same figures and written as rows with the next snapshot."""
    events = workload(420)
    path = tmp_path / "s.db"
    with FestStore.open(path, pack_fest(), **FAST) as store:
        store.apply_batch(events[:400])
        store.snapshot_now()
        expected = store.analytics.to_bytes()
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP TABLE projection; DROP TABLE projection_rows;"
        "CREATE TABLE projections (name TEXT PRIMARY KEY, position INTEGER NOT NULL, sha256 TEXT NOT NULL,"
        " data BLOB NOT NULL) WITHOUT ROWID;"
        "INSERT INTO projections VALUES ('analytics', 400, 'x', X'00');"
        "CREATE INDEX events_by_user ON events (user_id);"
        "UPDATE meta SET value = '1' WHERE key = 'schema_version';"
    )
    conn.close()
    with FestStore.open(path, pack_fest(), **FAST) as reopened:
        assert reopened.analytics.to_bytes() == expected
        reopened.apply_batch(events[400:])
        reopened.snapshot_now()
        rows = sorted(reopened.analytics.rows())
    conn = sqlite3.connect(path)
    names = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    conn.close()
    assert "projections" not in names
    assert "events_by_user" not in names
    assert {"projection", "projection_rows"} <= names
    assert version == ("2",)
    assert _stored_rows(path) == rows


def test_a_viewer_named_by_any_accepted_event_is_known_and_others_are_not(tmp_path: Path) -> None:
    """`has_user` answers from the projection: every viewer an accepted event names, also after a
    reopen; a viewer named only by a refused event is not known."""
    events = workload(300)
    with FestStore.open(tmp_path / "s.db", pack_fest(), **FAST) as store:
        steps = store.apply_batch(events)
        accepted = {event.user_id for event, step in zip(events, steps, strict=True) if step.accepted}
        refused_only = {event.user_id for event, step in zip(events, steps, strict=True) if not step.accepted}
        assert all(store.has_user(user) for user in accepted)
        assert not any(store.has_user(user) for user in refused_only - accepted)
        assert not store.has_user("nobody")
        store.snapshot_now()
    with FestStore.open(tmp_path / "s.db", pack_fest(), read_only=True) as reader:
        assert all(reader.has_user(user) for user in accepted)
        assert not reader.has_user("nobody")
