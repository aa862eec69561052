"""Properties of the mapping over arbitrary message sequences: it never raises, and replays change nothing."""

from __future__ import annotations

from typing import Any

from festengine import Engine, Fest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tiktok_messages as m
from festengine_tiktoklive import Mapper, Room

ids = st.integers(1, 60)
times = st.integers(0, 2_000)
viewers = st.integers(0, 5)  # 0: a message without a sender's id

messages = st.one_of(
    st.builds(
        m.gift,
        ids,
        times,
        st.integers(1, 5),
        st.sampled_from(sorted(m.GIFTS)),
        repeat_count=st.integers(0, 12),
        repeat_end=st.booleans(),
        diamonds=st.none() | st.integers(0, 600),
        to_user=st.none() | st.integers(0, 3),
        group_count=st.integers(0, 3),
        kind=st.none() | st.integers(0, 2),
    ),
    st.builds(m.like, ids, times, viewers, st.integers(0, 100)),
    st.builds(m.comment, ids, times, viewers, st.text(max_size=30)),
    st.builds(m.join, ids, times, viewers),
    st.builds(m.follow, ids, times, viewers),
    st.builds(m.share, ids, times, viewers),
    st.builds(m.viewers, ids, times, st.integers(0, 100), st.lists(st.integers(1, 5), max_size=3).map(tuple)),
    st.builds(m.live_end, ids, times),
)


def mapped(fest: Fest, sequence: list[Any]) -> list[Any]:
    mapper = Mapper(fest, Room(str(m.ROOM), str(m.OWNER)))
    return [event for message in sequence for event in mapper.map(message).events]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(messages, max_size=25))
def test_any_sequence_maps_and_replays_to_nothing_new(fest: Fest, sequence: list[Any]) -> None:
    """Any sequence of messages (odd fields included) maps without an exception, the same way twice, and
    applying its events a second time, through a new mapper, only gives duplicates."""
    engine = Engine(fest)
    first = mapped(fest, sequence)
    assert mapped(fest, sequence) == first
    for event in first:
        engine.apply(event)
    before = engine.snapshot()
    for event in mapped(fest, sequence):
        step = engine.apply(event)
        assert step.duplicate or step.rejected is not None  # refused the first time: refused again
    assert engine.snapshot() == before
