"""Money across owner keys: an engine holding only the viewers' keys sends the budgets and the commission
messages; an engine holding only the fest's key answers them; split this way, the books are the one
engine's, no budget goes below zero whatever order the requests arrive in, and a message applied twice
changes nothing."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from economy_fests import Feed, at, make_fest, run, usd
from hypothesis import given, settings
from hypothesis import strategies as st

from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.economy.messages import (
    ECONOMY_MESSAGES,
    TRANSIT,
    AccrueCommission,
    GrantAnswer,
    GrantCredit,
    PayDiscount,
    ReturnCredit,
    ReverseCommission,
    StartSettlement,
)
from festengine.economy.outcomes import BudgetExhausted, CreditGranted, GiftConverted, OrderRecorded
from festengine.engine.core import Step
from festengine.engine.keys import FEST_KEY, Owner
from festengine.engine.messages import Message, decode_message, encode_message
from festengine.events import Event
from festengine.keyed import KeyedEngine, restore_key

PROMO = {
    "id": "spring_sale",
    "title": "Spring sale",
    "trigger": {"kind": "schedule", "starts_at": "2026-03-12T00:00:00Z", "ends_at": "2026-03-14T00:00:00Z"},
    "discount": {"percent": "15"},
    "budget": "promo",
}
BUDGETS = [
    {"id": "fest_rewards", "amount": "100.00"},
    {"id": "small", "amount": "1.00", "allow_partial": True},
    {"id": "tiny", "amount": "1.00"},
    {"id": "welcome", "amount": "20.00", "valid_for": "7d"},
    {"id": "promo", "amount": "10.00"},
]
FEST = make_fest(economy__budgets=BUDGETS, promotions=[PROMO])
#: the budgets with conversion credit that lapses two days after its grant, back to its budget
LAPSING = [{**BUDGETS[0], "valid_for": "2d"}, *BUDGETS[1:]]


def held(fest: Fest, owner: Owner) -> Engine:
    """An engine holding the keys of one owner kind only."""
    return Engine(fest, owners=frozenset({owner}))


class Split:
    """A small driver: one engine for the viewers' keys, one for the fest's key; what one sends the other
    receives, in the order sent (or in the order ``shuffle`` gives, for the messages to the fest)."""

    def __init__(self, fest: Fest) -> None:
        self.viewers = held(fest, Owner.VIEWER)
        self.fest = held(fest, Owner.FEST)
        self.lowest: dict[str, Decimal] = {}
        #: every outcome of the messages delivered, in order
        self.outcomes: list[object] = []

    def engine_for(self, key: str) -> Engine:
        return self.fest if key == FEST_KEY else self.viewers

    def apply(self, event: Event) -> list[Step]:
        """Apply an event at its primary key and deliver what follows from it, in the order sent."""
        primary = self.fest if event.type in ("stream_started", "stream_ended") else self.viewers
        first = primary.apply(event)
        assert first.rejected is None, first.rejected
        return [first, *self.deliver(first.messages)]

    def advance_to(self, moment: datetime) -> None:
        """Move both engines' clocks (timers fire: lapses, settlements) and deliver what they send."""
        for engine in (self.viewers, self.fest):
            self.deliver(engine.advance_to(moment).messages)

    def deliver(self, messages: Iterable[Message]) -> list[Step]:
        steps, queue = [], deque(messages)
        while queue:
            step = self.engine_for(queue[0].to).receive(queue.popleft())
            self.watch_budgets()
            self.outcomes.extend(step.outcomes)
            steps.append(step)
            queue.extend(step.messages)
        return steps

    def watch_budgets(self) -> None:
        for account, balance in self.fest.ledger.accounts().items():
            if account.startswith("budget:"):
                self.lowest[account] = min(self.lowest.get(account, balance.amount), balance.amount)

    def balances(self) -> dict[str, Decimal]:
        """Every account's balance over both engines' books."""
        total: dict[str, Decimal] = {}
        for engine in (self.viewers, self.fest):
            for account, money in engine.ledger.accounts().items():
                total[account] = total.get(account, Decimal(0)) + money.amount
        return total


def kinds(messages: Iterable[Message]) -> list[tuple[str, str]]:
    return [(type(message).__name__, message.to) for message in messages]


