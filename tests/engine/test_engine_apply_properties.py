"""``apply`` at its boundary, on the bundled pack: valid and invalid events mixed, restores in between."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from festengine import Engine, load_fest
from festengine.catalog.model import Fest
from festengine.events import Event
from festengine.testing.strategies import events as pack_events

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"


@functools.cache
def fest() -> Fest:
    return load_fest(PACK)


def _spoiled(draw: st.DrawFn, event: Event) -> Event:
    """The event made invalid in one of the ways the engine must refuse (built directly, not parsed)."""
    how = draw(st.sampled_from(["gift", "before", "after", "year1", "year9999", "claim", "refund", "currency"]))
    if how == "gift":
        return attrs.evolve(event, type="gift", gift_id="unicorn", repeat_count=1, repeat_end=True)
    if how in ("before", "after", "year1", "year9999"):
        at = {
            "before": datetime(2026, 1, 1, tzinfo=UTC),
            "after": datetime(2027, 1, 1, tzinfo=UTC),
            "year1": datetime(1, 1, 2, tzinfo=UTC),
            "year9999": datetime(9999, 12, 30, tzinfo=UTC),
        }[how]
        return attrs.evolve(event, occurred_at=at)
    if how == "claim":
        return attrs.evolve(event, type="claim", mission_id="no_such_mission")
    if how == "refund":
        return attrs.evolve(event, type="refund", order_id="never-bought", amount=Decimal("1.00"), currency="USD")
    return attrs.evolve(
        event, type="purchase", order_id="o-x", product_id="p1", price=Decimal("5.00"), quantity=1,
        amount=Decimal("5.00"), currency="XXX",
    )  # fmt: skip


@st.composite
def mixed(draw: st.DrawFn) -> list[Event | None]:
    """The pack's events (with duplicates and late ones), some spoiled, and restores (``None``) between."""
    events = draw(pack_events(fest(), max_size=30, users=3, creators=2, duplicates=True, out_of_order=True))
    steps: list[Event | None] = []
    for event in events:
        if draw(st.integers(min_value=0, max_value=5)) == 0:
            steps.append(None)
        spoil = draw(st.integers(min_value=0, max_value=3)) == 0
        steps.append(_spoiled(draw, event) if spoil else event)
    return steps


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mixed())
def test_apply_never_raises_refusals_change_nothing_and_the_books_balance(steps: list[Event | None]) -> None:
    """On valid and invalid events mixed, with snapshot and restore in between: ``apply`` never raises,
    a refused (or duplicate) event leaves the snapshot byte-identical, and the trial balance is zero
    in every currency after every event."""
    engine = Engine(fest())
    for event in steps:
        if event is None:
            engine = Engine.restore(fest(), engine.snapshot())
            continue
        before = engine.snapshot()
        step = engine.apply(event)
        if not step.accepted:
            assert engine.snapshot() == before
        assert all(total == 0 for total in engine.ledger.trial_balance().values())
        assert not engine.failed
