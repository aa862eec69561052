"""The benchmark workload: an exact count and mix, time-ordered, deterministic, valid for the pack."""

from __future__ import annotations

from collections import Counter

import pytest
from sim_fests import PACK, fingerprint, small_fest

from festengine import load_fest
from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.events import event_to_dict, parse_event
from festengine.sim import DEFAULT_MIX, SimulationError, horizon_of, mix_counts, workload_events
from festengine.sim.simulator import fest_days


@pytest.fixture(scope="module")
def pack() -> Fest:
    return load_fest(PACK)


def test_exact_count_and_mix(pack: Fest) -> None:
    events = list(workload_events(pack, viewers=200, creators=10, events=10_000, seed=1))
    assert len(events) == 10_000
    assert Counter(e.type for e in events) == {
        "view": 5000, "like": 2000, "comment": 1000, "gift": 800, "share": 400, "link_click": 600, "purchase": 200,
    }  # fmt: skip


def test_every_prefix_is_close_to_the_mix(pack: Fest) -> None:
    """Smooth round robin: after n events each type is within one of its share."""
    seen: Counter[str] = Counter()
    for n, event in enumerate(workload_events(pack, viewers=50, creators=5, events=2_000, seed=1), start=1):
        seen[event.type] += 1
        for kind, share in DEFAULT_MIX.items():
            assert abs(seen[kind] - n * share) <= 1.0


def test_mix_counts_sum_exactly_by_largest_remainder() -> None:
    assert mix_counts({"view": 1, "like": 1, "comment": 1}, 10) == {"view": 4, "like": 3, "comment": 3}
    assert sum(mix_counts(DEFAULT_MIX, 999_999).values()) == 999_999


def test_time_ordered_inside_the_days_and_deterministic(pack: Fest) -> None:
    events = list(workload_events(pack, viewers=100, creators=5, events=3_000, seed=9, days=3))
    times = [e.occurred_at for e in events]
    assert times == sorted(times)
    assert pack.starts_at <= times[0]
    assert times[-1] < pack.calendar.day_start(3)
    assert fingerprint(events) == fingerprint(
        workload_events(pack, viewers=100, creators=5, events=3_000, seed=9, days=3)
    )
    assert fingerprint(events) != fingerprint(
        workload_events(pack, viewers=100, creators=5, events=3_000, seed=8, days=3)
    )


def test_the_engine_accepts_the_workload(pack: Fest) -> None:
    """Valid for the pack: known gifts, pack currency, unique order ids; nothing is rejected."""
    events = list(workload_events(pack, viewers=100, creators=5, events=2_000, seed=3))
    engine = Engine(pack)
    assert all(engine.apply(e).accepted for e in events)
    assert all(parse_event(event_to_dict(e)) == e for e in events)


def test_bad_mixes_are_refused(pack: Fest) -> None:
    with pytest.raises(SimulationError, match="cannot make"):
        list(workload_events(pack, viewers=1, creators=1, events=1, seed=1, mix={"teleport": 1.0}))
    with pytest.raises(SimulationError, match="positive sum"):
        list(workload_events(pack, viewers=1, creators=1, events=1, seed=1, mix={"view": 0.0}))


def test_streams_start_and_end_around_each_day(pack: Fest) -> None:
    """With ``streams=True`` each creator's stream of each day starts before and ends after its events;
    the other events are exactly those of the plain workload, and the engine accepts them all."""
    plain = list(workload_events(pack, viewers=100, creators=4, events=3_000, seed=5, days=3))
    events = list(workload_events(pack, viewers=100, creators=4, events=3_000, seed=5, days=3, streams=True))
    assert [e for e in events if e.type not in ("stream_started", "stream_ended")] == plain
    assert Counter(e.type for e in events)["stream_started"] == 12
    assert Counter(e.type for e in events)["stream_ended"] == 12
    times = [e.occurred_at for e in events]
    assert times == sorted(times)
    position = {e.event_id: n for n, e in enumerate(events)}
    for n, event in enumerate(events):
        if event.stream_id is not None and event.type not in ("stream_started", "stream_ended"):
            assert position[f"w-start-{event.stream_id}"] < n < position[f"w-end-{event.stream_id}"]
    engine = Engine(pack)
    assert all(engine.apply(e).accepted for e in events)


def test_the_default_days_cover_a_shorter_fest_whole() -> None:
    """workload_events spreads over its default 21 days, or over all of a fest that is shorter (the
    simulator's refusal of days beyond the fest does not apply to this default)."""
    fest = small_fest()
    assert fest_days(fest) == 7
    events = list(workload_events(fest, viewers=20, creators=2, events=500, seed=1))
    start, end = horizon_of(fest, None)
    assert len(events) == 500
    assert start <= events[0].occurred_at.timestamp() <= events[-1].occurred_at.timestamp() < end
    assert events[-1].occurred_at.timestamp() > end - 86_400  # reaches the last day
