"""The engine: folds events over keyed state, deterministically, and says what happened.

``Engine.apply(event)`` does, in this order:

1. **Idempotency**: an ``event_id`` seen before yields ``Duplicate`` and changes nothing.
2. **Checks** (pure): inside the fest, not later than the allowed lateness behind the clock, and
   each component's checks for the type. A refused event yields ``Rejected`` and changes nothing.
3. **Time**: if the event is the newest so far, the clock moves to it and every timer that is now
   due fires first (windows close, claims lapse, commissions settle…).
4. **Apply**: the components' handlers for the type run in a fixed order.

The engine never reads the wall clock, the environment or randomness: time is the events' time.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

import attrs

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
)
from festengine.engine.outcomes import Duplicate, Outcome, Rejected
from festengine.engine.restore import restore_state
from festengine.engine.snapshot import DEFAULT_MAX_BYTES, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, encode
from festengine.engine.snapshot import read as read_snapshot
from festengine.errors import EngineFailedError, FestEngineError, InvalidTimeError, SnapshotError
from festengine.events import Event
from festengine.limits import EARLIEST_TIME, LATEST_TIME, time_in_range

if TYPE_CHECKING:
    from festengine.economy.component import Economy as EconomyComponent
    from festengine.economy.ledger import JournalEntry, Ledger
    from festengine.economy.money import Money
    from festengine.engine.gifts import GiftStreaks
    from festengine.engine.missions import Missions, MissionStatus
    from festengine.engine.profile import Profiles
    from festengine.social import (
        ActivePromotion,
        CommunityGoalStatus,
        FanClubMembership,
        JourneyProgress,
        LeaderboardEntry,
        LeaderboardPosition,
    )
    from festengine.social.component import Social

__all__ = ["DEFAULT_MAX_BYTES", "SNAPSHOT_MAGIC", "SNAPSHOT_VERSION", "Engine", "Step"]

_O = TypeVar("_O", bound=Outcome)
_EARLIEST_TS: Final = EARLIEST_TIME.timestamp()
_LATEST_TS: Final = LATEST_TIME.timestamp()


@attrs.frozen(slots=True)
class Step:
    """What one ``apply`` (or ``advance_to``) did."""

    event_id: str | None
    outcomes: tuple[Outcome, ...]

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


def _component_classes() -> list[Callable[[Fest, Engine], Component]]:
    from festengine.economy.component import Economy
    from festengine.engine.gifts import GiftStreaks
    from festengine.engine.missions import Missions
    from festengine.engine.profile import Profiles
    from festengine.social.component import Social

    def missions(fest: Fest, engine: Engine) -> Component:
        return Missions(fest, facts=_ViewerFacts(engine))

    return [GiftStreaks, Profiles, Economy, Social, missions]


class _ViewerFacts:
    """The badges (profiles) and fan-club levels (social) the missions' prerequisites ask about."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def has_badge(self, user_id: str, badge: str, tier: str) -> bool:
        return self._engine._profiles.has_badge(user_id, badge, tier)

    def fan_club_level(self, user_id: str) -> int:
        return self._engine._social.fan_club_level(user_id)


