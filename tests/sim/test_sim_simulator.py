"""The simulator: deterministic, inside the fest, in (near) time order, shaped like real feeds."""

from __future__ import annotations

import itertools
import tracemalloc
from collections import Counter
from decimal import Decimal

import pytest
from sim_fests import PACK, fingerprint, small_fest

from festengine import load_fest
from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.events import Event, event_to_dict, parse_event
from festengine.sim import SimulationError, simulate_events


@pytest.fixture(scope="module")
def fest() -> Fest:
    return small_fest()


@pytest.fixture(scope="module")
def events(fest: Fest) -> list[Event]:
    return list(simulate_events(fest, viewers=400, creators=10, seed=11))


@pytest.fixture(scope="module")
def pack() -> Fest:
    return load_fest(PACK)


@pytest.fixture(scope="module")
def pack_events(pack: Fest) -> list[Event]:
    """Ten days of the bundled pack: long enough for deliveries, refunds and the midweek flash sale."""
    return list(simulate_events(pack, viewers=600, creators=12, days=10, seed=2))


def test_same_pack_size_and_seed_give_the_same_bytes(fest: Fest, events: list[Event]) -> None:
    """Two runs hash the same; another seed or size gives another stream."""
    again = simulate_events(fest, viewers=400, creators=10, seed=11)
    assert fingerprint(again) == fingerprint(events)
    assert fingerprint(simulate_events(fest, viewers=400, creators=10, seed=12)) != fingerprint(events)
    assert fingerprint(simulate_events(fest, viewers=401, creators=10, seed=11)) != fingerprint(events)


def test_the_bundled_pack_is_deterministic_too(pack: Fest) -> None:
    first = fingerprint(simulate_events(pack, viewers=150, creators=6, days=2, seed=5))
    assert first == fingerprint(simulate_events(pack, viewers=150, creators=6, days=2, seed=5))


def test_events_are_inside_the_fest_and_nearly_in_order(fest: Fest, events: list[Event]) -> None:
    """Strictly inside [starts_at, ends_at); an event is never more than the latest lateness behind
    the newest one delivered (late deliveries: allowed lateness + up to an hour; duplicates: 10 min)."""
    assert all(fest.starts_at <= e.occurred_at < fest.ends_at for e in events)
    newest = events[0].occurred_at
    behind = []
    for event in events:
        behind.append((newest - event.occurred_at).total_seconds())
        newest = max(newest, event.occurred_at)
    assert max(behind) <= fest.allowed_lateness.total_seconds() + 3660
    in_order = sum(1 for b in behind if b <= 0)
    assert in_order / len(events) > 0.98


def test_days_limits_the_simulation_to_the_first_fest_days(fest: Fest) -> None:
    events = list(simulate_events(fest, viewers=100, creators=4, days=2, seed=1))
    end = fest.calendar.day_start(2)
    assert events
    assert all(fest.starts_at <= e.occurred_at < end for e in events)


def test_every_event_type_occurs_on_the_bundled_pack(pack_events: list[Event]) -> None:
    """Streams, views, engagement, gifts, Fan Club joins, shopping with deliveries and refunds, check-ins, claims,
    profiles."""
    kinds = Counter(e.type for e in pack_events)
    assert set(kinds) == {
        "stream_started", "stream_ended", "view", "like", "comment", "share", "follow", "gift", "fan_club_join",
        "link_click", "product_view", "purchase", "delivery", "refund", "check_in", "claim",
        "viewer_profile",
    }  # fmt: skip
    assert kinds["gift"] > kinds["purchase"] > 0


def test_gift_streaks_are_shaped_like_the_platforms(fest: Fest, events: list[Event]) -> None:
    """A streakable gift: growing repeat_count, only the last has repeat_end, a single gift is still
    two events; other gifts are one event with repeat_end."""
    streakable = {g.id for g in fest.economy.gifts.values() if g.streakable}
    streaks: dict[tuple[str, str | None, str | None], list[Event]] = {}
    done: list[list[Event]] = []
    for event in (e for e in events if e.type == "gift"):
        if event.gift_id not in streakable:
            assert (event.count, event.repeat_count, event.repeat_end) == (1, 1, True)
            continue
        key = (event.user_id, event.stream_id, event.gift_id)
        streaks.setdefault(key, []).append(event)
        if event.repeat_end:
            done.append(streaks.pop(key))
    assert not streaks, "every streak ends"
    assert done
    for streak in done:
        counts = [e.repeat_count or 0 for e in streak]
        assert len(streak) >= 2
        assert counts == sorted(counts)
        assert counts[0] == 1
        assert [e.repeat_end for e in streak] == [False] * (len(streak) - 1) + [True]
        assert all(a.occurred_at <= b.occurred_at for a, b in itertools.pairwise(streak))
    assert any(len(s) == 2 and s[-1].repeat_count == 1 for s in done), "a single streakable gift is two events"
    assert any((s[-1].repeat_count or 0) > 3 for s in done)


def test_cheap_gifts_are_far_more_common(fest: Fest, events: list[Event]) -> None:
    sent = Counter(e.gift_id for e in events if e.type == "gift" and e.repeat_end)
    assert sent["rose"] > 10 * sent["concert"]
    assert sent["concert"] >= sent["lion"]


