"""The in-process sharded driver: one engine for the fest key, ``shards`` engines for the viewers.

For each event, :meth:`KeyedEngine.apply`:

1. asks the event's primary key (:func:`~festengine.keyed.routing.route`) whether it refuses it (a
   duplicate or a rejection changes nothing anywhere);
2. moves every other engine's clock to the event's time (their timers due by then fire, as they
   would in one engine);
3. applies the event at its primary key;
4. delivers the messages the steps sent, in :func:`~festengine.keyed.routing.sort_key` order, to
   the engine holding each target (a message to every viewer, to each viewer shard), until none is left.

It returns every outcome the event caused and the journal entries posted meanwhile. Per key, the
outcomes are those one :class:`~festengine.Engine` gives for the same events: what differs is the
order between keys (see ``docs/architecture.md`` and ``docs/economy.md``, "Money across keys") and,
with more than one viewer shard, promotions, which are not split by owner yet (each shard runs their
schedule, so a scheduled or goal-triggered promotion starts once per shard).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from typing import TypeAlias

import attrs

from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.economy.ledger import JournalEntry
from festengine.engine.core import Step
from festengine.engine.keys import ALL_VIEWERS, FEST_KEY, Owner, OwnerKey
from festengine.engine.messages import InputOrder, Message
from festengine.engine.outcomes import Outcome
from festengine.events import Event
from festengine.keyed.routing import key_engine, route, shard_of, sort_key

__all__ = ["KeyedEngine", "KeyedStep"]

#: messages waiting for delivery: a heap by input order, then the order sent
_Pending: TypeAlias = list[tuple[InputOrder, int, Message]]


@attrs.frozen(slots=True)
class KeyedStep:
    """What one event (or ``advance_to``) did over every key: outcomes and journal entries, in the
    order the driver applied them."""

    event_id: str | None
    outcomes: tuple[Outcome, ...]
    entries: tuple[JournalEntry, ...]

    @property
    def accepted(self) -> bool:
        return Step(self.event_id, self.outcomes).accepted


class _Journal:
    """Collects the journal entries of every engine until the driver takes them."""

    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: list[JournalEntry] = []

    def append(self, entry: JournalEntry) -> None:
        self.entries.append(entry)

    def take(self) -> tuple[JournalEntry, ...]:
        taken = tuple(self.entries)
        self.entries.clear()
        return taken


class KeyedEngine:
    """Runs one fest over owner keys: the fest's engine and ``shards`` viewer engines, in one process.

    ``leave_out`` is as for :class:`~festengine.Engine`. Not thread-safe. The journal entries are
    handed out with each step, not kept (``engine.ledger`` of each part holds balances only).
    """

    def __init__(self, fest: Fest, *, shards: int = 2, leave_out: Collection[type[Outcome]] = ()) -> None:
        if shards < 1:
            raise ValueError(f"shards must be 1 or more, not {shards}")
        self.fest = fest
        self._journal = _Journal()
        self.fest_engine = key_engine(fest, Owner.FEST, leave_out=leave_out, journal=self._journal)
        self.viewer_engines = tuple(
            key_engine(fest, Owner.VIEWER, leave_out=leave_out, journal=self._journal) for _ in range(shards)
        )
        self._sent = itertools.count()
        self._started = self._journal.take()  # what the engines posted when they started

    @property
    def engines(self) -> tuple[Engine, ...]:
        """Every engine: the fest's first, then the viewer shards."""
        return (self.fest_engine, *self.viewer_engines)

    @property
    def started(self) -> tuple[JournalEntry, ...]:
        """The journal entries the engines posted when they started (budget funding)."""
        return self._started

    def engine_of(self, key: OwnerKey | str) -> Engine:
        """The engine holding a key (``viewer:u1``, ``fest:*``)."""
        parsed = key if isinstance(key, OwnerKey) else OwnerKey.parse(key)
        if parsed.owner is Owner.FEST:
            return self.fest_engine
        return self.viewer_engines[shard_of(parsed, len(self.viewer_engines))]

    def apply(self, event: Event) -> KeyedStep:
        """Apply one event over every key (see the module's steps) and say what it did."""
        if not isinstance(event, Event):
            raise TypeError(f"apply takes an Event, not {type(event).__name__}")
        primary = self.engine_of(route(self.fest, event))
        if primary.refusal(event) is not None:
            # the primary key answers the refusal itself: a duplicate is then remembered as long as one
            # engine would remember it (a refusal changes nothing else)
            return KeyedStep(event.event_id, primary.apply(event).outcomes, ())
        outcomes: list[Outcome] = []
        pending: _Pending = []
        for engine in self.engines:
            if engine is not primary:
                self._collect(engine.catch_up(event), outcomes, pending)
        self._collect(primary.apply(event), outcomes, pending)
        self._deliver(pending, outcomes)
        return KeyedStep(event.event_id, tuple(outcomes), self._journal.take())

    def apply_many(self, events: Iterable[Event]) -> Iterator[KeyedStep]:
        """Apply events in order, yielding each step (lazily)."""
        return map(self.apply, events)

    def advance_to(self, moment: datetime) -> KeyedStep:
        """Move every engine's clock to ``moment`` and deliver what their timers sent."""
        outcomes: list[Outcome] = []
        pending: _Pending = []
        for engine in self.engines:
            self._collect(engine.advance_to(moment), outcomes, pending)
        self._deliver(pending, outcomes)
        return KeyedStep(None, tuple(outcomes), self._journal.take())

    def _collect(
        self,
        step: Step,
        outcomes: list[Outcome],
        pending: _Pending,
    ) -> None:
        outcomes.extend(step.outcomes)
        for message in step.messages:
            heapq.heappush(pending, (sort_key(message), next(self._sent), message))

    def _deliver(
        self,
        pending: _Pending,
        outcomes: list[Outcome],
    ) -> None:
        """Deliver the messages in input order (those they cause join in), each to its key's engine."""
        while pending:
            _order, _seq, message = heapq.heappop(pending)
            for engine in self._targets(message.to):
                self._collect(engine.receive(message), outcomes, pending)

    def _targets(self, to: str) -> tuple[Engine, ...]:
        if to == ALL_VIEWERS:
            return self.viewer_engines
        if to == FEST_KEY:
            return (self.fest_engine,)
        return (self.engine_of(to),)
