"""In-memory fests and event helpers for the economy tests, written like a designer would write them."""

from __future__ import annotations

import copy
import itertools
from decimal import Decimal
from typing import Any

from festengine.assembly import Engine
from festengine.catalog.compile import compile_fest
from festengine.catalog.model import Fest
from festengine.catalog.spec import FestSpec
from festengine.economy.money import Money
from festengine.engine.core import Step
from festengine.events import Event, parse_event

BASE: dict[str, Any] = {
    "fest": {
        "id": "money-fest",
        "name": "Money Fest",
        "timezone": "America/Los_Angeles",
        "starts_at": "2026-03-01T00:00:00-08:00",
        "ends_at": "2026-04-01T00:00:00-07:00",
        "allowed_lateness": "10m",
    },
    "economy": {
        "currency": "USD",
        "minor_unit": 2,
        "rounding": "half_even",
        "coin_value": {"app": "0.0143", "web": "0.0105"},
        "default_channel": "app",
        "split": {"creator": "0.50", "platform": "0.50"},
        "gifts": [
            {"id": "rose", "name": "Rose", "coins": 1, "streakable": True},
            {"id": "panda", "name": "Panda", "coins": 5, "streakable": True},
            {"id": "concert", "name": "Concert", "coins": 500},
            {"id": "lion", "name": "Lion", "coins": 29999},
        ],
        "budgets": [
            {"id": "fest_rewards", "amount": "100.00"},
            {"id": "small", "amount": "1.00", "allow_partial": True},
            {"id": "tiny", "amount": "1.00"},
        ],
        "conversions": [
            {
                "id": "launch-week",
                "valid_from": "2026-03-05T00:00:00-08:00",
                "valid_to": "2026-03-10T00:00:00-07:00",
                "viewer_credit_rate": "0.10",
                "creator_bonus_rate": "0.05",
                "budget": "fest_rewards",
                "daily_cap_per_viewer": "5.00",
            },
            {
                "id": "finale",
                "valid_from": "2026-03-10T00:00:00-07:00",
                "valid_to": "2026-03-15T00:00:00-07:00",
                "viewer_credit_rate": "0.20",
                "budget": "small",
            },
        ],
    },
    "commission": {
        "attribution_window": "14d",
        "in_stream_window": "30m",
        "settlement_days": 7,
        "rules": [
            {
                "id": "open-tiered",
                "kind": "open",
                "tiers": [
                    {"from_volume": "0", "rate": "0.10"},
                    {"from_volume": "100", "rate": "0.12"},
                    {"from_volume": "500", "rate": "0.15"},
                ],
            },
            {"id": "lipstick-star", "kind": "targeted", "match": {"products": ["p-lipstick"]}, "rate": "0.20"},
            {"id": "seller-s9", "kind": "targeted", "match": {"sellers": ["s9"], "channels": ["live"]}, "rate": "0.30"},
        ],
        "bonus_windows": [
            {
                "id": "beauty-weekend",
                "starts_at": "2026-03-20T00:00:00-07:00",
                "ends_at": "2026-03-23T00:00:00-07:00",
                "extra_rate": "0.02",
                "categories": ["beauty"],
            },
        ],
    },
    "missions": [],
}


def make_fest(**sections: Any) -> Fest:
    """The base fest with top-level sections (or ``economy__<key>`` economy keys) replaced."""
    data = copy.deepcopy(BASE)
    for key, value in sections.items():
        if key.startswith("economy__"):
            data["economy"][key.removeprefix("economy__")] = value
        elif key.startswith("commission__"):
            data["commission"][key.removeprefix("commission__")] = value
        else:
            data[key] = value
    return compile_fest(FestSpec.model_validate(data))


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> str:
    """A UTC time on a day of March 2026."""
    return f"2026-03-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}Z"


def usd(amount: str | int) -> Money:
    return Money(Decimal(amount), "USD")


class Feed:
    """Builds events with increasing ids: ``feed.gift(at(2), "u1", "c1", "lion")``."""

    def __init__(self, prefix: str = "e") -> None:
        self._ids = itertools.count(1)
        self._prefix = prefix
        #: order id -> its buyer: a refund or delivery names the buyer (an order belongs to its buyer's key)
        self._buyers: dict[str, str] = {}

    def event(self, kind: str, when: str, user: str, **fields: Any) -> Event:
        data = {"event_id": f"{self._prefix}{next(self._ids)}", "type": kind, "occurred_at": when, "user_id": user}
        data.update({key: value for key, value in fields.items() if value is not None})
        return parse_event(data)

    def gift(self, when: str, user: str, creator: str, gift: str, **fields: Any) -> Event:
        fields.setdefault("stream_id", f"s-{creator}")
        return self.event("gift", when, user, creator_id=creator, gift_id=gift, **fields)

    def purchase(self, when: str, user: str, order: str, price: str, **fields: Any) -> Event:
        fields.setdefault("product_id", "p-generic")
        fields.setdefault("currency", "USD")
        self._buyers.setdefault(order, user)
        return self.event("purchase", when, user, order_id=order, price=price, **fields)

    def click(self, when: str, user: str, creator: str, product: str = "p-generic") -> Event:
        return self.event("link_click", when, user, creator_id=creator, product_id=product)

    def delivery(self, when: str, order: str, user: str | None = None) -> Event:
        """A delivery, by default naming the order's buyer."""
        return self.event("delivery", when, user or self._buyers.get(order, "u1"), order_id=order)

    def refund(self, when: str, order: str, amount: str, user: str | None = None, **fields: Any) -> Event:
        """A refund, by default naming the order's buyer."""
        return self.event(
            "refund", when, user or self._buyers.get(order, "u1"), order_id=order, amount=amount, **fields
        )

    def stream(self, when: str, creator: str, stream: str, *, started: bool = True) -> Event:
        kind = "stream_started" if started else "stream_ended"
        return self.event(kind, when, creator, creator_id=creator, stream_id=stream)


def run(engine: Engine, *events: Event) -> list[Step]:
    """Apply events, failing loudly on any rejection."""
    steps = []
    for event in events:
        step = engine.apply(event)
        assert step.rejected is None, step.rejected
        steps.append(step)
    return steps


def trial_balance_is_zero(engine: Engine) -> bool:
    return all(total == 0 for total in engine.ledger.trial_balance().values())
