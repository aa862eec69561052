"""Properties of the books over random event streams: balanced, replayable, reversible, never overdrawn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
from economy_fests import make_fest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from festengine.assembly import Engine
from festengine.catalog.model import Conversion
from festengine.catalog.model import Economy as EconomySettings
from festengine.economy.gifts import GiftPricer
from festengine.economy.money import Money, allocate, quantum_of
from festengine.events import Event, parse_event

MISSIONS = [
    {
        "id": "like-2",
        "title": "Like twice",
        "counts": {"event": "like"},
        "target": 2,
        "repeat": 50,
        "rewards": [{"credit": "0.35", "budget": "small"}, {"credit": "0.70", "budget": "tiny"}],
    },
    {
        "id": "share-1",
        "title": "Share",
        "counts": {"event": "share"},
        "target": 1,
        "repeat": 5,
        "rewards": [{"commission_boost": "0.03", "duration": "2d"}],
    },
]
FEST = make_fest(missions=MISSIONS)
START = datetime(2026, 3, 1, 8, tzinfo=UTC)
USERS = ("u1", "u2", "u3", "c1")
CREATORS = ("c1", "c2")
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def event_streams(draw: st.DrawFn, max_size: int = 40) -> list[Event]:
    """A random, time-ordered stream of gifts, clicks, streams, purchases, deliveries, refunds, likes and shares."""
    count = draw(st.integers(min_value=1, max_value=max_size))
    now = START
    orders: list[tuple[str, int, str]] = []
    events = []
    for index in range(count):
        now += timedelta(
            minutes=draw(st.integers(min_value=0, max_value=180) | st.integers(min_value=0, max_value=4 * 24 * 60))
        )
        if now >= datetime(2026, 3, 31, tzinfo=UTC):
            break
        data = _one(draw, orders)
        data.update(event_id=f"h{index}", occurred_at=now.isoformat())
        events.append(parse_event(data))
    return events


def _one(draw: st.DrawFn, orders: list[tuple[str, int, str]]) -> dict[str, Any]:
    user = draw(st.sampled_from(USERS))
    creator = draw(st.sampled_from(CREATORS))
    kinds = ["gift", "click", "purchase", "like", "share", "stream_started", "stream_ended"]
    kind = draw(st.sampled_from([*kinds, "delivery", "refund", "refund"] if orders else kinds))
    stream = {"creator_id": creator, "stream_id": f"s-{creator}"}
    if kind == "gift":
        gift = draw(st.sampled_from(["rose", "panda", "concert", "lion"]))
        extra = {"channel": draw(st.sampled_from(["app", "web"]))} if draw(st.booleans()) else {}
        count = draw(st.integers(min_value=1, max_value=4))
        return {"type": "gift", "user_id": user, **stream, "gift_id": gift, "count": count, **extra}
    if kind == "click":
        return {"type": "link_click", "user_id": user, "creator_id": creator, "product_id": "p"}
    if kind in ("like", "share", "stream_started", "stream_ended"):
        return {"type": kind, "user_id": creator if kind.startswith("stream") else user, **stream}
    if kind == "purchase":
        return _purchase(draw, user, creator, orders)
    order, paid_cents, buyer = draw(st.sampled_from(orders))
    user = buyer if draw(st.integers(min_value=0, max_value=9)) else user  # a refund names its buyer, mostly
    if kind == "delivery":
        return {"type": "delivery", "user_id": user, "order_id": order}
    cents = draw(st.integers(min_value=1, max_value=paid_cents + 100))
    return {"type": "refund", "user_id": user, "order_id": order, "amount": str(Decimal(cents) / 100)}


def _purchase(draw: st.DrawFn, user: str, creator: str, orders: list[tuple[str, int, str]]) -> dict[str, Any]:
    price = draw(st.integers(min_value=1, max_value=50_000))
    quantity = draw(st.integers(min_value=1, max_value=3))
    discount = draw(st.integers(min_value=0, max_value=price * quantity))
    order = f"o{len(orders)}"
    orders.append((order, price * quantity - discount, user))
    data = {
        "type": "purchase",
        "user_id": user,
        "order_id": order,
        "price": str(Decimal(price) / 100),
        "quantity": quantity,
        "discount": str(Decimal(discount) / 100),
        "tax": "1.10",
        "shipping": "2.00",
        "currency": "USD",
        "product_id": draw(st.sampled_from(["p", "p-lipstick"])),
        "category": draw(st.sampled_from(["beauty", "toys"])),
    }
    where = draw(st.sampled_from(["none", "creator", "stream"]))
    if where != "none":
        data["creator_id"] = creator
    if where == "stream":
        data["stream_id"] = f"s-{creator}"
    return data


def _budgets_never_negative(engine: Engine) -> bool:
    return all(m.amount >= 0 for a, m in engine.ledger.accounts().items() if a.startswith("budget:"))


@PROPERTY_SETTINGS
@given(event_streams())
def test_the_books_balance_after_every_event_and_no_budget_goes_negative(events: list[Event]) -> None:
    """After each event (and each settlement) every currency sums to zero and every budget is >= 0."""
    engine = Engine(FEST)
    for event in events:
        engine.apply(event)
        assert all(total == 0 for total in engine.ledger.trial_balance().values())
        assert _budgets_never_negative(engine)
    engine.advance_to(datetime(2026, 3, 31, 23, tzinfo=UTC))
    assert all(total == 0 for total in engine.ledger.trial_balance().values())


@PROPERTY_SETTINGS
@given(event_streams(), st.integers(min_value=0, max_value=40))
def test_replay_and_restore_give_the_identical_ledger(events: list[Event], cut: int) -> None:
    """Two runs of the same events agree entry by entry; snapshot, restore and continue agrees too."""
    first, second = Engine(FEST), Engine(FEST)
    outcomes_first = [first.apply(event).outcomes for event in events]
    outcomes_second = [second.apply(event).outcomes for event in events]
    assert outcomes_first == outcomes_second
    assert first.ledger.entries == second.ledger.entries
    assert first.snapshot() == second.snapshot()
    cut = min(cut, len(events))
    interrupted = Engine(FEST)
    for event in events[:cut]:
        interrupted.apply(event)
    restored = Engine.restore(FEST, interrupted.snapshot())
    for event in events[cut:]:
        restored.apply(event)
    assert restored.ledger.entries == first.ledger.entries
    assert restored.snapshot() == first.snapshot()


@PROPERTY_SETTINGS
@given(event_streams(), st.sampled_from(CREATORS))
def test_refunding_every_order_of_a_creator_leaves_net_commission_zero(events: list[Event], creator: str) -> None:
    """Whatever happened before (partial refunds, settlements, clawbacks), refunding the rest nets to zero."""
    engine = Engine(FEST)
    for event in events:
        engine.apply(event)
    economy = engine.components["economy"]
    last = engine.clock or START
    for index, order in enumerate(economy.orders()):
        if order.creator_id == creator and order.remaining > 0:
            refund = {
                "event_id": f"r{index}",
                "type": "refund",
                "occurred_at": last.isoformat(),
                "user_id": order.user_id,  # a refund names the order's buyer
                "order_id": order.order_id,
                "amount": str(order.remaining),
            }
            step = engine.apply(parse_event(refund))
            assert step.rejected is None, step.rejected
    net = economy.balance(f"creator:{creator}:commission_pending") + economy.payable(creator)
    assert net.is_zero()
    assert economy.settled_volume(creator).is_zero()


coin_values = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("5"), places=4)
shares = st.decimals(min_value=Decimal(0), max_value=Decimal(1), places=4)


@settings(max_examples=300, deadline=None)
@given(
    coins=st.integers(min_value=1, max_value=10_000_000),
    coin_value=coin_values,
    creator_share=shares,
    rule=st.sampled_from(["half_even", "half_up", "down"]),
    minor_unit=st.integers(min_value=0, max_value=4),
    credit_rate=shares,
)
def test_gift_splits_add_up_exactly_for_any_coins_and_rate(
    coins: int, coin_value: Decimal, creator_share: Decimal, rule: str, minor_unit: int, credit_rate: Decimal
) -> None:
    """creator + platform + rounding == coins x coin value, parts on the currency's grid, remainder small."""
    settings_ = attrs.evolve(
        FEST.economy,
        coin_value={"app": coin_value},
        creator_share=creator_share,
        platform_share=1 - creator_share,
        rounding=rule,
        minor_unit=minor_unit,
    )
    conversion = Conversion("c", START, START, credit_rate, Decimal(0), "small", None)
    split = GiftPricer(settings_).split("app", coins, conversion)
    quantum = quantum_of(minor_unit)
    assert split.creator + split.platform + split.rounding == split.value == Money(coins * coin_value, "USD")
    assert split.creator.amount % quantum == 0
    assert split.platform.amount % quantum == 0
    assert abs(split.rounding.amount) < 2 * quantum
    assert split.credit % quantum == 0
    assert abs(split.credit - split.value.amount * credit_rate) < quantum


@settings(max_examples=300, deadline=None)
@given(
    total=st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=6),
    weights=st.lists(st.decimals(min_value=0, max_value=1000, places=3), min_size=1, max_size=6).filter(any),
    rule=st.sampled_from(["half_even", "half_up", "down"]),
)
def test_allocate_is_exact_for_any_weights(total: Decimal, weights: list[Decimal], rule: str) -> None:
    """Parts plus remainder equal the total to the last digit."""
    split = allocate(total, weights, Decimal("0.01"), rule)
    assert sum(split.parts, split.remainder) == total
    assert len(split.parts) == len(weights)


def test_the_settings_type_is_the_compiled_economy() -> None:
    """The pricer reads the compiled fest's economy (a guard for the evolve above)."""
    assert isinstance(FEST.economy, EconomySettings)