def nonzero(balances: dict[str, Decimal]) -> dict[str, Decimal]:
    return {account: amount for account, amount in balances.items() if amount}


# --------------------------------------------------------------------------- what a viewers' engine sends


def test_a_viewers_engine_asks_the_fest_for_a_conversions_credit_and_bonus() -> None:
    viewers = held(FEST, Owner.VIEWER)
    (step,) = run(viewers, Feed().gift(at(6), "u1", "c1", "lion"))
    asks = [m for m in step.messages if isinstance(m, GrantCredit)]
    assert [(m.to, m.user_id, m.budget_id, m.source, m.credit, m.bonus, m.creator_id, m.capped) for m in asks] == [
        ("fest:*", "u1", "fest_rewards", "launch-week", Decimal("5.00"), Decimal("21.45"), "c1", True)
    ]
    assert (asks[0].cause, asks[0].at, asks[0].path) == ("e1", datetime(2026, 3, 6, 12, tzinfo=UTC).timestamp(), (0,))
    assert step.of(CreditGranted) == []  # the grant is the budget's to make
    # the viewers' engine keeps no budget: it never funded one, and posted nothing to one
    assert not any(account.startswith("budget:") for account in viewers.ledger.accounts())
    assert viewers.balance(TRANSIT) == usd("0")


def test_a_viewers_engine_sends_the_commission_and_the_discount_to_the_fest() -> None:
    feed, viewers = Feed(), held(FEST, Owner.VIEWER)
    click, bought = run(
        viewers,
        feed.click(at(12, 11), "u2", "c1"),
        feed.purchase(at(12), "u2", "o1", "30.00", promotion_id="spring_sale", discount="4.50"),
    )
    assert click.messages == () or all(not isinstance(m, GrantCredit) for m in click.messages)
    economy = [m for m in bought.messages if isinstance(m, ECONOMY_MESSAGES)]
    assert kinds(economy) == [("AccrueCommission", "fest:*"), ("PayDiscount", "fest:*")]
    accrue, discount = economy
    assert isinstance(accrue, AccrueCommission)
    assert isinstance(discount, PayDiscount)
    assert (accrue.order_id, accrue.paid, accrue.click_creator, accrue.click_event) == (
        "o1",
        Decimal("25.50"),
        "c1",
        "e1",
    )
    assert (discount.promotion_id, discount.budget_id, discount.amount) == ("spring_sale", "promo", Decimal("4.50"))
    assert bought.of(OrderRecorded) == []  # attribution is the fest's key's
    delivered, refunded = run(viewers, feed.delivery(at(13), "o1", "u2"), feed.refund(at(14), "o1", "5.00", "u2"))
    assert kinds(m for m in delivered.messages if isinstance(m, ECONOMY_MESSAGES)) == [("StartSettlement", "fest:*")]
    reverse = [m for m in refunded.messages if isinstance(m, ReverseCommission)]
    assert [(m.order_id, m.amount, m.cancelled) for m in reverse] == [("o1", Decimal("5.00"), False)]
    assert next(m for m in delivered.messages if isinstance(m, StartSettlement)).user_id == "u2"


def test_the_fest_answers_a_grant_and_the_viewer_takes_the_credit_through_transit() -> None:
    split = Split(FEST)
    first, grant, answer = split.apply(Feed().gift(at(6), "u1", "c1", "lion"))
    assert kinds(grant.messages) == [("GrantAnswer", "viewer:u1")]
    (lot,) = grant.messages
    assert isinstance(lot, GrantAnswer)
    assert (lot.amount, lot.requested, lot.path) == (Decimal("5.00"), Decimal("5.00"), (*first.messages[0].path, 0))
    assert answer.of(CreditGranted)[0].amount == usd("5.00")
    # each key's balances are exact on that key
    assert split.viewers.balance("viewer:u1:credits") == usd("5.00")
    assert split.fest.balance("viewer:u1:credits") == usd("0")
    assert split.fest.budget_left("fest_rewards") == usd("73.55")
    assert split.viewers.balance(TRANSIT) == usd("-5.00")
    assert split.fest.balance(TRANSIT) == usd("5.00")
    assert split.balances()[TRANSIT] == 0


