"""Property tests with festengine's hypothesis strategies.

Run them with ``pytest examples/testing`` (they need hypothesis: ``pip install "festengine[testing]"``).
``events(fest, ...)`` draws lists of well-formed events for a fest; ask for the deliveries a real
feed makes with ``duplicates=True``, ``out_of_order=True`` and ``late=True``.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings

import festengine
from festengine.testing import events

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"
FEST = festengine.load_fest(PACK)  # loaded once: the strategy needs the compiled fest


@settings(max_examples=20, deadline=None)
@given(feed=events(FEST, max_size=40, duplicates=True, out_of_order=True, late=True))
def test_the_books_balance_whatever_the_feed_does(feed: list[festengine.Event]) -> None:
    """Repeated, reordered and late events never unbalance the ledger."""
    engine = festengine.Engine(FEST)
    for _step in engine.apply_many(feed):
        assert all(total == 0 for total in engine.ledger.trial_balance().values())


@settings(max_examples=20, deadline=None)
@given(feed=events(FEST, max_size=40, duplicates=True, out_of_order=True))
def test_a_replay_gives_the_same_state(feed: list[festengine.Event]) -> None:
    """The same fest and the same events give the same snapshot, byte for byte."""
    first, second = festengine.Engine(FEST), festengine.Engine(FEST)
    list(first.apply_many(feed))
    list(second.apply_many(feed))
    assert first.snapshot() == second.snapshot()


@settings(max_examples=20, deadline=None)
@given(feed=events(FEST, min_size=5, max_size=30, duplicates=True))
def test_a_repeated_event_is_a_duplicate_and_changes_nothing(feed: list[festengine.Event]) -> None:
    """Applying every event a second time (in lateness) yields only Duplicate outcomes, and the state stays."""
    engine = festengine.Engine(FEST)
    list(engine.apply_many(feed))
    before = engine.snapshot()
    recent = [e for e in feed if engine.clock is None or e.occurred_at >= engine.clock - FEST.allowed_lateness]
    for event in recent:
        step = engine.apply(event)
        assert step.duplicate or step.rejected is not None
    assert engine.snapshot() == before
