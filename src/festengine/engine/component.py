"""What the engine's parts have in common: the component protocol and the per-event step context.

The engine owns the clock, idempotency and the timer queue; *components* own keyed state
(missions, profiles, money, fan clubs…). A component declares, per event type, a pure ``check``
(may reject the event) and an ``apply`` (mutates its state and emits outcomes through the
:class:`StepContext`). Components talk to each other only through the context: outcomes they emit
are delivered to subscribers, rewards are routed to the component that handles the reward kind,
and timers come back to the component that set them. Everything is called in a fixed order, so the
result is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol, TypeAlias, TypeVar

import attrs
from msgspec.structs import replace

from festengine.catalog.model import Fest, Reward
from festengine.engine.keys import ALL_OWNERS, Owner
from festengine.engine.messages import Message, MessageHandler, timer_cause
from festengine.engine.outcomes import Outcome
from festengine.engine.shapes import Bad, Shape
from festengine.events import Event

__all__ = [
    "Check",
    "Component",
    "Handler",
    "MessageHandler",
    "Rejection",
    "RewardHandler",
    "Routes",
    "StepContext",
    "Subscriber",
    "TimerPayload",
    "Timers",
]


@attrs.frozen(slots=True)
class Rejection:
    """Why an event is refused: a stable ``code`` and a sentence for people."""

    code: str
    reason: str


_O = TypeVar("_O", bound=Outcome)

Check: TypeAlias = Callable[[Event], Rejection | None]
Handler: TypeAlias = Callable[[Event, "StepContext"], None]
RewardHandler: TypeAlias = Callable[[str, Reward, str, "StepContext"], None]
Subscriber: TypeAlias = Callable[[Any, "StepContext"], None]
#: what a timer carries back to the component that set it: JSON-ready values (it is snapshotted)
TimerPayload: TypeAlias = list[Any]


class Timers(Protocol):
    """Where a component sets a timer: ``component.on_timer(payload)`` runs once the clock reaches ``due_ts``."""

    def schedule(self, due_ts: float, component: str, payload: TimerPayload) -> None: ...


class Routes(Protocol):
    """What a step needs from the engine that runs it: where outcomes, rewards and timers go."""

    @property
    def subscribers(self) -> Mapping[type[Outcome], tuple[Subscriber, ...]]:
        """Outcome type -> the components' subscribers, in component order."""
        ...

    @property
    def reward_handlers(self) -> Mapping[str, RewardHandler]:
        """Reward kind -> the component handler that grants it."""
        ...

    @property
    def left_out(self) -> frozenset[type[Outcome]]:
        """The outcome types a step does not record (they still reach their subscribers)."""
        ...

    def schedule(self, due_ts: float, component: str, payload: TimerPayload) -> None: ...

    def deliver(self, message: Message) -> None:
        """Take a message a step sent (stamped with its cause, time and path) to its key."""
        ...


class StepContext:
    """Collects the outcomes of one step and routes messages between components.

    ``cause``, ``ts`` and ``path`` say what the step is applying right now (an event, a timer or a
    message): what :meth:`send` stamps on the messages it sends.
    """

    __slots__ = (
        "_left_out",
        "_routes",
        "_sent",
        "_subscribers",
        "_timer",
        "cause",
        "event",
        "event_id",
        "outcomes",
        "path",
        "ts",
    )

    def __init__(self, routes: Routes, event_id: str | None, ts: float, event: Event | None = None) -> None:
        self._routes = routes
        self.event_id = event_id
        self.ts = ts
        self.event = event
        self.outcomes: list[Outcome] = []
        self._subscribers = routes.subscribers
        self._left_out = routes.left_out
        self.cause = "" if event_id is None else event_id
        self.path: tuple[int, ...] = ()
        self._sent = 0
        #: the timer being applied, until a send needs its cause (see ``begin_timer``)
        self._timer: tuple[float, str, TimerPayload] | None = None

    def begin(self, cause: str, ts: float, path: tuple[int, ...]) -> None:
        """Apply, from now on, what ``cause`` (at ``ts``, reached by ``path``) does: its sends are numbered anew."""
        self.cause = cause
        self.ts = ts
        self.path = path
        self._sent = 0
        self._timer = None

    def begin_timer(self, due_ts: float, component: str, payload: TimerPayload) -> None:
        """Apply, from now on, what a timer does (its cause is worked out only if it sends)."""
        self.ts = due_ts
        self.path = ()
        self._sent = 0
        self._timer = (due_ts, component, payload)

    def send(self, message: Message) -> None:
        """Send a message to another key (or the same kind's parts of this key): stamped with this
        step's cause, time and the next hop path, then applied after the step's own handlers (an
        engine holding the target's kind) or returned in ``Step.messages`` for the driver."""
        if self._timer is not None:
            self.cause = timer_cause(*self._timer)
            self._timer = None
        sent = self._sent
        self._sent = sent + 1
        self._routes.deliver(replace(message, cause=self.cause, at=self.ts, path=(*self.path, sent)))

    @property
    def now(self) -> datetime:
        return datetime.fromtimestamp(self.ts, UTC)

    @staticmethod
    def now_of(ts: float | None) -> datetime | None:
        """A POSIX time as an aware UTC datetime (``None`` stays ``None``)."""
        return None if ts is None else datetime.fromtimestamp(ts, UTC)

    def emit(self, outcome: Outcome) -> None:
        """Record an outcome (unless the engine leaves its type out) and deliver it to the components
        that subscribe to its type."""
        kind = type(outcome)
        if kind not in self._left_out:
            self.outcomes.append(outcome)
        subscribers = self._subscribers.get(kind)
        if subscribers:
            for subscriber in subscribers:
                subscriber(outcome, self)

    def emitter(self, outcome_type: type[_O]) -> Callable[[_O], None] | None:
        """How to emit many outcomes of one type in a loop: ``emit``, a plain append when no component
        subscribes to that type (the same result, without the lookup per outcome), or ``None`` when
        nobody reads that type (left out of steps, no subscriber): then do not build them at all."""
        if outcome_type in self._subscribers:
            return self.emit
        if outcome_type in self._left_out:
            return None
        return self.outcomes.append

    def wanted(self, outcome_type: type[Outcome]) -> bool:
        """Whether an outcome of this type is read by anyone (recorded or subscribed to): a component may
        skip building outcomes nobody reads."""
        return outcome_type not in self._left_out or outcome_type in self._subscribers

    def grant(self, user_id: str, reward: Reward, source: str) -> None:
        """Route a reward to the component that handles its kind."""
        self._routes.reward_handlers[reward.kind](user_id, reward, source, self)

    def schedule(self, due_ts: float, component: str, payload: TimerPayload) -> None:
        """Call ``component.on_timer(payload)`` once the clock reaches ``due_ts``."""
        self._routes.schedule(due_ts, component, payload)


