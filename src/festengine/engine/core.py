"""The engine's core: folds events over the state of its components, deterministically, and says what happened.

``EngineCore.apply(event)`` does, in this order:

1. **Idempotency**: an ``event_id`` seen before yields ``Duplicate`` and changes nothing.
2. **Checks** (pure): inside the fest, not later than the allowed lateness behind the clock, and
   each component's checks for the type. A refused event yields ``Rejected`` and changes nothing.
3. **Time**: if the event is the newest so far, the clock moves to it and every timer that is now
   due fires first (windows close, claims lapse, commissions settle…).
4. **Apply**: the components' handlers for the type run in a fixed order.
5. **Messages**: what the handlers sent to keys of the owner kinds this engine holds is applied in
   the order sent (a FIFO queue, drained in the same step, as are a timer's messages right after
   it fires); messages to other kinds come back in ``Step.messages`` for the driver to deliver
   (:meth:`EngineCore.receive` applies one that arrived). See :mod:`festengine.engine.keys`.

The core knows no mechanic: it runs whatever components it is given. :class:`festengine.Engine`
(in :mod:`festengine.assembly`) is the core with the default components assembled.
The engine never reads the wall clock, the environment or randomness: time is the events' time.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Final, TypeVar, cast

import attrs
from mypy_extensions import mypyc_attr

from festengine.catalog.model import Fest
from festengine.catalog.spec import _format_duration
from festengine.engine.component import (
    Check,
    Component,
    Handler,
    Rejection,
    RewardHandler,
    StepContext,
    Subscriber,
    TimerPayload,
)
from festengine.engine.gifts import GiftStreaks
from festengine.engine.keys import ALL_OWNERS, ALL_VIEWERS, FEST_KEY, Owner, owner_of, viewer_key
from festengine.engine.messages import TIMER_CAUSE, Forwarded, Message, MessageHandler
from festengine.engine.outcomes import Duplicate, Outcome, Rejected
from festengine.engine.restore import restore_state
from festengine.engine.snapshot import DEFAULT_MAX_BYTES, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, encode
from festengine.engine.snapshot import read as read_snapshot
from festengine.errors import EngineFailedError, FestEngineError, InvalidTimeError, SnapshotError
from festengine.events import Event
from festengine.limits import EARLIEST_TIME, LATEST_TIME, time_in_range

__all__ = ["DEFAULT_MAX_BYTES", "SNAPSHOT_MAGIC", "SNAPSHOT_VERSION", "EngineCore", "Step", "restoring"]

_O = TypeVar("_O", bound=Outcome)
#: a timer in the queue: (due time, sequence number, component name, payload)
Timer = tuple[float, int, str, TimerPayload]
_EARLIEST_TS: Final = EARLIEST_TIME.timestamp()
_LATEST_TS: Final = LATEST_TIME.timestamp()


@attrs.frozen(slots=True)
class Step:
    """What one ``apply`` (or ``advance_to``) did."""

    event_id: str | None
    outcomes: tuple[Outcome, ...]
    #: messages to keys of owner kinds this engine does not hold, for the driver to deliver (in the
    #: order sent); always empty for an engine holding every owner kind
    messages: tuple[Message, ...] = ()

    @property
    def duplicate(self) -> bool:
        return len(self.outcomes) == 1 and type(self.outcomes[0]) is Duplicate

    @property
    def rejected(self) -> Rejected | None:
        if len(self.outcomes) == 1 and type(self.outcomes[0]) is Rejected:
            return self.outcomes[0]
        return None

    @property
    def accepted(self) -> bool:
        return not self.duplicate and self.rejected is None

    def of(self, kind: type[_O]) -> list[_O]:
        """The outcomes of one type, in order."""
        return [o for o in self.outcomes if isinstance(o, kind)]


#: set while an engine is built to be restored: its components are not started (see :func:`restoring`)
_RESTORING: ContextVar[bool] = ContextVar("festengine_restoring", default=False)


@contextmanager
def restoring() -> Iterator[None]:
    """Engines built inside this block are about to load a snapshot: their components' ``start``
    (initial timers, budget funding) is not run, since the snapshot holds what it did."""
    token = _RESTORING.set(True)
    try:
        yield
    finally:
        _RESTORING.reset(token)


class _Routing:
    """How a step's messages travel between components: subscriptions, reward handlers, the timer queue."""

    __slots__ = ("left_out", "local", "outbox", "queue", "reward_handlers", "subscribers", "timer_seq", "timers")

    def __init__(self, left_out: frozenset[type[Outcome]], local: frozenset[str]) -> None:
        self.subscribers: dict[type[Outcome], tuple[Subscriber, ...]] = {}
        self.reward_handlers: dict[str, RewardHandler] = {}
        self.left_out = left_out
        self.timers: list[Timer] = []
        self.timer_seq = 0
        #: the owner kinds whose every key this engine holds: messages to them are applied here
        self.local = local
        #: messages sent to keys held here, applied in the order sent
        self.queue: deque[Message] = deque()
        #: messages sent to keys held elsewhere, during the current call
        self.outbox: list[Message] = []

    def deliver(self, message: Message) -> None:
        if message.to.partition(":")[0] in self.local:
            self.queue.append(message)
        else:
            self.outbox.append(message)

    def schedule(self, due_ts: float, component: str, payload: TimerPayload) -> None:
        self.timer_seq += 1
        heapq.heappush(self.timers, (due_ts, self.timer_seq, component, payload))


