"""The fest simulator: a seeded, agent-based stream of events for a whole fest.

:func:`simulate_events` walks the fest hour by hour in time order. Each fest day, creators plan
their streams (mostly evenings, in the fest's time zone); each hour, the streams that are LIVE
draw viewer sessions in proportion to the hour's audience and the creators' pull; each session
makes the events of one viewer watching one stream: check-in, likes, comments, shares, follows,
Fan Club joins (mostly by the pack's join gift), gifts (cheap ones far more often, streakable ones
as streaks), product views, link clicks and purchases, then a view with the seconds watched when
the viewer leaves. Orders are delivered days later and a few are refunded; viewers claim
manual-claim missions they probably completed. The :class:`~festengine.sim.feed.Feed` delivers it
all in time order, except a few duplicates and late deliveries.

Deterministic: one ``random.Random(seed)`` seeds everything, nothing reads the clock, sets are
never iterated, so the same pack, sizes and seed give the same events byte for byte. Memory holds
the agents and the events not yet delivered (a few hours of sessions and recent orders), never
the whole stream.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

import attrs

from festengine.catalog.model import Fest, Promotion
from festengine.economy.money import rounding_mode
from festengine.errors import FestEngineError
from festengine.events import Event
from festengine.sim.claims import ClaimPlanner
from festengine.sim.feed import EventMaker, Feed, FeedRates
from festengine.sim.population import Population, Product, Viewer, build_population, poisson
from festengine.sim.profiles import ProfileRates, profile_events
from festengine.sim.schedule import Stream, hour_weight, streams_of_day

__all__ = ["SimRates", "SimulationError", "fest_days", "horizon_of", "simulate_events"]

_HOUR: Final = 3600
_DAY: Final = 86_400
_COMMENTS: Final = (
    "hi!", "hello from Texas", "love this", "so cute", "where can I buy it?", "how much?", "wow",
    "first time here", "this is amazing", "can you show it again?", "haha", "greetings", "❤️❤️❤️",
    "what size is that?", "just joined", "ordered one!", "best LIVE today", "link please",
)  # fmt: skip


class SimulationError(FestEngineError, ValueError):
    """The simulator was asked for something it cannot do (no viewers, zero days…)."""


@attrs.frozen(slots=True)
class SimRates:
    """The knobs of the simulated behaviour (the defaults give a believable fest)."""

    #: sessions an average viewer starts per day (fewer when no stream is LIVE)
    sessions_per_viewer_day: float = 1.0
    #: median minutes a session lasts for an average viewer
    median_watch_minutes: float = 7.0
    #: share of orders refunded (fully or in part)
    refund_share: float = 0.05
    #: duplicates and late deliveries of the feed
    feed: FeedRates = attrs.field(factory=FeedRates)
    #: the viewers' profiles: shares under 18, outside the allowed regions, without a profile
    profiles: ProfileRates = attrs.field(factory=ProfileRates)


def fest_days(fest: Fest) -> int:
    """How many local days the fest has (its last day may be partial)."""
    return fest.calendar.day_of(math.ceil(fest.ends_at.timestamp()) - 1) + 1


def horizon_of(fest: Fest, days: int | None) -> tuple[int, int]:
    """The simulated stretch as POSIX seconds [start, end): the whole fest or its first ``days`` days.

    ``days`` beyond the fest's length (its local days, the last one possibly partial) is refused
    rather than cut short without a word.
    """
    start = math.ceil(fest.starts_at.timestamp())
    end = math.ceil(fest.ends_at.timestamp())
    if days is not None:
        length = fest_days(fest)
        if not 1 <= days <= length:
            raise SimulationError(
                f"days must be between 1 and {length} (the fest {fest.id!r} has {length} days), not {days}"
            )
        end = min(end, int(fest.calendar.day_start(days).timestamp()))
    return start, end


def _comment_tags(fest: Fest) -> tuple[str, ...]:
    """Texts that comment missions look for (``contains`` conditions), to sprinkle into comments."""
    tags = []
    for mission in fest.missions.values():
        if mission.counts.event == "comment":
            tags += [str(c.operand) for c in mission.counts.conditions if c.op == "contains"]
    return tuple(sorted(set(tags)))


class _Simulation:
    """One run: the population, the feed and the per-hour loop."""

    def __init__(
        self, fest: Fest, population: Population, rng: random.Random, rates: SimRates, days: int | None, seed: int
    ):
        self.fest = fest
        self.seed = seed
        self.people = population
        self.rng = random.Random(rng.getrandbits(64))
        self.rates = rates
        self.start, self.end = horizon_of(fest, days)
        self.maker = EventMaker(fest.economy.currency)
        lateness = int(fest.allowed_lateness.total_seconds())
        self.feed = Feed(random.Random(rng.getrandbits(64)), lateness, rates.feed)
        self.claims = ClaimPlanner(fest, random.Random(rng.getrandbits(64)))
        self.claim_types = self.claims.event_types
        self.tags = _comment_tags(fest)
        self.quantum = fest.economy.quantum
        #: the fest's rounding rule: a sale's discount is rounded as the engine computes it, or it is refused
        self.rounding = rounding_mode(fest.economy.rounding)
        join_gift = fest.fan_club.join_gift if fest.fan_club is not None else None
        self.join_gift = fest.economy.gifts.get(join_gift) if join_gift else None
        gifts = [g for g in fest.economy.gifts.values() if self.join_gift is None or g.id != self.join_gift.id]
        self.gifts = gifts or list(fest.economy.gifts.values())
        self.has_clubs = fest.fan_club is not None
        self.sales: tuple[Promotion, ...] = tuple(
            p for p in fest.promotions.values() if p.trigger_kind == "schedule" and p.audience == "everyone"
        )
        self.total_pull = sum(c.audience for c in population.creators)

    # ------------------------------------------------------------------ the loop

    def run(self) -> Iterator[Event]:
        """Every event of the simulated stretch, in delivery order: the viewers' profiles first."""
        viewer_ids = [viewer.id for viewer in self.people.viewers]
        rules = self.fest.eligibility
        allowed = rules.regions if rules is not None else frozenset()
        yield from profile_events(allowed, viewer_ids, self.seed, self.rates.profiles, self.start, self.maker)
        calendar = self.fest.calendar
        upcoming: list[Stream] = []
        live: list[Stream] = []
        planned_day: int | None = None
        hour = self.start
        while hour < self.end:
            until = min(hour + _HOUR, self.end)
            day = calendar.day_of(hour)
            if day != planned_day:
                planned_day = day
                upcoming += streams_of_day(self.rng, calendar, self.people.creators, day, (self.start, self.end))
            while upcoming and upcoming[0].start < until:
                stream = upcoming.pop(0)
                self._go_live(stream)
                live.append(stream)
            self._hour(hour, until, live, day)
            live = [s for s in live if s.end >= until]
            yield from self.feed.pop_until(until)
            hour = until
        yield from self.feed.drain()

    def _go_live(self, stream: Stream) -> None:
        creator = stream.creator.id
        for kind, ts in (("stream_started", stream.start), ("stream_ended", stream.end)):
            self.feed.push(self.maker.make(kind, ts, creator, creator_id=creator, stream_id=stream.id), ts)

    def _hour(self, hour: int, until: int, live: Sequence[Stream], day: int) -> None:
        """Start the sessions of one hour in the streams LIVE during it."""
        if not live:
            return
        calendar = self.fest.calendar
        local_hour = (hour - int(calendar.day_start(day).timestamp())) // _HOUR
        weight = hour_weight(local_hour, calendar.local_date(day).weekday())
        demand = len(self.people.viewers) * self.rates.sessions_per_viewer_day / 24 * weight
        pull = max(sum(s.creator.audience for s in live), 0.1 * self.total_pull)
        for stream in live:
            low, high = max(hour, stream.start), min(until, stream.end)
            if high - low < 30:
                continue
            expected = demand * stream.creator.audience / pull * (high - low) / _HOUR
            for _ in range(poisson(self.rng, expected)):
                self._arrive(stream, self.rng.randint(low, high - 1), day)

    def _arrive(self, stream: Stream, at: int, day: int) -> None:
        """A viewer (of the creator's niche, mostly) drops in, unless busy watching elsewhere."""
        rng, people = self.rng, self.people
        pool = people.by_niche[stream.creator.niche] if rng.random() < 0.75 else people.everyone
        viewer = people.viewers[pool.draw(rng)]
        if viewer.busy_until > at:
            return
        minutes = self.rates.median_watch_minutes * viewer.stickiness * rng.lognormvariate(0.0, 0.9)
        leave = min(stream.end, at + max(5, int(minutes * 60)), at + 4 * _HOUR)
        if leave <= at:
            return
        viewer.busy_until = leave
        self._session(stream, viewer, at, leave, day)

    # ------------------------------------------------------------------ one session

    def _session(self, stream: Stream, viewer: Viewer, at: int, leave: int, day: int) -> None:
        minutes = (leave - at) / 60
        self._check_in(stream, viewer, at, day)
        self._likes(stream, viewer, at, leave, minutes)
        self._comments(stream, viewer, at, leave, minutes)
        self._social(stream, viewer, at, leave, minutes)
        if viewer.gift_rate:
            self._gifts(stream, viewer, at, leave, minutes)
        if viewer.shop_rate and stream.creator.products:
            self._shop(stream, viewer, at, leave, minutes)
        creator = stream.creator.id
        view = self.maker.make("view", leave, viewer.id, creator_id=creator, stream_id=stream.id, seconds=leave - at)
        self._emit(view, leave, viewer)

    def _emit(self, event: Event, ts: int, viewer: Viewer) -> None:
        """Queue an event and let the claim planner count it."""
        self.feed.push(event, ts)
        if event.type in self.claim_types:
            self._plan_claims(event, ts, viewer)

    def _plan_claims(self, event: Event, ts: int, viewer: Viewer) -> None:
        for when, mission_id in self.claims.observe(event, ts, viewer.claim_chance):
            if when < self.end:
                self.feed.push(self.maker.make("claim", when, viewer.id, mission_id=mission_id), when)

    def _check_in(self, stream: Stream, viewer: Viewer, at: int, day: int) -> None:
        if viewer.last_check_in_day != day and self.rng.random() < viewer.check_in_chance:
            viewer.last_check_in_day = day
            creator = stream.creator.id
            event = self.maker.make("check_in", at, viewer.id, creator_id=creator, stream_id=stream.id)
            self._emit(event, at, viewer)

    def _likes(self, stream: Stream, viewer: Viewer, at: int, leave: int, minutes: float) -> None:
        rng, creator = self.rng, stream.creator.id
        for _ in range(poisson(rng, viewer.like_rate * minutes)):
            taps = rng.randint(51, 150) if rng.random() < 0.02 else rng.randint(1, 25)
            ts = rng.randint(at, leave)
            event = self.maker.make("like", ts, viewer.id, creator_id=creator, stream_id=stream.id, count=taps)
            self._emit(event, ts, viewer)

    def _comments(self, stream: Stream, viewer: Viewer, at: int, leave: int, minutes: float) -> None:
        rng, creator = self.rng, stream.creator.id
        for _ in range(poisson(rng, viewer.comment_rate * minutes)):
            text = _COMMENTS[rng.randrange(len(_COMMENTS))]
            if self.tags and rng.random() < 0.08:
                text = f"{text} {self.tags[rng.randrange(len(self.tags))]}"
            ts = rng.randint(at, leave)
            event = self.maker.make("comment", ts, viewer.id, creator_id=creator, stream_id=stream.id, text=text)
            self._emit(event, ts, viewer)

    def _social(self, stream: Stream, viewer: Viewer, at: int, leave: int, minutes: float) -> None:
        """Share, follow and join the creator's Fan Club, each at most once a session."""
        rng, creator, maker = self.rng, stream.creator, self.maker
        engaged = min(1.0, minutes / 10)
        if rng.random() < viewer.share_chance * engaged:
            ts = rng.randint(at, leave)
            self._emit(maker.make("share", ts, viewer.id, creator_id=creator.id, stream_id=stream.id), ts, viewer)
        follows = viewer.follows
        if (follows is None or creator.index not in follows) and rng.random() < viewer.follow_chance * engaged:
            viewer.follows = (follows or set()) | {creator.index}
            ts = rng.randint(at, leave)
            self._emit(maker.make("follow", ts, viewer.id, creator_id=creator.id, stream_id=stream.id), ts, viewer)
        clubs = viewer.clubs
        joins = self.has_clubs and (clubs is None or creator.index not in clubs)
        if joins and rng.random() < viewer.club_chance * engaged:
            viewer.clubs = (clubs or set()) | {creator.index}
            self._join(stream, viewer, rng.randint(at, leave))

    def _join(self, stream: Stream, viewer: Viewer, ts: int) -> None:
        """Join a Fan Club: mostly by sending the pack's join gift, else by a fan_club_join event."""
        creator = stream.creator.id
        if self.join_gift is not None and self.rng.random() < 0.8:
            self._gift_events(stream, viewer, ts, self.join_gift.id, 1, self.join_gift.streakable)
            return
        event = self.maker.make("fan_club_join", ts, viewer.id, creator_id=creator, stream_id=stream.id)
        self._emit(event, ts, viewer)

    # ------------------------------------------------------------------ gifts

    def _pick_gift(self, taste: float) -> int:
        """An index into the catalogue: cheap gifts far more often, unless the viewer is a big spender."""
        exponent = 1.2 - taste
        weights = [g.coins ** (-exponent) for g in self.gifts]
        point = self.rng.random() * sum(weights)
        for index, weight in enumerate(weights):
            point -= weight
            if point < 0:
                return index
        return len(weights) - 1

    def _gifts(self, stream: Stream, viewer: Viewer, at: int, leave: int, minutes: float) -> None:
        rng = self.rng
        moments = sorted(rng.randint(at, leave) for _ in range(poisson(rng, viewer.gift_rate * minutes)))
        free_at = at
        for moment in moments:
            gift = self.gifts[self._pick_gift(viewer.gift_taste)]
            combo = min(200, 1 + int(rng.expovariate(1 / 3))) if gift.streakable else 1
            free_at = self._gift_events(stream, viewer, max(moment, free_at), gift.id, combo, gift.streakable) + 1

    def _gift_events(self, stream: Stream, viewer: Viewer, ts: int, gift_id: str, combo: int, streak: bool) -> int:
        """The events of sending ``combo`` gifts; returns the time of the last one.

        A streak arrives as a few updates with a growing ``repeat_count`` and then the final event
        with ``repeat_end``; a streakable gift sent once still makes two events.
        """
        creator, maker = stream.creator.id, self.maker
        counts = [combo]
        if streak:
            middle = sorted(self.rng.sample(range(2, combo), min(3, combo - 2))) if combo > 2 else []
            counts = [1, *middle, combo]
        last = ts
        for position, repeat in enumerate(counts):
            last = ts + (repeat - 1) // 2 + (1 if position == len(counts) - 1 and streak else 0)
            event = maker.make(
                "gift", last, viewer.id, creator_id=creator, stream_id=stream.id, gift_id=gift_id, count=1,
                repeat_count=repeat if streak else 1, repeat_end=position == len(counts) - 1, channel=viewer.channel,
            )  # fmt: skip
            self.feed.push(event, last)
        if "gift" in self.claim_types:
            coins = self.fest.economy.gifts[gift_id].coins * combo
            self._plan_claims(attrs.evolve(event, count=combo, coins=coins), last, viewer)
        return last

    # ------------------------------------------------------------------ shopping

    def _shop(self, stream: Stream, viewer: Viewer, at: int, leave: int, minutes: float) -> None:
        rng, creator, maker = self.rng, stream.creator, self.maker
        products = creator.products
        for _ in range(poisson(rng, viewer.shop_rate * minutes)):
            ts, product = rng.randint(at, leave), products[rng.randrange(len(products))]
            event = maker.make("product_view", ts, viewer.id, creator_id=creator.id, stream_id=stream.id,
                               product_id=product.id)  # fmt: skip
            self._emit(event, ts, viewer)
        for _ in range(poisson(rng, viewer.shop_rate * minutes * 0.6)):
            ts, product = rng.randint(at, leave), products[rng.randrange(len(products))]
            event = maker.make("link_click", ts, viewer.id, creator_id=creator.id, stream_id=stream.id,
                               product_id=product.id)  # fmt: skip
            self._emit(event, ts, viewer)
            if rng.random() < viewer.buy_chance:
                self._buy(stream, viewer, product, ts + rng.randint(20, 900))

    def _discount(self, product: Product, ts: int, gross: Decimal, quantity: int) -> tuple[Decimal, str | None]:
        """A scheduled sale running at ``ts`` that covers the product, used by most buyers who can."""
        for sale in self.sales:
            if sale.starts_at is None or sale.ends_at is None:
                continue
            if not sale.starts_at.timestamp() <= ts < sale.ends_at.timestamp():
                continue
            if (sale.products or sale.categories) and not (
                product.id in sale.products or product.category in sale.categories
            ):
                continue
            if self.rng.random() < 0.7:
                off = gross * sale.percent / 100 if sale.percent is not None else (sale.amount or Decimal(0)) * quantity
                off = min(gross, off.quantize(self.quantum, rounding=self.rounding))
                if sale.min_spend is not None and gross < sale.min_spend:
                    off = Decimal(0) * self.quantum
                return min(off, sale.cap_per_order) if sale.cap_per_order is not None else off, sale.id
        return Decimal(0), None

    def _buy(self, stream: Stream, viewer: Viewer, product: Product, ts: int) -> None:
        """An order (in the stream if it is still LIVE), its delivery days later and maybe a refund."""
        if ts >= self.end:
            return
        rng, quantum = self.rng, self.quantum
        quantity = 1 if rng.random() < 0.85 else rng.randint(2, 3)
        gross = product.price * quantity
        discount, promotion = self._discount(product, ts, gross, quantity)
        paid = gross - discount
        tax = (paid * Decimal("0.08")).quantize(quantum, rounding=ROUND_HALF_UP) if rng.random() < 0.5 else None
        shipping = (Decimal(5) - quantum) if rng.random() < 0.4 else None
        order_id = self.maker.order_id()
        event = self.maker.purchase(
            ts, viewer.id, order_id, product.price, quantity, discount,
            creator_id=stream.creator.id, stream_id=stream.id if ts < stream.end else None,
            product_id=product.id, category=product.category, seller_id=product.seller,
            tax=tax, shipping=shipping, promotion_id=promotion,
        )  # fmt: skip
        self._emit(event, ts, viewer)
        self._after_purchase(viewer, order_id, paid, ts)

    def _after_purchase(self, viewer: Viewer, order_id: str, paid: Decimal, ts: int) -> None:
        rng = self.rng
        delivered = ts + rng.randint(2 * _DAY, 5 * _DAY)
        if delivered < self.end:
            self.feed.push(self.maker.make("delivery", delivered, viewer.id, order_id=order_id), delivered)
        if paid <= 0 or rng.random() >= self.rates.refund_share:
            return
        refunded = delivered + rng.randint(_DAY // 2, 4 * _DAY)
        if refunded >= self.end:
            return
        amount = paid if rng.random() < 0.6 else (paid * Decimal(rng.randint(20, 80)) / 100).quantize(self.quantum)
        amount = max(amount, self.quantum)
        refund = self.maker.make("refund", refunded, viewer.id, order_id=order_id, amount=min(amount, paid))
        self.feed.push(refund, refunded)


def simulate_events(
    fest: Fest,
    *,
    viewers: int,
    creators: int,
    days: int | None = None,
    seed: int,
    rates: SimRates | None = None,
) -> Iterator[Event]:
    """A simulated fest as a stream of events (a generator), in delivery order.

    ``viewers`` and ``creators`` size the population; ``days`` limits the simulation to the fest's
    first days (all of it by default). The same fest, sizes, seed and rates give the same events.
    Events happen strictly inside the fest; a few are delivered twice or late, as real feeds do.
    """
    if viewers < 1 or creators < 1:
        raise SimulationError(f"need at least one viewer and one creator, got {viewers} and {creators}")
    horizon_of(fest, days)
    rng = random.Random(seed)
    population = build_population(fest, rng, viewers=viewers, creators=creators)
    return _Simulation(fest, population, rng, rates or SimRates(), days, seed).run()
