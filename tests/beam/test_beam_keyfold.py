"""A key's step (``festengine.beam.keyfold``) and the timers' times, without running a pipeline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytest.importorskip(
    "apache_beam", reason="the Beam pipeline needs the beam extra (pip install 'festengine[beam]'), not installed here"
)

from festengine import load_fest
from festengine.beam import owners
from festengine.beam.keyfold import END_CAUSE, event_input, input_order, run_key
from festengine.beam.transforms import _Clock
from festengine.catalog.model import Fest
from festengine.events import Event, parse_event
from festengine.sim import workload_events

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "missions" / "community-fest"


@pytest.fixture(scope="module")
def fest() -> Fest:
    return load_fest(PACK)


@pytest.fixture(scope="module")
def inputs(fest: Fest) -> list[str]:
    events = workload_events(fest, viewers=60, creators=4, events=600, seed=5, streams=True)
    return [event_input(event) for event in events]


def _like(event_id: str, at: str, user: str = "u1") -> Event:
    return parse_event(
        {
            "type": "like",
            "event_id": event_id,
            "occurred_at": at,
            "user_id": user,
            "creator_id": "c1",
            "stream_id": "s1",
            "count": 1,
        }
    )


def test_a_keys_order_is_by_time_then_id_then_text() -> None:
    """Inputs sort by event time, then event id; the same id twice by its text, so no runner's delivery order
    can change a key's order."""
    late = event_input(_like("e1", "2026-06-15T10:00:05Z"))
    early_b = event_input(_like("e2", "2026-06-15T10:00:00Z"))
    early_a = event_input(_like("e10", "2026-06-15T10:00:00Z"))
    again = event_input(_like("e2", "2026-06-15T10:00:00Z", user="u2"))
    ordered = sorted([late, again, early_b, early_a], key=input_order)
    assert ordered == [early_a, *sorted([early_b, again]), late]


def test_a_key_run_in_parts_equals_one_run(fest: Fest, inputs: list[str]) -> None:
    """Applying a key's inputs in two firings (the engine restored from its bytes in between) gives the
    same outcomes, journal and state as one firing: the tick changes nothing but latency."""
    key = owners.KeyModel().route(fest, parse_event(inputs[0][1:]))
    ordered = sorted(inputs, key=input_order)
    whole = run_key(fest, key, None, 0, ordered, end=True)
    half = len(ordered) // 2
    first = run_key(fest, key, None, 0, reversed(ordered[:half]))
    second = run_key(fest, key, first.state, first.emitted, ordered[half:], end=True)
    assert first.outcomes + second.outcomes == whole.outcomes
    assert first.journal + second.journal == whole.journal
    assert second.state == whole.state
    assert second.emitted == whole.emitted == len(whole.outcomes)
    records = [json.loads(line) for line in whole.outcomes]
    assert [record["seq"] for record in records] == list(range(len(records)))
    assert {record["key"] for record in records} == {key}
    assert records[-1]["cause"] == END_CAUSE or all(record["cause"] != END_CAUSE for record in records)


def test_every_journal_record_balances(fest: Fest, inputs: list[str]) -> None:
    key = owners.KeyModel().route(fest, parse_event(inputs[0][1:]))
    run = run_key(fest, key, None, 0, inputs, end=True)
    assert run.journal
    for line in run.journal:
        record = json.loads(line)
        assert record["key"] == key
        assert sum(float(amount) for _account, amount, _currency in record["postings"]) == pytest.approx(0)


def test_an_input_is_due_a_lateness_after_it_rounded_up_to_the_tick_and_never_after_the_end(fest: Fest) -> None:
    lateness = fest.allowed_lateness
    assert lateness == timedelta(minutes=10)  # the bundled pack's
    clock = _Clock(fest, timedelta(hours=1))
    start = fest.starts_at.astimezone(UTC)
    on_the_hour = datetime(start.year, start.month, start.day, start.hour, tzinfo=UTC) + timedelta(hours=2)
    assert clock.due(on_the_hour.timestamp()) == round((on_the_hour + timedelta(hours=1)).timestamp() * 1e6)
    just_before = on_the_hour - lateness - timedelta(seconds=1)
    assert clock.due(just_before.timestamp()) == round(on_the_hour.timestamp() * 1e6)
    end = round((fest.ends_at + lateness).timestamp() * 1e6)
    assert clock.end == end
    assert clock.due((fest.ends_at - timedelta(seconds=1)).timestamp()) == end
    assert _Clock(fest, None).due(on_the_hour.timestamp()) == end