class Component:
    """Base class of the engine's parts. Subclasses override what they need.

    A component is built from the fest and, where it needs another component, the typed ports it
    declares as constructor arguments (the composition root, :mod:`festengine.assembly`, hands them
    over); it never reaches into the engine or into another component.
    """

    name: ClassVar[str] = "component"
    #: the owner kind of every part of this component, when they all have one: an engine that does not
    #: hold it registers none of them (``None``: the component says part by part, through :meth:`holds`)
    owner: ClassVar[Owner | None] = None
    #: the owner kinds whose parts this component runs (set by the engine through :meth:`hold`)
    owners: frozenset[Owner] = ALL_OWNERS

    def __init__(self, fest: Fest) -> None:
        self.fest = fest

    def hold(self, owners: frozenset[Owner]) -> None:
        """Run only the parts of these owner kinds: the engine calls it before reading the tables below,
        which then list only those parts (every check, handler, reward handler, subscription, message
        handler and timer belongs to one owner kind). A component that builds its tables once rebuilds them here."""
        self.owners = owners

    def holds(self, owner: Owner) -> bool:
        """Whether this engine runs the parts of ``owner``."""
        return owner in self.owners

    def start(self, timers: Timers) -> None:
        """Set the timers a new engine starts with (not called on restore: the snapshot has them)."""

    def checks(self) -> Mapping[str, Check]:
        """Per event type, a pure function that may reject the event."""
        return {}

    def handlers(self) -> Mapping[str, Handler]:
        """Per event type, what to do with an accepted event."""
        return {}

    def announcements(self) -> Mapping[str, Handler]:
        """Per event type of the fest (a stream's start or end), what this component does for *every*
        viewer it holds, apart from the event's own user (whose parts run in :meth:`handlers`): e.g.
        close the stream's windows. Runs after the handlers; an engine holding the viewers of a shard
        gets the event for this as a ``Forwarded`` message to ``viewer:*``."""
        return {}

    def reward_handlers(self) -> Mapping[str, RewardHandler]:
        """Per reward kind, how to grant it."""
        return {}

    def subscriptions(self) -> Mapping[type[Outcome], Subscriber]:
        """Per outcome type emitted by any component, what to do when it happens."""
        return {}

    def message_handlers(self) -> Mapping[type[Message], MessageHandler]:
        """Per message type, how this component applies a message sent to its key."""
        return {}

    def on_timer(self, payload: TimerPayload, ctx: StepContext) -> None:
        """A timer this component scheduled is due."""

    def dump(self) -> object:
        """The component's state as JSON-ready data, in a deterministic order."""
        return None

    def snapshot_shape(self) -> Shape:
        """What :meth:`dump` writes, field by field (see :mod:`festengine.engine.shapes`): a restore
        checks the snapshot against it before :meth:`load` runs, so ``load`` reads checked data."""
        return _nothing

    def timer_shape(self) -> Shape:
        """What the payloads of the timers this component sets look like (checked on restore)."""
        return _no_timers

    def load(self, data: Any) -> None:
        """Restore what :meth:`dump` produced (already checked against :meth:`snapshot_shape`)."""


def _nothing(value: object) -> None:
    if value is not None:
        raise Bad("expected null: this component keeps no state")


def _no_timers(value: object) -> None:
    raise Bad("this component sets no timers")
