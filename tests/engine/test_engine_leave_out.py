"""``Engine(fest, leave_out=...)``: steps without the outcome types a backend never reads, and nothing else changes."""

from __future__ import annotations

import copy
import functools
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from festengine import load_fest
from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.economy.outcomes import LedgerEntryPosted
from festengine.engine.outcomes import (
    Duplicate,
    MissionCompleted,
    MissionExpired,
    MissionProgressed,
    Outcome,
    Rejected,
)
from festengine.events import Event
from festengine.sim import workload_events
from festengine.social.outcomes import CommunityProgressed

#: high-volume kinds, and MissionCompleted, which journeys and promotions subscribe to
LEFT_OUT: frozenset[type[Outcome]] = frozenset(
    {MissionProgressed, MissionExpired, CommunityProgressed, MissionCompleted, LedgerEntryPosted}
)


@functools.cache
def _fest() -> Fest:
    return load_fest("community-fest")


@functools.cache
def _feed(seed: int) -> tuple[Event, ...]:
    return tuple(workload_events(_fest(), viewers=40, creators=4, events=600, seed=seed, days=3, streams=True))


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10_000), left_out=st.sets(st.sampled_from(sorted(LEFT_OUT, key=str))))
def test_leaving_out_outcomes_changes_nothing_else(seed: int, left_out: set[type[Outcome]]) -> None:
    """Every step equals the full engine's step without the left-out types, in the same order, and
    the snapshots are byte-identical (subscribers of a left-out type still got it)."""
    full, lean = Engine(_fest()), Engine(_fest(), leave_out=left_out)
    for event in _feed(seed):
        expected = [o for o in full.apply(event).outcomes if type(o) not in left_out]
        assert list(lean.apply(event).outcomes) == expected
    assert lean.snapshot() == full.snapshot()


def test_left_out_subscribed_outcomes_still_reach_their_subscribers() -> None:
    """Journeys and promotions react to MissionCompleted: leaving it out of steps keeps their effects."""
    full, lean = Engine(_fest()), Engine(_fest(), leave_out={MissionCompleted})
    kinds_full: set[str] = set()
    kinds_lean: set[str] = set()
    for event in _feed(3):
        kinds_full |= {o.kind for o in full.apply(event).outcomes}
        kinds_lean |= {o.kind for o in lean.apply(event).outcomes}
    assert "mission_completed" in kinds_full
    assert "mission_completed" not in kinds_lean
    assert kinds_full - {"mission_completed"} == kinds_lean
    assert lean.snapshot() == full.snapshot()


@pytest.mark.parametrize("kind", [Duplicate, Rejected])
def test_refusals_cannot_be_left_out(kind: type[Outcome]) -> None:
    """Duplicate and Rejected are how a step says it was refused: leaving them out is a ValueError."""
    with pytest.raises(ValueError, match=f"{kind.__name__} cannot be left out"):
        Engine(_fest(), leave_out={kind})


def test_only_outcome_classes_can_be_left_out() -> None:
    """Anything but an outcome class is a TypeError naming it."""
    with pytest.raises(TypeError, match="leave_out takes outcome classes, not 'mission_progressed'"):
        Engine(_fest(), leave_out={"mission_progressed"})  # type: ignore[arg-type]


def test_restore_pickle_and_copy_keep_what_is_left_out() -> None:
    """A restored, pickled or copied engine leaves out the same types and continues like the original."""
    engine = Engine(_fest(), leave_out={MissionProgressed})
    feed = _feed(5)
    for event in feed[:300]:
        engine.apply(event)
    restored = Engine.restore(_fest(), engine.snapshot(), leave_out={MissionProgressed})
    pickled = pickle.loads(pickle.dumps(engine))  # noqa: S301 - our own bytes
    clones = [restored, pickled, copy.deepcopy(engine)]
    assert all(clone.left_out == frozenset({MissionProgressed}) for clone in clones)
    for event in feed[300:]:
        step = engine.apply(event)
        assert not step.of(MissionProgressed)
        for clone in clones:
            assert clone.apply(event) == step