def test_a_lapse_goes_back_to_its_budget_on_the_fest_key() -> None:
    split, feed = Split(make_fest(economy__budgets=LAPSING)), Feed()
    split.apply(feed.gift(at(6), "u1", "c1", "lion"))
    assert split.fest.budget_left("fest_rewards") == usd("73.55")
    later = split.apply(feed.gift(at(9), "u1", "c1", "rose"))  # the clock passes 8 Mar 12:00
    returned = [m for step in later for m in step.messages if isinstance(m, ReturnCredit)]
    assert [(m.to, m.budget_id, m.amount, m.why) for m in returned] == [
        ("fest:*", "fest_rewards", Decimal("5.00"), "lapsed")
    ]
    assert split.viewers.credits("u1") == []
    assert split.viewers.balance("viewer:u1:credits") == usd("0.00")
    assert split.fest.budget_left("fest_rewards") == usd("78.55")
    assert split.balances()[TRANSIT] == 0


def test_a_lapse_leaves_with_the_step_of_a_streak_gift_that_counts_nothing_yet() -> None:
    """A gift in a streak that has not ended adds nothing; the timers its time fired still send their messages
    with its step (not with a later one, nor never)."""
    split, feed = Split(make_fest(economy__budgets=LAPSING)), Feed()
    split.apply(feed.gift(at(6), "u1", "c1", "lion"))
    split.apply(feed.gift(at(7), "u1", "c1", "rose", repeat_count=2, repeat_end=False))
    # the same streak, not longer: it adds nothing; its time passes 8 Mar 12:00, when the lion's credit lapses
    first = split.viewers.apply(feed.gift(at(9), "u1", "c1", "rose", repeat_count=2, repeat_end=False))
    assert first.accepted
    assert first.of(GiftConverted) == []
    assert [(type(m).__name__, m.why) for m in first.messages if isinstance(m, ReturnCredit)] == [
        ("ReturnCredit", "lapsed")
    ]
    split.deliver(first.messages)
    assert split.fest.budget_left("fest_rewards") == usd("78.55")


# --------------------------------------------------------------------------- the books across keys


