"""What the engine's outcomes say about the pack: the fest designer's view of a run.

:class:`OutcomeTally` folds the outcomes of every accepted step (and of ``advance_to``) into:

* the mission funnel: per mission, who made progress, who completed it, claims and expiries; for a
  community goal (subject creator or stream) the subjects are the communities, its completions and
  expiries are rounds (``community_goal_completed`` / ``community_goal_expired``), and it also
  counts the viewers who contributed and the contributors rewarded;
* the LIVE Journey funnel: viewers reaching each step in order (from ``journey_step_completed``
  outcomes, or derived from completions of the step missions when the engine reports no journey
  outcomes), next to the viewers who completed each step's mission in any order;
* the Fan Club level distribution (each member's latest ``level_changed``);
* shopping credits granted per budget and day (``credit_granted``), against the budget's size;
* commission accrued, settled and reversed per day, and what is pending at the end;
* creator points (``creator_points_earned``) and badges awarded.

Outcomes are recognised by their ``kind`` string and read with ``getattr``, so the tally works
with whichever engine layers a build has; a missing layer leaves its part empty with a note.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, Final

import attrs

from festengine.analytics.buckets import FestClock
from festengine.catalog.model import Fest, Journey
from festengine.engine.core import Step
from festengine.engine.outcomes import Outcome

__all__ = [
    "BudgetUse",
    "CommissionSummary",
    "FanClubLevels",
    "Insights",
    "JourneyFunnel",
    "MissionFunnel",
    "OutcomeTally",
]

_ZERO: Final = Decimal(0)


def _amount(value: object) -> Decimal:
    amount = getattr(value, "amount", value)
    return amount if isinstance(amount, Decimal) else Decimal(str(amount or 0))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if attrs.has(type(value)):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
    return value


@attrs.frozen(slots=True)
class MissionFunnel:
    """One mission's numbers: distinct subjects with progress and with a completion; counts.

    For a community goal the subjects are communities (creators or streams), ``completions`` and
    ``expired`` count rounds, ``contributors`` the distinct viewers who added to it and
    ``rewarded`` the contributor rewards; both stay 0 for a viewer mission.
    """

    mission_id: str
    title: str
    subject: str
    progressed: int
    completed: int
    completions: int
    claimed: int
    expired: int
    contributors: int = 0
    rewarded: int = 0


@attrs.frozen(slots=True)
class JourneyFunnel:
    """Viewers at each step of a journey; ``derived`` when computed from mission completions.

    ``steps`` counts the viewers who reached each step *in order* (every earlier step done too);
    ``step_missions`` counts, per step, the viewers who completed the step's mission (any of a
    branch's) at all, in any order: the step missions are ordinary missions, so this can be more.
    """

    journey_id: str
    title: str
    started: int
    steps: tuple[tuple[str, int], ...]
    finished: int
    derived: bool
    step_missions: tuple[int, ...] = ()


@attrs.frozen(slots=True)
class FanClubLevels:
    """Members per Fan Club level (a viewer counts once per club), from level changes."""

    members: int
    levels: tuple[tuple[int, int], ...]
    joins: int


@attrs.frozen(slots=True)
class BudgetUse:
    """Credits granted from one budget: per fest day and cumulative, against its size."""

    budget_id: str
    name: str
    size: Decimal
    granted: Decimal
    grants: int
    exhausted: int
    by_day: tuple[tuple[str, Decimal, Decimal], ...]


@attrs.frozen(slots=True)
class CommissionSummary:
    """Commission in the fest's currency: flows per day and the end state."""

    accrued: Decimal
    settled: Decimal
    reversed: Decimal
    clawed_back: Decimal
    pending: Decimal
    settled_net: Decimal
    orders: int
    by_day: tuple[tuple[str, Decimal, Decimal, Decimal], ...]


@attrs.frozen(slots=True)
class Insights:
    """The tally's result."""

    missions: tuple[MissionFunnel, ...]
    journeys: tuple[JourneyFunnel, ...]
    fan_club: FanClubLevels | None
    credits: tuple[BudgetUse, ...]
    commission: CommissionSummary | None
    creator_points: tuple[tuple[str, str], ...]
    badges: tuple[tuple[str, str, int], ...]
    outcome_counts: tuple[tuple[str, int], ...]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in attrs.fields(Insights)}


@attrs.define(slots=True)
class _MissionTally:
    progressed: set[str] = attrs.field(factory=set)
    completed: set[str] = attrs.field(factory=set)
    completions: int = 0
    claimed: int = 0
    expired: int = 0
    contributors: set[str] = attrs.field(factory=set)
    rewarded: int = 0