class Engine:
    """Runs one fest. Not thread-safe: give each fest (or shard of keys) its own engine."""

    def __init__(self, fest: Fest) -> None:
        self.fest = fest
        self._clock: float | None = None
        self._lateness = fest.allowed_lateness.total_seconds()
        self._start_ts = fest.starts_at.timestamp()
        self._end_ts = fest.ends_at.timestamp()
        self._seen: dict[str, int] = {}
        self._seen_buckets: dict[int, list[str]] = {}
        #: the minute below which seen ids were last forgotten (pruning runs once per minute of clock)
        self._pruned_below = -(2**62)
        self._timers: list[tuple[float, int, str, list[Any]]] = []
        self._timer_seq = 0
        #: set when a call raised half-way (a bug): every later call is refused
        self._failure: EngineFailedError | None = None
        self.components: dict[str, Component] = {}
        self._checks: dict[str, tuple[Check, ...]] = {}
        self._handlers: dict[str, tuple[Handler, ...]] = {}
        self._subscribers: dict[type[Outcome], tuple[Subscriber, ...]] = {}
        self._reward_handlers: dict[str, RewardHandler] = {}
        for make in _component_classes():
            self._add(make(fest, self))
        self._check_reward_handlers()
        self._gift_streaks = cast("GiftStreaks", self.components["gifts"])
        self._missions = cast("Missions", self.components["missions"])
        self._profiles = cast("Profiles", self.components["profiles"])
        self._economy = cast("EconomyComponent", self.components["economy"])
        self._social = cast("Social", self.components["social"])

    def _check_reward_handlers(self) -> None:
        """Refuse, up front, a fest granting a reward kind that no component can grant."""
        kinds = {r.kind for m in self.fest.missions.values() for r in m.rewards}
        kinds |= {r.kind for j in self.fest.journeys.values() for r in j.rewards}
        missing = sorted(kinds - set(self._reward_handlers))
        if missing:
            raise FestEngineError(f"the fest grants {', '.join(missing)} rewards, but no engine layer handles them")

    def _add(self, component: Component) -> None:
        self.components[component.name] = component
        for kind, check in component.checks().items():
            self._checks[kind] = (*self._checks.get(kind, ()), check)
        for kind, handler in component.handlers().items():
            self._handlers[kind] = (*self._handlers.get(kind, ()), handler)
        for outcome_type, subscriber in component.subscriptions().items():
            self._subscribers[outcome_type] = (*self._subscribers.get(outcome_type, ()), subscriber)
        self._reward_handlers.update(component.reward_handlers())

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
            ctx = StepContext(self, event_id, ts, event)
            if clock is None or ts > clock:
                self._advance(ts, ctx)
            self._remember(event_id, ts)
            if event.type == "gift":
                counted = self._gift_streaks.normalize(event, ctx)
                if counted is None:
                    return Step(event_id, tuple(ctx.outcomes))
                event = ctx.event = counted
            for handler in self._handlers.get(event.type, ()):
                handler(event, ctx)
            return Step(event_id, tuple(ctx.outcomes))
        except Exception as error:
            raise self._fail(event_id, error) from error
        except BaseException as error:  # an interruption (KeyboardInterrupt…) propagates as itself
            self._fail(event_id, error)
            raise

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
            ctx = StepContext(self, None, ts)
            if self._clock is None or ts > self._clock:
                self._advance(ts, ctx)
            return Step(None, tuple(ctx.outcomes))
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
        if self._clock is not None and ts < self._clock - self._lateness:
            return Rejection(
                "too_late",
                f"occurred_at {event.occurred_at.isoformat()} is more than the allowed lateness "
                f"({_format_duration(self.fest.allowed_lateness)}) behind the fest clock {self.clock.isoformat()}",  # type: ignore[union-attr]
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

    # ------------------------------------------------------------------ time

    def _advance(self, ts: float, ctx: StepContext) -> None:
        """Move the clock forward to ``ts``: fire the timers due by then, forget ids beyond the horizon."""
        self._clock = ts
        if self._timers and self._timers[0][0] <= ts:
            self._fire_timers(ts, ctx)
        horizon = int((ts - self._lateness) // 60) - 1
        if horizon > self._pruned_below:
            self._prune_seen(horizon)

    def _fire_timers(self, ts: float, ctx: StepContext) -> None:
        timers = self._timers
        components = self.components
        while timers and timers[0][0] <= ts:
            _due, _seq, name, payload = heapq.heappop(timers)
            components[name].on_timer(payload, ctx)

    def _prune_seen(self, horizon: int) -> None:
        """Forget event ids older than the lateness horizon: such events are refused as too late anyway."""
        self._pruned_below = horizon
        buckets = self._seen_buckets
        if not buckets or next(iter(buckets)) >= horizon:
            return
        for minute in [m for m in buckets if m < horizon]:
            for event_id in buckets.pop(minute):
                del self._seen[event_id]

    def _schedule(self, due_ts: float, component: str, payload: list[Any]) -> None:
        self._timer_seq += 1
        heapq.heappush(self._timers, (due_ts, self._timer_seq, component, payload))

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
                "timers": [list(timer) for timer in self._timers],
                "timer_seq": self._timer_seq,
                "components": {name: component.dump() for name, component in self.components.items()},
            }
        )

    @classmethod
    def restore(cls, fest: Fest, data: bytes, *, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Engine:
        """An engine in exactly the state a snapshot recorded, for the same fest.

        The snapshot is untrusted input: it may inflate to at most ``max_bytes`` (default 1 GiB;
        ``None``: no limit), and every field is checked before it is used. Anything wrong with the
        data raises :class:`SnapshotError`, and only that (a ``max_bytes`` that is not a positive
        whole number or ``None`` is a ``ValueError``).
        """
        state = read_snapshot(data, fest.fingerprint, max_bytes)
        engine = cls(fest)
        try:
            restore_state(engine, state)
        except SnapshotError:
            raise
        except MemoryError:
            raise SnapshotError("the snapshot is too large to restore in the memory available") from None
        except Exception as error:  # a value the checks let through that load() could not use
            raise SnapshotError(f"the snapshot is corrupt: {error!r}") from error
        return engine

    def __reduce__(self) -> tuple[Any, ...]:
        # pickles and copies carry the fest and a snapshot (a failed engine refuses, like snapshot())
        return (_restored, (type(self), self.fest, self.snapshot()))

    # ------------------------------------------------------------------ queries

    def component(self, name: str) -> Any:
        """A component by name (``missions``, ``profiles``, ``economy``, ``social``…)."""
        return self.components[name]

    def missions(self, user_id: str) -> list[MissionStatus]:
        """A viewer's missions with state and progress, in pack order."""
        return self._missions.status(user_id)

    def badges(self, user_id: str) -> dict[str, str]:
        """A viewer's badges: badge id -> highest tier held."""
        return self._profiles.badges(user_id)

    def points(self, user_id: str) -> int:
        """A viewer's fest points."""
        return self._profiles.points(user_id)

    @property
    def ledger(self) -> Ledger:
        """The fest's double-entry ledger: balances, journal entries and ``trial_balance()``."""
        return self._economy.ledger

    def balance(self, account: str) -> Money:
        """The balance of a ledger account, e.g. ``viewer:u1:credits`` or ``creator:c1:commission_settled``."""
        return self._economy.balance(account)

    def entries(self, party: str) -> tuple[JournalEntry, ...]:
        """The journal entries touching a party (``viewer:u1``, ``creator:c1``…) or one account."""
        return self._economy.entries(party)

    def budget_left(self, budget_id: str) -> Money:
        """What is left in a named budget."""
        return self._economy.budget_left(budget_id)

    def fan_clubs(self, user_id: str) -> list[FanClubMembership]:
        """A viewer's Fan Club memberships (level, points, paused or active)."""
        return self._social.fan_club_memberships(user_id)

    def fan_club_members(self, creator_id: str) -> dict[int, list[FanClubMembership]]:
        """A creator's Fan Club members, by level."""
        return self._social.fan_club_members(creator_id)

    def journeys(self, user_id: str) -> list[JourneyProgress]:
        """A viewer's progress on every LIVE Journey, with the next step to take."""
        return self._social.journeys_of(user_id)

    def community_goal(self, mission_id: str, subject_id: str, window: str | None = None) -> CommunityGoalStatus | None:
        """A community goal of a creator or stream: total, level, top contributors."""
        return self._social.community_goal(mission_id, subject_id, window)

    def leaderboard(
        self, board_id: str, scope_id: str | None = None, day: date | None = None, limit: int | None = None
    ) -> list[LeaderboardEntry]:
        """A board's top entries (ties: earlier reach wins)."""
        return self._social.leaderboard(board_id, scope_id, day, limit)

    def leaderboard_position(
        self, board_id: str, entity_id: str, scope_id: str | None = None, day: date | None = None, around: int = 2
    ) -> LeaderboardPosition | None:
        """A viewer's or creator's rank on a board and the entries around it."""
        return self._social.leaderboard_position(board_id, entity_id, scope_id, day, around)

    def active_promotions(
        self,
        user_id: str,
        at: datetime,
        product_id: str | None = None,
        category: str | None = None,
        stream_id: str | None = None,
    ) -> list[ActivePromotion]:
        """The promotions that apply to a viewer at ``at``."""
        return self._social.active_promotions(user_id, at, product_id, category, stream_id)


def _restored(cls: type[Engine], fest: Fest, data: bytes) -> Engine:
    """How a pickled or copied engine comes back: restored from its own snapshot."""
    return cls.restore(fest, data, max_bytes=None)


def _not_an_event(value: object) -> TypeError:
    hint = (
        " (a mapping or JSON: call festengine.parse_event on it first)"
        if isinstance(value, Mapping | str | bytes)
        else ""
    )
    return TypeError(f"Engine.apply takes an Event, not {type(value).__name__}{hint}")