def _day_of_money(feed: Feed, users: int) -> list[Event]:
    """Gifts, clicks, purchases with credits and discounts, deliveries and refunds of many viewers."""
    events: list[Event] = [feed.stream(at(6, 10), "c1", "s-c1")]
    for n in range(users):
        user = f"u{n}"
        events.append(feed.gift(at(6, 11, n % 60, n // 60), user, "c1", "lion" if n % 3 else "concert"))
    events.append(feed.stream(at(6, 12), "c1", "s-c1", started=False))
    for n in range(users):
        user = f"u{n}"
        events.append(feed.click(at(7, 10, n % 60, n // 60), user, "c2"))
        credits = "1.00" if n in (1, 2, 4) else None  # Lion senders, before the budget runs out
        events.append(feed.purchase(at(7, 11, n % 60, n // 60), user, f"o{n}", "20.00", credits=credits))
    for n in range(0, users, 2):
        events.append(feed.delivery(at(8, 11, n % 60, n // 60), f"o{n}", f"u{n}"))
    for n in range(0, users, 4):
        events.append(feed.refund(at(20, 11, n % 60, n // 60), f"o{n}", "20.00", f"u{n}"))
    for n in range(users):
        events.append(
            feed.purchase(
                at(12, 11, n % 60, n // 60), f"u{n}", f"p{n}", "30.00", promotion_id="spring_sale", discount="4.50"
            )
        )
    return sorted(events, key=lambda event: event.occurred_at)


def test_split_keys_keep_the_one_engines_books() -> None:
    """The same events through one engine and through a viewers' engine and a fest's engine: every
    account's balance over both engines is the one engine's; each engine's own books balance; the
    clearing account is back at zero; a viewer's credit balance is the sum of their lots, on their key."""
    fest = make_fest(economy__budgets=LAPSING, promotions=[PROMO])
    events = _day_of_money(Feed(), 40)
    one, split = Engine(fest), Split(fest)
    for event in events:
        assert one.apply(event).rejected is None
        assert one.balance(TRANSIT) == usd("0")  # one engine applies every message within the step
        split.apply(event)
    end = datetime(2026, 3, 30, tzinfo=UTC)  # past every settlement and lapse
    one.advance_to(end)
    split.advance_to(end)
    assert nonzero(split.balances()) == nonzero({a: m.amount for a, m in one.ledger.accounts().items()})
    for engine in (split.viewers, split.fest, one):
        assert all(total == 0 for total in engine.ledger.trial_balance().values())
    assert split.balances().get(TRANSIT, Decimal(0)) == 0
    for n in range(40):
        lots = sum((lot.amount.amount for lot in split.viewers.credits(f"u{n}")), Decimal(0))
        assert split.viewers.balance(f"viewer:u{n}:credits").amount == lots
    assert split.fest.component("economy").settled_volume("c1") == one.component("economy").settled_volume("c1")


@settings(max_examples=15, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(min_value=5, max_value=30))
def test_no_budget_goes_below_zero_whatever_order_the_requests_arrive_in(rng: random.Random, users: int) -> None:
    """Many viewers' grant requests and discounts reach the fest's key in any order: every budget stays at
    zero or above at every step, what was granted never exceeds what was funded, and the books balance."""
    split, feed = Split(FEST), Feed()
    outbox: list[Message] = []
    refused_orders: set[str | None] = set()
    for event in _day_of_money(feed, users):
        primary = split.fest if event.type in ("stream_started", "stream_ended") else split.viewers
        step = primary.apply(event)
        # between keys, order is eventual: a purchase may arrive before the credit it spends, and then
        # its order's delivery and refund find no order
        if step.rejected is not None and step.rejected.code == "insufficient_credits":
            refused_orders.add(event.order_id)
        elif step.rejected is not None:
            assert step.rejected.code == "unknown_order", step.rejected
            assert event.order_id in refused_orders, step.rejected
        outbox.extend(step.messages)
        if rng.random() < 0.2:  # now and then, deliver what is waiting in a random order
            rng.shuffle(outbox)
            split.deliver(outbox)
            outbox.clear()
    rng.shuffle(outbox)
    split.deliver(outbox)
    assert all(lowest >= 0 for lowest in split.lowest.values()), split.lowest
    granted = [o for o in split.outcomes if isinstance(o, CreditGranted) and o.budget_id == "fest_rewards"]
    bonus = split.balances().get("creator:c1:affiliate_bonus", Decimal(0))
    assert sum((o.amount.amount for o in granted), Decimal(0)) + bonus <= Decimal("100.00")
    balances = split.balances()
    assert sum(balances.values(), Decimal(0)) == 0
    assert balances.get(TRANSIT, Decimal(0)) == 0
    for budget in BUDGETS:
        assert split.fest.budget_left(str(budget["id"])).amount >= 0


def test_an_empty_budget_answers_with_an_outcome_never_a_refusal() -> None:
    split, feed = Split(FEST), Feed()
    steps = [split.apply(feed.gift(at(11, 12, n), f"u{n}", "c1", "concert")) for n in range(3)]
    assert all(step[0].accepted for step in steps)
    exhausted = [o for step in steps for s in step for o in s.of(BudgetExhausted)]
    assert [(o.user_id, o.granted) for o in exhausted] == [("u0", usd("1.00")), ("u1", usd("0")), ("u2", usd("0"))]
    assert split.fest.budget_left("small") == usd("0.00")


# --------------------------------------------------------------------------- idempotency and the wire


def test_a_message_applied_twice_changes_nothing() -> None:
    split = Split(FEST)
    first = split.viewers.apply(Feed().gift(at(6), "u1", "c1", "lion"))
    (ask,) = [m for m in first.messages if isinstance(m, GrantCredit)]
    once = split.fest.receive(ask)
    before = split.fest.snapshot()
    again = split.fest.receive(ask)
    assert again.outcomes == ()
    assert again.messages == ()
    assert split.fest.snapshot() == before
    (answer,) = once.messages
    split.viewers.receive(answer)
    wallet = split.viewers.snapshot()
    split.viewers.receive(answer)
    assert split.viewers.snapshot() == wallet
    assert split.viewers.balance("viewer:u1:credits") == usd("5.00")


def test_every_economy_message_travels_as_json() -> None:
    split, feed = Split(FEST), Feed()
    sent: list[Message] = []
    for event in _day_of_money(feed, 6):
        for step in split.apply(event):
            sent.extend(m for m in step.messages if isinstance(m, ECONOMY_MESSAGES))
    assert {type(m) for m in sent} >= {GrantCredit, GrantAnswer, AccrueCommission, StartSettlement, PayDiscount}
    for message in sent:
        assert decode_message(encode_message(message), ECONOMY_MESSAGES) == message


def test_each_keys_money_round_trips_through_its_bytes() -> None:
    """The viewers' and the fest's engines, restored from their own snapshots half-way, go on to the same books."""
    fest = make_fest(economy__budgets=BUDGETS)
    events = [e for e in _day_of_money(Feed(), 12) if e.promotion_id is None]
    half = len(events) // 2
    straight, resumed = Split(fest), Split(fest)
    for event in events[:half]:
        straight.apply(event)
        resumed.apply(event)
    resumed.viewers = restore_key(fest, Owner.VIEWER, resumed.viewers.snapshot())
    resumed.fest = restore_key(fest, Owner.FEST, resumed.fest.snapshot())
    for event in events[half:]:
        straight.apply(event)
        resumed.apply(event)
    assert resumed.balances() == straight.balances()
    assert resumed.viewers.snapshot() == straight.viewers.snapshot()
    assert resumed.fest.snapshot() == straight.fest.snapshot()
    assert resumed.fest.component("economy").orders() == ()  # the orders are the buyers' keys'
    assert len(resumed.viewers.component("economy").orders()) == 12


def test_the_sharded_driver_keeps_the_one_engines_books() -> None:
    """Over two viewer shards and the fest's engine (``KeyedEngine``), the books summed over the engines are
    the one engine's, each engine's books balance, and no budget is below zero."""
    fest = make_fest(economy__budgets=LAPSING, promotions=[PROMO])
    events = _day_of_money(Feed(), 30)
    one, keyed = Engine(fest), KeyedEngine(fest, shards=2)
    for event in events:
        assert one.apply(event).rejected is None
        assert keyed.apply(event).accepted
    end = datetime(2026, 3, 30, tzinfo=UTC)
    one.advance_to(end)
    keyed.advance_to(end)
    summed: dict[str, Decimal] = {}
    for engine in keyed.engines:
        assert all(total == 0 for total in engine.ledger.trial_balance().values())
        for account, money in engine.ledger.accounts().items():
            summed[account] = summed.get(account, Decimal(0)) + money.amount
    assert nonzero(summed) == nonzero({a: m.amount for a, m in one.ledger.accounts().items()})
    assert all(keyed.fest_engine.budget_left(str(b["id"])).amount >= 0 for b in LAPSING)


def test_a_missions_credit_reward_is_granted_by_the_fest_and_kept_by_the_viewer() -> None:
    missions = [
        {
            "id": "like-3",
            "title": "Like three times",
            "counts": {"event": "like"},
            "target": 3,
            "rewards": [{"credit": "3.00", "budget": "welcome"}],
        }
    ]
    split, feed = Split(make_fest(economy__budgets=BUDGETS, missions=missions)), Feed()
    likes = [feed.event("like", at(2, 12, minute), "u1", creator_id="c1", stream_id="s1") for minute in range(3)]
    steps = [split.apply(like) for like in likes]
    asks = [m for step in steps[2] for m in step.messages if isinstance(m, GrantCredit)]
    assert [(m.user_id, m.budget_id, m.source, m.credit, m.capped) for m in asks] == [
        ("u1", "welcome", "like-3", Decimal("3.00"), False)
    ]
    granted = [o for step in steps[2] for o in step.of(CreditGranted)]
    assert [(o.amount, o.expires_at) for o in granted] == [(usd("3.00"), datetime(2026, 3, 9, 12, 2, tzinfo=UTC))]
    assert split.fest.budget_left("welcome") == usd("17.00")
    assert split.viewers.balance("viewer:u1:credits") == usd("3.00")
    split.advance_to(datetime(2026, 3, 10, tzinfo=UTC))  # the lot lapses back to its budget
    assert split.fest.budget_left("welcome") == usd("20.00")
    assert split.viewers.balance("viewer:u1:credits") == usd("0.00")
    assert split.balances()[TRANSIT] == 0
