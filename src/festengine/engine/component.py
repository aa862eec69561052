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
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeAlias

import attrs

from festengine.catalog.model import Fest, Reward
from festengine.engine.outcomes import Outcome
from festengine.engine.shapes import Bad, Shape
from festengine.events import Event

if TYPE_CHECKING:
    from festengine.engine.core import Engine

__all__ = ["Check", "Component", "Handler", "Rejection", "RewardHandler", "StepContext", "Timers"]


@attrs.frozen(slots=True)
class Rejection:
    """Why an event is refused: a stable ``code`` and a sentence for people."""

    code: str
    reason: str


Check: TypeAlias = Callable[[Event], Rejection | None]
Handler: TypeAlias = Callable[[Event, "StepContext"], None]
RewardHandler: TypeAlias = Callable[[str, Reward, str, "StepContext"], None]
Subscriber: TypeAlias = Callable[[Any, "StepContext"], None]


class Timers(Protocol):
    """Where a component sets a timer: ``component.on_timer(payload)`` runs once the clock reaches ``due_ts``."""

    def schedule(self, due_ts: float, component: str, payload: list[Any]) -> None: ...


class StepContext:
    """Collects the outcomes of one step and routes messages between components."""

    __slots__ = ("_subscribers", "engine", "event", "event_id", "outcomes", "ts")

    def __init__(self, engine: Engine, event_id: str | None, ts: float, event: Event | None = None) -> None:
        self.engine = engine
        self.event_id = event_id
        self.ts = ts
        self.event = event
        self.outcomes: list[Outcome] = []
        self._subscribers = engine._subscribers

    @property
    def now(self) -> datetime:
        return datetime.fromtimestamp(self.ts, UTC)

    @staticmethod
    def now_of(ts: float | None) -> datetime | None:
        """A POSIX time as an aware UTC datetime (``None`` stays ``None``)."""
        return None if ts is None else datetime.fromtimestamp(ts, UTC)

    def emit(self, outcome: Outcome) -> None:
        """Record an outcome and deliver it to the components that subscribe to its type."""
        self.outcomes.append(outcome)
        subscribers = self._subscribers.get(type(outcome))
        if subscribers:
            for subscriber in subscribers:
                subscriber(outcome, self)

    def emitter(self, outcome_type: type[Outcome]) -> Callable[[Any], None]:
        """How to emit many outcomes of one type in a loop: ``emit``, or a plain append when no
        component subscribes to that type (the same result, without the lookup per outcome)."""
        return self.emit if outcome_type in self._subscribers else self.outcomes.append

    def grant(self, user_id: str, reward: Reward, source: str) -> None:
        """Route a reward to the component that handles its kind."""
        self.engine._reward_handlers[reward.kind](user_id, reward, source, self)

    def schedule(self, due_ts: float, component: str, payload: list[Any]) -> None:
        """Call ``component.on_timer(payload)`` once the clock reaches ``due_ts``."""
        self.engine._schedule(due_ts, component, payload)


class Component:
    """Base class of the engine's parts. Subclasses override what they need."""

    name: ClassVar[str] = "component"

    def __init__(self, fest: Fest, engine: Engine) -> None:
        self.fest = fest
        self.engine = engine

    def checks(self) -> Mapping[str, Check]:
        """Per event type, a pure function that may reject the event."""
        return {}

    def handlers(self) -> Mapping[str, Handler]:
        """Per event type, what to do with an accepted event."""
        return {}

    def reward_handlers(self) -> Mapping[str, RewardHandler]:
        """Per reward kind, how to grant it."""
        return {}

    def subscriptions(self) -> Mapping[type[Outcome], Subscriber]:
        """Per outcome type emitted by any component, what to do when it happens."""
        return {}

    def start(self, timers: Timers) -> None:
        """Set the timers a new engine starts with (not called on restore: the snapshot has them)."""

    def on_timer(self, payload: list[Any], ctx: StepContext) -> None:
        """A timer this component scheduled is due."""

    def dump(self) -> Any:
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


def _nothing(value: Any) -> None:
    if value is not None:
        raise Bad("expected null: this component keeps no state")


def _no_timers(value: Any) -> None:
    raise Bad("this component sets no timers")