def test_events_survive_the_wire_format(events: list[Event]) -> None:
    """What the simulator builds is exactly what the parser makes of its JSON."""
    for event in events:
        assert parse_event(event_to_dict(event)) == event


def test_purchases_use_the_pack_currency_exact_prices_and_known_products(fest: Fest, events: list[Event]) -> None:
    purchases = [e for e in events if e.type == "purchase"]
    assert purchases
    for purchase in purchases:
        assert purchase.currency == "EUR"
        assert isinstance(purchase.price, Decimal)
        assert purchase.price == purchase.price.quantize(fest.economy.quantum)
        assert purchase.amount == purchase.price * (purchase.quantity or 1) - (purchase.discount or 0)
        assert purchase.category
        assert purchase.seller_id
    ordered = {p.order_id: p.occurred_at for p in purchases}
    for delivery in (e for e in events if e.type == "delivery"):
        assert delivery.order_id in ordered
        assert (delivery.occurred_at - ordered[delivery.order_id]).days >= 2


def test_buyers_use_scheduled_sales_that_cover_the_product(fest: Fest) -> None:
    """Purchases name a scheduled sale for everyone only inside it, with its discount (10% on 22 October)."""
    events = simulate_events(fest, viewers=2000, creators=10, days=3, seed=8)
    sales = [p for p in events if p.type == "purchase" and p.promotion_id]
    assert sales
    for purchase in sales:
        promotion = fest.promotions[purchase.promotion_id or ""]
        assert promotion.starts_at is not None
        assert promotion.ends_at is not None
        assert promotion.starts_at <= purchase.occurred_at < promotion.ends_at
        assert not promotion.categories or purchase.category in promotion.categories
        assert purchase.discount == (
            purchase.price * (purchase.quantity or 1) * (promotion.percent or 0) / 100
        ).quantize(fest.economy.quantum)


def test_comments_carry_the_tags_missions_look_for(events: list[Event]) -> None:
    assert any("#simfest" in (e.text or "") for e in events if e.type == "comment")


def test_the_feed_duplicates_and_delays_some_deliveries(fest: Fest, events: list[Event]) -> None:
    """The engine sees duplicates, events late within the lateness (accepted) and later ones (rejected)."""
    ids = Counter(e.event_id for e in events)
    assert 0 < sum(n - 1 for n in ids.values()) < len(events) * 0.02
    engine = Engine(fest)
    steps = [engine.apply(e) for e in events]
    codes = Counter(s.rejected.code for s in steps if s.rejected is not None)
    assert sum(s.duplicate for s in steps) > 0
    assert codes["too_late"] > 0
    assert sum(codes.values()) < len(events) * 0.02
    claims = [s for e, s in zip(events, steps, strict=True) if e.type == "claim"]
    assert claims
    assert any(s.accepted for s in claims), "some manual claims succeed"


def test_memory_does_not_grow_with_the_stream(fest: Fest) -> None:
    """Only agents and undelivered events are held: three times the days, not three times the memory."""

    def peak(days: int) -> tuple[int, int]:
        tracemalloc.start()
        count = sum(1 for _ in simulate_events(fest, viewers=300, creators=8, days=days, seed=4))
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return count, size

    short_count, short_peak = peak(2)
    long_count, long_peak = peak(6)
    assert long_count > 2.5 * short_count
    assert long_peak < 1.5 * short_peak


@pytest.mark.parametrize(
    ("viewers", "creators", "days"),
    [(0, 3, None), (10, 0, None), (10, 3, 0), (10, 3, 8)],
    ids=["viewers", "creators", "days", "days-beyond-the-fest"],
)
def test_impossible_sizes_are_refused(fest: Fest, viewers: int, creators: int, days: int | None) -> None:
    with pytest.raises(SimulationError):
        simulate_events(fest, viewers=viewers, creators=creators, days=days, seed=1)


def test_profiles_come_first_with_a_seeded_share_of_minors_and_of_viewers_without_one(pack: Fest) -> None:
    """Every viewer but a few has a profile at the fest's start, before any other event; some are under 18;
    the rest of the simulation is the same whatever the profile shares are."""
    from datetime import date

    from festengine.sim import ProfileRates, SimRates

    events = list(simulate_events(pack, viewers=1_000, creators=6, days=1, seed=3))
    profiles = [e for e in events if e.type == "viewer_profile"]
    assert events[: len(profiles)] == profiles
    assert all(e.occurred_at == pack.starts_at for e in profiles)
    assert 950 <= len(profiles) < 1_000
    start = pack.starts_at.date()

    def age(born: date | None) -> int:
        assert born is not None
        return start.year - born.year - ((start.month, start.day) < (born.month, born.day))

    minors = [e for e in profiles if age(e.birth_date) < 18]
    assert 40 <= len(minors) <= 130
    assert all(age(e.birth_date) >= 13 for e in profiles)
    assert not any(e.age_verified for e in minors)
    none = SimRates(profiles=ProfileRates(under_18=0, no_profile=0))
    others = list(simulate_events(pack, viewers=1_000, creators=6, days=1, seed=3, rates=none))
    assert [e.type for e in others[1_000:]] == [e.type for e in events[len(profiles) :]]
    assert all(age(e.birth_date) >= 18 for e in others[:1_000])
    with pytest.raises(ValueError, match=r"ProfileRates.under_18 is a share from 0 to 1, not 1.5"):
        ProfileRates(under_18=1.5)