@mypyc_attr(allow_interpreted_subclasses=True)  # the compiled build: Engine and tests' engines extend it
class EngineCore:
    """Runs one fest with the components it is given. Not thread-safe: give each fest (or shard of
    keys) its own engine. ``leave_out``: outcome types a :class:`Step` does not record (components
    that subscribe to them still get them); ``Duplicate`` and ``Rejected`` cannot be left out."""

    def __init__(
        self,
        fest: Fest,
        components: Sequence[Component],
        *,
        leave_out: Collection[type[Outcome]] = (),
        owners: Collection[Owner] = ALL_OWNERS,
    ) -> None:
        self.fest = fest
        self.owners = _owners(owners)
        self._clock: float | None = None
        self._lateness = fest.allowed_lateness.total_seconds()
        self._start_ts = fest.starts_at.timestamp()
        self._end_ts = fest.ends_at.timestamp()
        self._seen: dict[str, int] = {}
        self._seen_buckets: dict[int, list[str]] = {}
        #: the minute below which seen ids were last forgotten (pruning runs once per minute of clock)
        self._pruned_below = -(2**62)
        self._routing = _Routing(_left_out(leave_out), _local_kinds(self.owners))
        #: the ids of the messages this engine received (a repeat is ignored)
        self._received: set[str] = set()
        #: per event type, the keys of owner kinds not held here whose parts handle it (see Forwarded)
        self._forward: dict[str, tuple[_ForwardTo, ...]] = {}
        #: set when a call raised half-way (a bug): every later call is refused
        self._failure: EngineFailedError | None = None
        self.components: dict[str, Component] = {}
        self._checks: dict[str, tuple[Check, ...]] = {}
        self._handlers: dict[str, tuple[Handler, ...]] = {}
        self._message_handlers: dict[type[Message], tuple[MessageHandler, ...]] = {}
        self._announcements: dict[str, tuple[Handler, ...]] = {}
        self._register(components)
        gifts = self.components.get(GiftStreaks.name)
        self._gift_streaks = gifts if isinstance(gifts, GiftStreaks) and _runs(gifts, self.owners) else None
        if not _RESTORING.get():  # a restored engine's timers and state come from its snapshot
            for component in self.components.values():
                if _runs(component, self.owners):
                    component.start(self._routing)

    def _register(self, components: Sequence[Component]) -> None:
        """Take the components' parts of the owner kinds held (and where to forward events for the others)."""
        if self.owners != ALL_OWNERS:
            self._forward = _forwarding(components, self.owners)
        for component in components:
            component.hold(self.owners)
            self._add(component)
        self._check_reward_handlers()

    @property
    def left_out(self) -> frozenset[type[Outcome]]:
        """The outcome types this engine's steps do not record."""
        return self._routing.left_out

    def _check_reward_handlers(self) -> None:
        """Refuse, up front, a fest granting a reward kind that no component can grant."""
        if Owner.VIEWER not in self.owners:  # rewards are granted to viewers, at their keys
            return
        kinds = {r.kind for m in self.fest.missions.values() for r in m.rewards}
        kinds |= {r.kind for j in self.fest.journeys.values() for r in j.rewards}
        missing = sorted(kinds - set(self._routing.reward_handlers))
        if missing:
            raise FestEngineError(f"the fest grants {', '.join(missing)} rewards, but no engine layer handles them")

    def _add(self, component: Component) -> None:
        if component.name in self.components:
            raise ValueError(f"two components are named {component.name!r}")
        self.components[component.name] = component
        if not _runs(component, self.owners):
            return
        for kind, check in component.checks().items():
            self._checks[kind] = (*self._checks.get(kind, ()), check)
        for kind, handler in component.handlers().items():
            self._handlers[kind] = (*self._handlers.get(kind, ()), handler)
        for kind, handler in component.announcements().items():
            self._announcements[kind] = (*self._announcements.get(kind, ()), handler)
        routing = self._routing
        for outcome_type, subscriber in component.subscriptions().items():
            routing.subscribers[outcome_type] = (*routing.subscribers.get(outcome_type, ()), subscriber)
        routing.reward_handlers.update(component.reward_handlers())
        for message_type, message_handler in component.message_handlers().items():
            known = self._message_handlers.get(message_type, ())
            self._message_handlers[message_type] = (*known, message_handler)

    # ------------------------------------------------------------------ events

    @property
    def clock(self) -> datetime | None:
        """The newest event time seen (or ``advance_to`` time): the engine's 'now'."""
        return None if self._clock is None else datetime.fromtimestamp(self._clock, UTC)

    def apply(self, event: Event) -> Step:
        """Apply one event and return what it did.

        All or nothing: a refused event changes nothing; if a handler raises (a bug), the engine
        refuses every later call with :class:`EngineFailedError` until it is restored.
        """
        if self._failure is not None:
            raise self._refusal()
        if event.__class__ is not Event and not isinstance(event, Event):
            raise _not_an_event(event)
        event_id = event.event_id
        if event_id in self._seen:
            self._remember_longer(event_id, event)
            return Step(event_id, (Duplicate(event_id),))
        ts = event.occurred_at.timestamp()
        clock = self._clock
        if (
            ts < self._start_ts
            or ts >= self._end_ts
            or (clock is not None and ts < clock - self._lateness)
            or event.type in self._checks
        ):
            rejection = self._check(event, ts)
            if rejection is not None:
                return Step(event_id, (Rejected(event_id, rejection.code, rejection.reason),))
        try:
            return self._accept(event, ts)
        except Exception as error:
            raise self._fail(event_id, error) from error
        except BaseException as error:  # an interruption (KeyboardInterrupt…) propagates as itself
            self._fail(event_id, error)
            raise

    def _accept(self, event: Event, ts: float) -> Step:
        """Apply an event the checks let through: move the clock, remember the id, run the handlers."""
        event_id = event.event_id
        ctx = StepContext(self._routing, event_id, ts, event)
        clock = self._clock
        if clock is None or ts > clock:
            self._advance(ts, ctx)
        self._remember(event_id, ts)
        if event.type == "gift" and self._gift_streaks is not None:
            counted = self._gift_streaks.normalize(event, ctx)
            if counted is None:  # a streak's repeat adds nothing, but timers fired above may have sent messages
                return self._finish(event_id, ctx)
            event = ctx.event = counted
        forward = self._forward.get(event.type) if self._forward else None
        if forward:
            for key in forward:
                ctx.send(Forwarded(to=key.to(event), event=event))
        for handler in self._handlers.get(event.type, ()):
            handler(event, ctx)
        if event.type in self._announcements:
            for handler in self._announcements[event.type]:
                handler(event, ctx)
        return self._finish(event_id, ctx)

    def _finish(self, step_id: str | None, ctx: StepContext) -> Step:
        """Apply the messages queued for keys held here, then the step (with what leaves for other keys)."""
        routing = self._routing
        if routing.queue:
            self._drain(ctx)
        if routing.outbox:
            messages = tuple(routing.outbox)
            routing.outbox.clear()
            return Step(step_id, tuple(ctx.outcomes), messages)
        return Step(step_id, tuple(ctx.outcomes))

    def _drain(self, ctx: StepContext) -> None:
        """Apply the queued messages in the order sent (messages they send join the end of the queue)."""
        queue = self._routing.queue
        handlers = self._message_handlers
        while queue:
            message = queue.popleft()
            ctx.begin(message.cause, message.at, message.path)
            if type(message) is Forwarded:
                self._apply_forwarded(message, ctx)
                continue
            for handler in handlers.get(type(message), ()):
                handler(message, ctx)

    def _apply_forwarded(self, message: Forwarded, ctx: StepContext) -> None:
        """An event accepted at its primary owner's key: this engine's parts apply it (no checks: they
        never refuse an event another key accepted)."""
        event = message.event
        previous = ctx.event
        ctx.event = event
        table = self._announcements if message.to == ALL_VIEWERS else self._handlers
        for handler in table.get(event.type, ()):
            handler(event, ctx)
        ctx.event = previous

    # ------------------------------------------------------------------ messages

    def receive(self, message: Message) -> Step:
        """Apply a message another engine sent to a key held here, and return what it did.

        The message takes effect at ``message.at`` (the clock moves there if it is newer, firing the
        timers due by then first; it never moves back). A message whose id this engine already
        received changes nothing (an empty step). Messages are never refused; one addressed to a key of
        an owner kind this engine does not hold is a ``ValueError`` and changes nothing. All or nothing,
        like :meth:`apply`.
        """
        if self._failure is not None:
            raise self._refusal()
        if not isinstance(message, Message):
            raise TypeError(f"receive takes a Message, not {type(message).__name__}")
        if owner_of(message.to) not in self.owners:
            raise ValueError(f"message {message.id!r} is for {message.to}, a key this engine does not hold")
        cause = message.cause
        step_id = None if cause.startswith(TIMER_CAUSE) else cause
        if message.id in self._received:
            return Step(step_id, ())
        try:
            ctx = StepContext(self._routing, step_id, message.at)
            clock = self._clock
            if clock is None or message.at > clock:
                self._advance(message.at, ctx)
            self._received.add(message.id)
            self._routing.queue.append(message)
            return self._finish(step_id, ctx)
        except Exception as error:
            raise self._fail(step_id, error) from error
        except BaseException as error:  # an interruption (KeyboardInterrupt…) propagates as itself
            self._fail(step_id, error)
            raise

    def refusal(self, event: Event) -> Step | None:
        """What :meth:`apply` would answer if it refused ``event`` now (a duplicate or a rejection), or
        ``None`` if it would accept it. Changes nothing: a driver asks the event's primary key first."""
        if self._failure is not None:
            raise self._refusal()
        if not isinstance(event, Event):
            raise _not_an_event(event)
        if event.event_id in self._seen:
            return Step(event.event_id, (Duplicate(event.event_id),))
        rejection = self._check(event, event.occurred_at.timestamp())
        if rejection is None:
            return None
        return Step(event.event_id, (Rejected(event.event_id, rejection.code, rejection.reason),))

    def catch_up(self, event: Event) -> Step:
        """Move the clock to the time of an event another key accepted (never back), firing the timers
        due by then as that event's step, as one engine holding every key would. All or nothing."""
        if self._failure is not None:
            raise self._refusal()
        if not isinstance(event, Event):
            raise _not_an_event(event)
        ts = event.occurred_at.timestamp()
        try:
            ctx = StepContext(self._routing, event.event_id, ts, event)
            if self._clock is None or ts > self._clock:
                self._advance(ts, ctx)
            return self._finish(event.event_id, ctx)
        except Exception as error:
            raise self._fail(event.event_id, error) from error
        except BaseException as error:  # an interruption (KeyboardInterrupt…) propagates as itself
            self._fail(event.event_id, error)
            raise

    def message_types(self) -> frozenset[type[Message]]:
        """The message types this engine's parts apply (and ``Forwarded``)."""
        return frozenset((Forwarded, *self._message_handlers))

    def apply_many(self, events: Iterable[Event]) -> Iterator[Step]:
        """Apply events in order, yielding each step (lazily: consume the iterator)."""
        if self._failure is not None:
            raise self._refusal()
        return map(self.apply, events)

    def advance_to(self, moment: datetime) -> Step:
        """Move the clock to ``moment`` (never backwards) and fire the timers due by then.

        ``moment`` must be aware and inside the supported range (:mod:`festengine.limits`), else
        :class:`InvalidTimeError` and nothing changes. All or nothing, like :meth:`apply`.
        """
        if self._failure is not None:
            raise self._refusal()
        if not isinstance(moment, datetime):
            raise TypeError(f"advance_to needs a datetime, not {type(moment).__name__}")
        if moment.utcoffset() is None:
            raise InvalidTimeError("advance_to needs a time-zone aware datetime")
        if not time_in_range(moment):
            raise InvalidTimeError(
                f"advance_to({moment.isoformat()}) is outside the supported range "
                f"[{EARLIEST_TIME.isoformat()}, {LATEST_TIME.isoformat()})"
            )
        ts = moment.timestamp()
        try:
            ctx = StepContext(self._routing, None, ts)
            if self._clock is None or ts > self._clock:
                self._advance(ts, ctx)
            return self._finish(None, ctx)
        except Exception as error:
            raise self._fail(None, error) from error
        except BaseException as error:  # an interruption (KeyboardInterrupt…) propagates as itself
            self._fail(None, error)
            raise

    def _fail(self, event_id: str | None, error: BaseException) -> EngineFailedError:
        """Mark the engine failed (it may be half-way through the event) and return the failure."""
        self._failure = EngineFailedError(event_id, error)
        return self._failure

    def _refusal(self) -> EngineFailedError:
        """The error a failed engine answers every call with, chained to the original exception."""
        failure = cast(EngineFailedError, self._failure)
        refusal = EngineFailedError(failure.event_id, failure.error)
        refusal.__cause__ = failure.error
        return refusal

    @property
    def failed(self) -> bool:
        """Whether a call raised half-way (a bug): the engine then refuses every call until restored."""
        return self._failure is not None

    def _check(self, event: Event, ts: float) -> Rejection | None:
        if not _EARLIEST_TS <= ts < _LATEST_TS:
            return Rejection(
                "outside_fest",
                f"occurred_at {event.occurred_at.isoformat()} is outside the supported time range "
                f"({EARLIEST_TIME.isoformat()} to {LATEST_TIME.isoformat()})",
            )
        if ts < self._start_ts or ts >= self._end_ts:
            return Rejection(
                "outside_fest",
                f"occurred_at {event.occurred_at.isoformat()} is outside the fest "
                f"({self.fest.starts_at.isoformat()} to {self.fest.ends_at.isoformat()})",
            )
        clock = self.clock
        if clock is not None and ts < clock.timestamp() - self._lateness:
            return Rejection(
                "too_late",
                f"occurred_at {event.occurred_at.isoformat()} is more than the allowed lateness "
                f"({_format_duration(self.fest.allowed_lateness)}) behind the fest clock {clock.isoformat()}",
            )
        for check in self._checks.get(event.type, ()):
            rejection = check(event)
            if rejection is not None:
                return rejection
        return None

    def _remember(self, event_id: str, ts: float) -> None:
        minute = int(ts // 60)
        self._seen[event_id] = minute
        bucket = self._seen_buckets.get(minute)
        if bucket is None:
            self._seen_buckets[minute] = [event_id]
        else:
            bucket.append(event_id)

    def _remember_longer(self, event_id: str, event: Event) -> None:
        """A duplicate carrying a later time (inside the fest) than its id was remembered by: keep the
        id until that time is too late too, so the same id is never accepted while either time could be."""
        ts = event.occurred_at.timestamp()
        minute = int(ts // 60)
        known = self._seen[event_id]
        if minute <= known or not self._start_ts <= ts < self._end_ts:
            return
        self._seen_buckets[known].remove(event_id)
        if not self._seen_buckets[known]:
            del self._seen_buckets[known]
        self._remember(event_id, ts)

    # ------------------------------------------------------------------ time

    def _advance(self, ts: float, ctx: StepContext) -> None:
        """Move the clock forward to ``ts``: fire the timers due by then, forget ids beyond the horizon."""
        self._clock = ts
        timers = self._routing.timers
        if timers and timers[0][0] <= ts:
            self._fire_timers(ts, ctx)
        horizon = int((ts - self._lateness) // 60) - 1
        if horizon > self._pruned_below:
            self._prune_seen(horizon)

    def _fire_timers(self, ts: float, ctx: StepContext) -> None:
        timers = self._routing.timers
        components = self.components
        queue = self._routing.queue
        cause, at = ctx.cause, ctx.ts
        while timers and timers[0][0] <= ts:
            due, _seq, name, payload = heapq.heappop(timers)
            ctx.begin_timer(due, name, payload)
            components[name].on_timer(payload, ctx)
            if queue:
                self._drain(ctx)
        ctx.begin(cause, at, ())

    def _prune_seen(self, horizon: int) -> None:
        """Forget event ids older than the lateness horizon: such events are refused as too late anyway."""
        self._pruned_below = horizon
        buckets = self._seen_buckets
        if not buckets or next(iter(buckets)) >= horizon:
            return
        for minute in [m for m in buckets if m < horizon]:
            for event_id in buckets.pop(minute):
                del self._seen[event_id]

    # ------------------------------------------------------------------ snapshots

    def snapshot(self) -> bytes:
        """The whole state as bytes: versioned, tied to the fest's fingerprint, deterministic."""
        if self._failure is not None:
            raise self._refusal()
        return encode(
            {
                "version": SNAPSHOT_VERSION,
                "fest": self.fest.fingerprint,
                "clock": self._clock,
                "seen": [[minute, ids] for minute, ids in self._seen_buckets.items()],
                "timers": [list(timer) for timer in self._routing.timers],
                "timer_seq": self._routing.timer_seq,
                "received": sorted(self._received),
                "components": {name: component.dump() for name, component in self.components.items()},
            }
        )

    def _load_snapshot(self, data: object, max_bytes: object) -> None:
        """Put this freshly built engine in the state a snapshot recorded (see ``Engine.restore``).

        The snapshot is untrusted input: it may inflate to at most ``max_bytes`` (``None``: no limit),
        and every field is checked before it is used. Anything wrong with the data raises
        :class:`SnapshotError`, and only that.
        """
        state = read_snapshot(data, self.fest.fingerprint, max_bytes)
        try:
            restore_state(self, state)
        except SnapshotError:
            raise
        except MemoryError:
            raise SnapshotError("the snapshot is too large to restore in the memory available") from None
        except Exception as error:  # a value the checks let through that load() could not use
            raise SnapshotError(f"the snapshot is corrupt: {error!r}") from error

    # ------------------------------------------------------------------ queries

    def component(self, name: str) -> Component:
        """A component by name (``missions``, ``profiles``, ``economy``, ``social``…)."""
        return self.components[name]


def _owners(owners: Collection[Owner]) -> frozenset[Owner]:
    held = frozenset(owners)
    if not held or not held <= ALL_OWNERS:
        raise ValueError(f"owners must be some of {sorted(ALL_OWNERS)}, not {sorted(map(str, held))}")
    return held


def _runs(component: Component, owners: frozenset[Owner]) -> bool:
    """Whether an engine holding ``owners`` runs any part of ``component``."""
    return component.owner is None or component.owner in owners


def _local_kinds(owners: frozenset[Owner]) -> frozenset[str]:
    """The owner kinds whose messages an engine applies itself: every kind in an all-owner engine;
    else the held kinds with a single key (the fest), since a driver spreads the other kinds' keys."""
    if owners == ALL_OWNERS:
        return frozenset(owner.value for owner in owners)
    return frozenset(owner.value for owner in owners if owner is Owner.FEST)


@attrs.frozen(slots=True)
class _ForwardTo:
    """Where an accepted event goes for the parts of an owner kind an engine does not hold."""

    owner: Owner
    #: to every viewer (the parts' announcements), not to the event's own viewer
    announced: bool = False

    def to(self, event: Event) -> str:
        if self.owner is Owner.FEST:
            return FEST_KEY
        return ALL_VIEWERS if self.announced else viewer_key(event.user_id)


def _forwarding(components: Sequence[Component], owners: frozenset[Owner]) -> dict[str, tuple[_ForwardTo, ...]]:
    """Per event type, where to forward it: the owner kinds not held whose parts handle it (asked of
    each component), and every viewer for the announcements of a fest event."""
    forward: dict[str, tuple[_ForwardTo, ...]] = {}
    for owner in sorted(ALL_OWNERS - owners):
        for component in components:
            if component.owner is not None and component.owner is not owner:
                continue
            component.hold(frozenset((owner,)))
            targets = [(kind, _ForwardTo(owner)) for kind in component.handlers()]
            targets += [(kind, _ForwardTo(owner, announced=True)) for kind in component.announcements()]
            for kind, target in targets:
                if target not in forward.get(kind, ()):
                    forward[kind] = (*forward.get(kind, ()), target)
    return forward


def _left_out(kinds: Collection[type[Outcome]]) -> frozenset[type[Outcome]]:
    """The outcome types to leave out of steps, checked: outcome classes, never ``Duplicate`` or ``Rejected``."""
    left_out = frozenset(kinds)
    for kind in left_out:
        if not (isinstance(kind, type) and issubclass(kind, Outcome)):
            raise TypeError(f"leave_out takes outcome classes, not {kind!r}")
        if kind in (Duplicate, Rejected):
            raise ValueError(f"{kind.__name__} cannot be left out: it is how a step says it was refused")
    return left_out


def _not_an_event(value: object) -> TypeError:
    hint = (
        " (a mapping or JSON: call festengine.parse_event on it first)"
        if isinstance(value, Mapping | str | bytes)
        else ""
    )
    return TypeError(f"Engine.apply takes an Event, not {type(value).__name__}{hint}")