class OutcomeTally:
    """Folds outcomes by kind; see the module's description."""

    def __init__(self, fest: Fest) -> None:
        self.fest = fest
        self._clock = FestClock(fest.calendar)
        self._missions: dict[str, _MissionTally] = {m: _MissionTally() for m in fest.missions}
        self._journey_steps: dict[tuple[str, int], int] = {}
        self._journeys_done: Counter[str] = Counter()
        self._levels: dict[tuple[str, str], int] = {}
        self._joins = 0
        self._credits: dict[str, dict[int, Decimal]] = {}
        self._grants: Counter[str] = Counter()
        self._exhausted: Counter[str] = Counter()
        self._commission: dict[int, list[Decimal]] = {}
        self._clawed_back = _ZERO
        self._commission_orders: set[str] = set()
        self._points: dict[str, Any] = {}
        self._badges: Counter[tuple[str, str]] = Counter()
        self._kinds: Counter[str] = Counter()
        self._on: dict[str, Callable[[Any, int], None]] = {
            "mission_progressed": self._progressed, "community_progressed": self._progressed,
            "mission_completed": self._completed, "mission_claimed": self._claimed,
            "mission_expired": self._expired, "community_goal_completed": self._completed,
            "community_goal_expired": self._expired, "contributor_rewarded": self._rewarded,
            "journey_step_completed": self._journey_step,
            "journey_completed": self._journey_done, "level_changed": self._level,
            "fan_club_joined": self._joined, "credit_granted": self._credit,
            "budget_exhausted": self._budget_exhausted, "commission_accrued": self._accrued,
            "commission_settled": self._settled, "commission_reversed": self._reversed,
            "creator_points_earned": self._creator_points, "badge_awarded": self._badge,
        }  # fmt: skip

    def observe(self, step: Step, ts: float) -> None:
        """Fold the outcomes of an accepted step (or of ``advance_to``) that happened at ``ts``."""
        if not step.accepted:
            return
        day = self._clock.day_of(ts)
        for outcome in step.outcomes:
            self._fold(outcome, day)

    def _fold(self, outcome: Outcome, day: int) -> None:
        kind = outcome.kind
        self._kinds[kind] += 1
        handler = self._on.get(kind)
        if handler is not None:
            handler(outcome, day)

    # ------------------------------------------------------------------ missions and journeys

    def _mission(self, outcome: Any) -> _MissionTally | None:
        return self._missions.get(str(getattr(outcome, "mission_id", "")))

    def _progressed(self, outcome: Any, _day: int) -> None:
        tally = self._mission(outcome)
        if tally is not None:
            tally.progressed.add(str(getattr(outcome, "subject", "")))
            if outcome.kind == "community_progressed":
                tally.contributors.add(str(getattr(outcome, "user_id", "")))

    def _rewarded(self, outcome: Any, _day: int) -> None:
        tally = self._mission(outcome)
        if tally is not None:
            tally.rewarded += 1

    def _completed(self, outcome: Any, _day: int) -> None:
        tally = self._mission(outcome)
        if tally is not None:
            tally.completions += 1
            tally.completed.add(str(getattr(outcome, "subject", "")))

    def _claimed(self, outcome: Any, _day: int) -> None:
        tally = self._mission(outcome)
        if tally is not None:
            tally.claimed += 1

    def _expired(self, outcome: Any, _day: int) -> None:
        tally = self._mission(outcome)
        if tally is not None:
            tally.expired += 1

    def _journey_step(self, outcome: Any, _day: int) -> None:
        key = (str(getattr(outcome, "journey_id", "")), int(getattr(outcome, "step", 0)))
        self._journey_steps[key] = self._journey_steps.get(key, 0) + 1

    def _journey_done(self, outcome: Any, _day: int) -> None:
        self._journeys_done[str(getattr(outcome, "journey_id", ""))] += 1

    # ------------------------------------------------------------------ fan clubs, points, badges

    def _level(self, outcome: Any, _day: int) -> None:
        key = (str(getattr(outcome, "user_id", "")), str(getattr(outcome, "creator_id", "")))
        self._levels[key] = int(getattr(outcome, "new_level", 0))

    def _joined(self, _outcome: Any, _day: int) -> None:
        self._joins += 1

    def _creator_points(self, outcome: Any, _day: int) -> None:
        self._points[str(getattr(outcome, "creator_id", ""))] = getattr(outcome, "total", 0)

    def _badge(self, outcome: Any, _day: int) -> None:
        self._badges[(str(getattr(outcome, "badge_id", "")), str(getattr(outcome, "tier", "")))] += 1

    # ------------------------------------------------------------------ money

    def _credit(self, outcome: Any, day: int) -> None:
        budget = str(getattr(outcome, "budget_id", ""))
        days = self._credits.setdefault(budget, {})
        days[day] = days.get(day, _ZERO) + _amount(getattr(outcome, "amount", _ZERO))
        self._grants[budget] += 1

    def _budget_exhausted(self, outcome: Any, _day: int) -> None:
        self._exhausted[str(getattr(outcome, "budget_id", ""))] += 1

    def _flows(self, day: int) -> list[Decimal]:
        flows = self._commission.get(day)
        if flows is None:
            flows = self._commission[day] = [_ZERO, _ZERO, _ZERO]
        return flows

    def _accrued(self, outcome: Any, day: int) -> None:
        self._flows(day)[0] += _amount(getattr(outcome, "amount", _ZERO))
        self._commission_orders.add(str(getattr(outcome, "order_id", "")))

    def _settled(self, outcome: Any, day: int) -> None:
        self._flows(day)[1] += _amount(getattr(outcome, "amount", _ZERO))

    def _reversed(self, outcome: Any, day: int) -> None:
        amount = _amount(getattr(outcome, "amount", _ZERO))
        self._flows(day)[2] += amount
        if getattr(outcome, "clawback", False):
            self._clawed_back += amount

    # ------------------------------------------------------------------ the result

    def result(self) -> Insights:
        """The tally so far, frozen."""
        notes: list[str] = []
        fan_club = self._fan_club_levels(notes)
        commission = self._commission_summary(notes)
        return Insights(
            missions=tuple(self._mission_funnels()),
            journeys=tuple(self._journey_funnel(j) for j in self.fest.journeys.values()),
            fan_club=fan_club,
            credits=tuple(self._budget_uses()),
            commission=commission,
            creator_points=tuple((c, str(p)) for c, p in sorted(self._points.items())),
            badges=tuple((b, t, n) for (b, t), n in sorted(self._badges.items())),
            outcome_counts=tuple(sorted(self._kinds.items())),
            notes=tuple(notes),
        )

    def _mission_funnels(self) -> Iterable[MissionFunnel]:
        for mission_id, mission in self.fest.missions.items():
            t = self._missions[mission_id]
            yield MissionFunnel(
                mission_id, mission.title, str(mission.subject), len(t.progressed), len(t.completed),
                t.completions, t.claimed, t.expired, len(t.contributors), t.rewarded,
            )  # fmt: skip

    def _completers(self, missions: Iterable[str]) -> set[str]:
        """The subjects who completed any of ``missions``."""
        return set().union(*(self._missions[m].completed for m in missions if m in self._missions))

    def _journey_funnel(self, journey: Journey) -> JourneyFunnel:
        first = journey.steps[0].missions if journey.steps else ()
        started = len(set().union(*(self._missions[m].progressed for m in first if m in self._missions)))
        labels = [" / ".join(step.missions) for step in journey.steps]
        completers = [self._completers(step.missions) for step in journey.steps]
        any_order = tuple(len(done) for done in completers)
        if self._journey_steps or self._journeys_done:
            counts = [self._journey_steps.get((journey.id, n), 0) for n in range(1, len(labels) + 1)]
            steps = tuple(zip(labels, counts, strict=True))
            finished = self._journeys_done[journey.id]
            return JourneyFunnel(journey.id, journey.title, started, steps, finished, False, any_order)
        reached: set[str] | None = None
        counts = []
        for done in completers:
            reached = done if reached is None else reached & done
            counts.append(len(reached))
        steps = tuple(zip(labels, counts, strict=True))
        finished = counts[-1] if counts else 0
        return JourneyFunnel(journey.id, journey.title, started, steps, finished, True, any_order)

    def _fan_club_levels(self, notes: list[str]) -> FanClubLevels | None:
        if self.fest.fan_club is None:
            notes.append("fan_club: this pack has no Fan Club, so there are no levels to show.")
            return None
        if not self._levels:
            notes.append(
                "fan_club: the engine reported no level_changed outcomes (no member joined, or this build "
                "has no Fan Club layer), so the level distribution is empty."
            )
            return None
        levels = Counter(self._levels.values())
        return FanClubLevels(len(self._levels), tuple(sorted(levels.items())), self._joins)

    def _budget_uses(self) -> Iterable[BudgetUse]:
        for budget_id, budget in self.fest.economy.budgets.items():
            days = self._credits.get(budget_id, {})
            running, rows = _ZERO, []
            for day in sorted(days):
                running += days[day]
                rows.append((self._clock.day_label(day), days[day], running))
            yield BudgetUse(
                budget_id, budget.name, budget.amount, running, self._grants[budget_id],
                self._exhausted[budget_id], tuple(rows),
            )  # fmt: skip

    def _commission_summary(self, notes: list[str]) -> CommissionSummary | None:
        if not self._commission:
            notes.append("commission: no commission outcomes were reported (no attributed orders in this run).")
            return None
        accrued = sum((f[0] for f in self._commission.values()), _ZERO)
        settled = sum((f[1] for f in self._commission.values()), _ZERO)
        reversed_ = sum((f[2] for f in self._commission.values()), _ZERO)
        pending = accrued - settled - (reversed_ - self._clawed_back)
        rows = tuple((self._clock.day_label(d), f[0], f[1], f[2]) for d, f in sorted(self._commission.items()))
        return CommissionSummary(
            accrued, settled, reversed_, self._clawed_back, pending, settled - self._clawed_back,
            len(self._commission_orders), rows,
        )  # fmt: skip
