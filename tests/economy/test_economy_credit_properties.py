"""Properties with credit lots and promotion discounts: balanced books, lots that add up, replay and restore."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from economy_fests import BASE, make_fest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from festengine.assembly import Engine
from festengine.events import Event, parse_event

BUDGETS = [
    {"id": "fest_rewards", "amount": "100.00", "valid_until": "2026-03-12T00:00:00Z", "lapsed_to": "expired"},
    {"id": "small", "amount": "1.00", "allow_partial": True, "valid_for": "2d"},
    {"id": "tiny", "amount": "1.00", "valid_for": "3d", "lapsed_to": "expired"},
    {"id": "promo", "amount": "15.00"},
]
MISSIONS = [
    {
        "id": "like-2",
        "title": "Like twice",
        "counts": {"event": "like"},
        "target": 2,
        "repeat": 50,
        "rewards": [{"credit": "0.35", "budget": "small"}, {"credit": "0.70", "budget": "tiny"}],
    },
]
PROMOTIONS = [
    {
        "id": "sale",
        "title": "Sale",
        "trigger": {"kind": "schedule", "starts_at": "2026-03-01T08:00:00Z", "ends_at": "2026-03-20T00:00:00Z"},
        "discount": {"percent": "12.5", "min_spend": "1.00", "cap_per_order": "4.00", "cap_per_viewer": "6.00"},
        "budget": "promo",
    }
]
FEST = make_fest(economy__budgets=BUDGETS, missions=MISSIONS, promotions=PROMOTIONS)
START = datetime(2026, 3, 1, 8, tzinfo=UTC)
USERS = ("u1", "u2", "u3")
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
assert BASE["economy"]["conversions"][0]["budget"] == "fest_rewards"


@st.composite
def streams(draw: st.DrawFn, max_size: int = 45) -> list[dict[str, Any]]:
    """Time-ordered gifts, likes, purchases (some spending credit, some with the sale) and refunds, as wire data."""
    now, orders, found = START, [], []
    for index in range(draw(st.integers(min_value=1, max_value=max_size))):
        now += timedelta(minutes=draw(st.integers(min_value=0, max_value=12 * 60)))
        user = draw(st.sampled_from(USERS))
        kinds = ["gift", "like", "like", "purchase", "purchase"]
        kind = draw(st.sampled_from([*kinds, "refund", "refund"] if orders else kinds))
        data: dict[str, Any] = {"event_id": f"h{index}", "occurred_at": now.isoformat(), "user_id": user}
        if kind == "gift":
            data.update(
                type="gift", creator_id="c1", stream_id="s1", gift_id=draw(st.sampled_from(["concert", "lion"]))
            )
        elif kind == "like":
            data.update(type="like", creator_id="c1", stream_id="s1")
        elif kind == "purchase":
            cents = draw(st.integers(min_value=1, max_value=5_000))
            order = f"o{index}"
            orders.append((order, user))
            data.update(
                type="purchase", order_id=order, product_id="p", price=str(Decimal(cents) / 100), currency="USD"
            )
            data["credits"] = str(Decimal(draw(st.integers(min_value=0, max_value=min(cents, 120)))) / 100)
            if draw(st.booleans()):
                data["promotion_id"] = "sale"
        else:
            cents = draw(st.integers(min_value=1, max_value=1_500))
            order, buyer = draw(st.sampled_from(orders))  # a refund names the order's buyer
            data.update(type="refund", user_id=buyer, order_id=order, amount=str(Decimal(cents) / 100))
        found.append(data)
    return found


def apply_all(engine: Engine, stream: list[dict[str, Any]], check: bool = False) -> list[Any]:
    """Apply the stream; a purchase using the sale states the discount the engine computes (capped by credits)."""
    steps = []
    for data in stream:
        event = _event(engine, data)
        before = engine.snapshot() if check else b""
        step = engine.apply(event)
        if check:
            _holds(engine, step, before)
        steps.append(step.outcomes)
    return steps


def _event(engine: Engine, data: dict[str, Any]) -> Event:
    if data.get("promotion_id") is None:
        return parse_event(data)
    promotions = engine.components["social"].promotions
    price = Decimal(data["price"])
    discount = promotions.quote(FEST.promotions["sale"], data["user_id"], price, 1).amount
    credits = min(Decimal(data["credits"]), price - discount)
    return parse_event({**data, "discount": str(discount), "credits": str(credits)})


def _holds(engine: Engine, step: Any, before: bytes) -> None:
    """Balanced books, lots adding up to each wallet, budgets never negative; a refusal changes nothing."""
    assert all(total == 0 for total in engine.ledger.trial_balance().values())
    for user in USERS:
        lots = sum((lot.amount.amount for lot in engine.credits(user)), Decimal(0))
        assert lots == engine.balance(f"viewer:{user}:credits").amount
        assert all(lot.amount.amount > 0 for lot in engine.credits(user))
    assert all(m.amount >= 0 for a, m in engine.ledger.accounts().items() if a.startswith("budget:"))
    if step.rejected is not None:
        assert step.rejected.code != "discount_mismatch"
        assert engine.snapshot() == before


@SETTINGS
@given(streams())
def test_books_balance_and_lots_add_up_with_credits_spent_lapsed_and_given_back(stream: list[dict[str, Any]]) -> None:
    engine = Engine(FEST)
    apply_all(engine, stream, check=True)
    engine.advance_to(datetime(2026, 3, 31, 23, tzinfo=UTC))
    assert all(total == 0 for total in engine.ledger.trial_balance().values())
    for user in USERS:  # every credit lapses by the end: nothing lapses twice, nothing is left behind
        assert all(lot.expires_at is None for lot in engine.credits(user))
        assert engine.balance(f"viewer:{user}:credits").amount == 0


@SETTINGS
@given(streams(), st.integers(min_value=0, max_value=45))
def test_replay_and_restore_agree_with_credits_and_discounts(stream: list[dict[str, Any]], cut: int) -> None:
    first, second = Engine(FEST), Engine(FEST)
    assert apply_all(first, stream) == apply_all(second, stream)
    assert first.snapshot() == second.snapshot()
    cut = min(cut, len(stream))
    interrupted = Engine(FEST)
    apply_all(interrupted, stream[:cut])
    restored = Engine.restore(FEST, interrupted.snapshot())
    apply_all(restored, stream[cut:])
    assert restored.snapshot() == first.snapshot()
    end = datetime(2026, 3, 31, 23, tzinfo=UTC)
    assert restored.advance_to(end).outcomes == first.advance_to(end).outcomes
