"""The live projection's parts: cells add every counter, and a projection restored from its bytes folds
on exactly as one that never stopped (whatever the point it was stored at)."""

from __future__ import annotations

import copy
from decimal import Decimal

from analytics_fests import BASE, at, ev
from hypothesis import given, settings
from hypothesis import strategies as st

from festengine.analytics.live import LiveAnalytics
from festengine.analytics.metrics import COUNTERS, Cell
from festengine.assembly import Engine
from festengine.catalog.compile import compile_fest
from festengine.catalog.spec import FestSpec
from festengine.engine.core import Step
from festengine.events import Event
from festengine.testing.strategies import events as event_streams

FEST = compile_fest(FestSpec.model_validate(BASE))


def test_a_cell_adds_every_counter_and_the_viewers() -> None:
    one, other = Cell(), Cell()
    for number, name in enumerate(COUNTERS, start=1):
        value = getattr(other, name)
        setattr(other, name, Decimal(number) if isinstance(value, Decimal) else number)
        setattr(one, name, Decimal(100) if isinstance(value, Decimal) else 100)
    one.viewers, other.viewers = {1, 2}, {2, 3}
    one.add(other)
    for number, name in enumerate(COUNTERS, start=1):
        assert getattr(one, name) == 100 + number, name
    assert one.viewers == {1, 2, 3}


@settings(max_examples=25, deadline=None)
@given(stream=event_streams(FEST, min_size=1, max_size=60), cut=st.integers(min_value=0, max_value=60))
def test_property_a_restored_projection_folds_on_like_one_that_never_stopped(stream: list[Event], cut: int) -> None:
    """Stored after ``cut`` events and restored, the projection ends with the same bytes and dashboard."""
    engine, whole, part = Engine(FEST), LiveAnalytics(FEST), LiveAnalytics(FEST)
    for index, event in enumerate(stream):
        step = engine.apply(event)
        whole.observe(event, step)
        if index == cut:
            restored = LiveAnalytics.from_bytes(FEST, part.to_bytes())
            assert restored is not None
            part = restored
        part.observe(event, step)
    assert part.to_bytes() == whole.to_bytes()
    assert part.dashboard.current() == whole.dashboard.current()


def test_after_an_upgrade_gifts_count_by_the_new_packs_coins_and_before_it_by_the_old() -> None:
    """A running fest moved to a pack where a concert is worth 800 coins: gifts before keep 500 each."""
    spec = copy.deepcopy(BASE)
    spec["economy"]["gifts"][2]["coins"] = 800
    changed = compile_fest(FestSpec.model_validate(spec))
    live = LiveAnalytics(FEST)
    before = ev("gift", at(1, "19:00"), gift_id="concert")
    live.observe(before, Step(before.event_id, ()))
    live.upgrade(changed)
    after = ev("gift", at(1, "19:05"), gift_id="concert")
    live.observe(after, Step(after.event_id, ()))
    total = live.dashboard.current().fest.total
    assert (total.gifts, total.gift_coins, total.gift_value) == (2, 1300, Decimal("13.00"))
