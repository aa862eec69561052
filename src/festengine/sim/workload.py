"""The benchmark workload: an exact number of events in an exact mix, spread evenly over the fest.

Simpler than the agent-based simulator on purpose: ``benchmarks/engine.py`` needs a workload
whose size and mix are fixed (so runs compare), not a believable fest. Types are interleaved by
smooth weighted round robin, so every prefix of the stream is close to the mix and the whole stream
matches it exactly; users, creators, gifts and products are drawn from a seeded ``random.Random``.
Events are strictly time-ordered and the generator keeps constant memory.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

from festengine._share import share
from festengine.catalog.model import Fest
from festengine.events import Event
from festengine.sim.simulator import SimulationError, fest_days, horizon_of

__all__ = ["DEFAULT_MIX", "mix_counts", "workload_events"]

#: The benchmark's mix of event types (issue 3).
DEFAULT_MIX: Final[Mapping[str, float]] = {
    "view": 0.5,
    "like": 0.2,
    "comment": 0.1,
    "gift": 0.08,
    "share": 0.04,
    "link_click": 0.06,
    "purchase": 0.02,
}
_SUPPORTED: Final = frozenset(
    {"view", "like", "comment", "gift", "share", "link_click", "product_view", "purchase", "follow", "check_in"}
)
_CATEGORIES: Final = ("beauty", "fashion", "electronics", "home")
_TEXTS: Final = ("hi", "love it", "so cute", "where to buy?", "wow", "#communityfest")


def mix_counts(mix: Mapping[str, float], events: int) -> dict[str, int]:
    """How many events of each type: proportional to the mix, summing to ``events`` exactly
    (largest remainders get the leftover events; ties go to the type listed first)."""
    unknown = sorted(set(mix) - _SUPPORTED)
    if unknown:
        raise SimulationError(f"the workload cannot make {', '.join(unknown)} events; use {sorted(_SUPPORTED)}")
    total = sum(mix.values())
    if total <= 0 or any(share < 0 for share in mix.values()):
        raise SimulationError("the mix needs non-negative shares with a positive sum")
    exact = {kind: events * share / total for kind, share in mix.items()}
    counts = {kind: int(value) for kind, value in exact.items()}
    order = sorted(mix, key=lambda kind: -(exact[kind] - counts[kind]))
    for kind in order[: events - sum(counts.values())]:
        counts[kind] += 1
    return counts


def _interleave(counts: Mapping[str, int]) -> Iterator[str]:
    """Smooth weighted round robin: each type exactly ``counts[type]`` times, evenly spread."""
    kinds = [kind for kind, count in counts.items() if count > 0]
    weights = [counts[kind] for kind in kinds]
    total = sum(weights)
    current = [0] * len(kinds)
    for _ in range(total):
        best = 0
        for index, weight in enumerate(weights):
            current[index] += weight
            if current[index] > current[best]:
                best = index
        current[best] -= total
        yield kinds[best]


def _gift_weights(fest: Fest) -> tuple[list[str], list[float]]:
    gifts = sorted(fest.economy.gifts.values(), key=lambda g: (g.coins, g.id))
    return [g.id for g in gifts], [1.0 / g.coins for g in gifts]


class _Fields:
    """The type-specific fields of workload events."""

    def __init__(self, fest: Fest, rng: random.Random) -> None:
        self.rng = rng
        self.currency = fest.economy.currency
        self.gift_ids, weights = _gift_weights(fest)
        total = sum(weights)
        self.gift_cumulative = [sum(weights[: i + 1]) / total for i in range(len(weights))]
        self.quantum = fest.economy.quantum
        self.orders = 0

    def gift(self) -> str:
        point = self.rng.random()
        for gift_id, edge in zip(self.gift_ids, self.gift_cumulative, strict=True):
            if point < edge:
                return gift_id
        return self.gift_ids[-1]

    def of(self, kind: str) -> dict[str, Any]:
        rng = self.rng
        if kind == "view":
            return {"seconds": rng.randint(5, 600)}
        if kind == "like":
            return {"count": rng.randint(1, 30)}
        if kind == "comment":
            return {"text": _TEXTS[rng.randrange(len(_TEXTS))]}
        if kind == "gift":
            return {"gift_id": self.gift(), "count": 1, "repeat_count": 1, "repeat_end": True}
        if kind in ("link_click", "product_view"):
            return {"product_id": f"p{rng.randint(1, 50)}"}
        if kind == "purchase":
            return self.purchase()
        return {}

    def purchase(self) -> dict[str, Any]:
        rng = self.rng
        self.orders += 1
        price = (Decimal(rng.randint(5, 200)) - self.quantum).quantize(self.quantum)
        return {
            "order_id": f"o{self.orders}",
            "product_id": f"p{rng.randint(1, 50)}",
            "category": _CATEGORIES[rng.randrange(len(_CATEGORIES))],
            "seller_id": f"seller_{rng.randint(1, 10)}",
            "quantity": 1,
            "price": price,
            "currency": self.currency,
            "amount": price,
        }


_NO_STREAM: Final = frozenset({"purchase", "follow"})


def workload_events(
    fest: Fest,
    *,
    viewers: int,
    creators: int,
    events: int,
    seed: int,
    mix: Mapping[str, float] = DEFAULT_MIX,
    days: int = 21,
    streams: bool = False,
) -> Iterator[Event]:
    """Exactly ``events`` events of the ``mix``, evenly spread over the fest's first ``days`` days (all of
    a shorter fest).

    Users ``u1``… and creators ``c1``… are drawn uniformly; each creator has one stream a day
    (``c7-d3``; purchases and follows name the creator only); gifts come from the pack's catalogue
    (cheap ones more often, one event each); purchases carry unique order ids and exact prices in
    the pack's currency.

    With ``streams=True`` each creator's daily stream also starts and ends, as a LIVE feed reports
    it: ``stream_started`` events open each day that has events and ``stream_ended`` events close it
    (at the next day's start, or at the last event), two more events per creator for each such day, with
    ids ``w-start-…`` and ``w-end-…``. They draw nothing from the random generator, so the other
    events are the same with or without them.
    """
    if viewers < 1 or creators < 1 or events < 0:
        raise SimulationError("need at least one viewer and one creator, and a non-negative number of events")
    start, end = horizon_of(fest, min(days, fest_days(fest)))  # the default 21 days, or the whole of a shorter fest
    generated = _generate(fest, viewers, creators, mix_counts(mix, events), seed, start, end)
    return _with_streams(fest, generated, creators) if streams else generated


def _generate(
    fest: Fest, viewers: int, creators: int, counts: Mapping[str, int], seed: int, start: int, end: int
) -> Iterator[Event]:
    rng = random.Random(seed)
    fields = _Fields(fest, rng)
    calendar = fest.calendar
    step = (end - start - 1) / max(sum(counts.values()), 1)
    for number, kind in enumerate(_interleave(counts)):
        ts = start + int(number * step)
        # one copy of each id, as parse_event gives them: the engine's state keeps them, not copies
        user = share(f"u{rng.randint(1, viewers)}")
        creator = share(f"c{rng.randint(1, creators)}")
        extra = fields.of(kind)
        extra["creator_id"] = creator
        if kind not in _NO_STREAM:
            extra["stream_id"] = share(f"{creator}-d{calendar.day_of(ts) + 1}")
        yield Event(f"w{number + 1}", kind, datetime.fromtimestamp(ts, UTC), user, **extra)


def _lifecycle(kind: str, day: int, creators: int, at: datetime) -> Iterator[Event]:
    """Every creator's stream of fest day ``day`` starting or ending at ``at``."""
    tag = "start" if kind == "stream_started" else "end"
    for number in range(1, creators + 1):
        creator = f"c{number}"
        stream = f"{creator}-d{day + 1}"
        yield Event(f"w-{tag}-{stream}", kind, at, creator, creator_id=creator, stream_id=stream)


def _with_streams(fest: Fest, events: Iterator[Event], creators: int) -> Iterator[Event]:
    """``events`` with each creator's daily stream started before its first event and ended after."""
    calendar = fest.calendar
    day: int | None = None
    last: datetime | None = None
    for event in events:
        event_day = calendar.day_of(event.occurred_at.timestamp())
        if event_day != day:
            if day is not None:
                yield from _lifecycle("stream_ended", day, creators, calendar.day_end(day))
            day = event_day
            yield from _lifecycle("stream_started", day, creators, event.occurred_at)
        last = event.occurred_at
        yield event
    if day is not None and last is not None:
        yield from _lifecycle("stream_ended", day, creators, last)
