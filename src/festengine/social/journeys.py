"""LIVE Journeys: ordered chains of missions, with branches, per viewer.

State is owned by the viewer key: the journey missions the viewer has completed (first
completions, in order) and, per journey, the step reached and the path taken.

* Steps are taken in order: step ``k`` is done when the journey has reached it and one of its
  missions has been completed. The step missions are ordinary missions that count whatever the
  journey's state, so a mission completed before its step is reached completes the step the
  moment the journey gets there (several steps can complete in one event).
* A branch step's path is the first of its missions the viewer completed; the others close (they
  no longer matter to this journey).
* Progress is steps done / steps on the path (one mission per step), and the viewer always sees
  the missions of the next step. Completing the last step emits :class:`JourneyCompleted` and
  grants the journey's rewards (``source`` = the journey id).
* A community goal's :class:`ContributorRewarded` counts as completing that mission for the
  contributor.
* A journey with ``steps_count: on_claim`` counts a step whose mission is claimed by hand when the
  viewer claims it (:class:`MissionClaimed`), not when it is completed: a claim that lapses never
  completes the step. Its other missions count when completed, as in every journey.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import attrs

from festengine._share import share
from festengine.catalog.model import Fest
from festengine.engine.component import StepContext
from festengine.social.outcomes import JourneyCompleted, JourneyStepCompleted

if TYPE_CHECKING:
    from festengine.social.snapshot import JourneysData

__all__ = ["JourneyProgress", "JourneyRun", "Journeys", "Traveller"]


class JourneyRun:
    """A viewer's run at one journey: its path, the mission that completed each step done so far (so the
    step reached is its length)."""

    __slots__ = ("journey_id", "path")

    def __init__(self, journey_id: str, path: tuple[str, ...] = ()) -> None:
        self.journey_id = journey_id
        self.path = path


class Traveller:
    """A viewer's journey state (the viewer key's): the journey missions completed (first completions, in
    order), the missions that count for journeys counting steps on claim (in the order they counted:
    claimed by hand, or completed if automatic) and the runs at the journeys started, in the order
    started (a viewer runs a handful: a tuple is smaller than a dict)."""

    __slots__ = ("claimed", "done", "runs")

    def __init__(self) -> None:
        self.done: tuple[str, ...] = ()
        self.claimed: tuple[str, ...] = ()
        self.runs: tuple[JourneyRun, ...] = ()

    def run(self, journey_id: str) -> JourneyRun | None:
        """The run at a journey, if started."""
        for run in self.runs:
            if run.journey_id == journey_id:
                return run
        return None


@attrs.frozen(slots=True)
class JourneyProgress:
    """What a viewer sees of a journey: ``next_step`` (1-based) and its missions, ``None`` when done."""

    journey_id: str
    title: str
    steps_done: int
    steps_total: int
    path: tuple[str, ...]
    next_step: int | None
    next_missions: tuple[str, ...]
    completed: bool


class Journeys:
    """The LIVE Journeys of a fest."""

    def __init__(self, fest: Fest) -> None:
        self._journeys = fest.journeys
        index: dict[str, list[str]] = {}
        for journey in fest.journeys.values():
            for step in journey.steps:
                for mission_id in step.missions:
                    found = index.setdefault(mission_id, [])
                    if journey.id not in found:
                        found.append(journey.id)
        self._by_mission = {mission_id: tuple(ids) for mission_id, ids in index.items()}
        #: the missions that are steps of a journey
        self.missions = frozenset(self._by_mission)
        #: journey id -> the missions of each step, in order
        self._steps = {journey.id: tuple(step.missions for step in journey.steps) for journey in fest.journeys.values()}
        #: user -> their journey state
        self._travellers: dict[str, Traveller] = {}
        #: the journeys whose steps count on claim, and the manual-claim missions of their steps
        self._on_claim = frozenset(j.id for j in fest.journeys.values() if j.counts_on_claim)
        on_claim_missions = {m for j in self._on_claim for step in self._steps[j] for m in step}
        #: the missions counted on claim by some journey: their claims are what those journeys wait for
        self.claims_watched = frozenset(m for m in on_claim_missions if fest.missions[m].claim.manual)
        #: the automatic missions of those journeys: they count for them when completed
        self._counted_when_done = frozenset(on_claim_missions - self.claims_watched)

    def mission_done(self, user: str, mission_id: str, ctx: StepContext) -> None:
        """``user`` completed ``mission_id``: advance the journeys that contain it (those counting steps on
        claim wait for the claim of a mission claimed by hand)."""
        journeys = self._by_mission.get(mission_id)
        if journeys is None:
            return
        traveller = self._travellers.get(user)
        if traveller is None:
            user = share(user)
            traveller = self._travellers[user] = Traveller()
        elif mission_id in traveller.done:
            return
        traveller.done = (*traveller.done, mission_id)
        if mission_id in self._counted_when_done:
            traveller.claimed = (*traveller.claimed, mission_id)
        waits_for_claim = mission_id in self.claims_watched
        for journey_id in journeys:
            if not (waits_for_claim and journey_id in self._on_claim):
                self._advance(user, traveller, journey_id, ctx)

    def mission_claimed(self, user: str, mission_id: str, ctx: StepContext) -> None:
        """``user`` claimed ``mission_id``: advance the journeys that count it on claim."""
        if mission_id not in self.claims_watched:
            return
        traveller = self._travellers.get(user)
        if traveller is None:
            user = share(user)
            traveller = self._travellers[user] = Traveller()
        elif mission_id in traveller.claimed:
            return
        traveller.claimed = (*traveller.claimed, mission_id)
        for journey_id in self._by_mission[mission_id]:
            if journey_id in self._on_claim:
                self._advance(user, traveller, journey_id, ctx)

    def _advance(self, user: str, traveller: Traveller, journey_id: str, ctx: StepContext) -> None:
        """Start the user's run at the journey if need be, then complete every step it can."""
        run = traveller.run(journey_id)
        if run is None:
            run = JourneyRun(journey_id)
            traveller.runs = (*traveller.runs, run)
        path = run.path
        steps = self._steps[journey_id]
        total = len(steps)
        if len(path) >= total:
            return
        counted = traveller.claimed if journey_id in self._on_claim else traveller.done
        while len(path) < total:
            missions = steps[len(path)]
            chosen = next((m for m in counted if m in missions), None)
            if chosen is None:
                return
            path = run.path = (*path, chosen)
            reached = len(path)
            ctx.emit(
                JourneyStepCompleted(
                    event_id=ctx.event_id,
                    user_id=user,
                    journey_id=journey_id,
                    step=reached,
                    mission_id=chosen,
                    steps_done=reached,
                    steps_total=total,
                    closed=tuple(m for m in missions if m != chosen),
                    next_missions=steps[reached] if reached < total else (),
                )
            )
        ctx.emit(JourneyCompleted(event_id=ctx.event_id, user_id=user, journey_id=journey_id, path=path))
        for reward in self._journeys[journey_id].rewards:
            ctx.grant(user, reward, journey_id)

    def _path(self, user: str, journey_id: str) -> tuple[str, ...]:
        """The user's path at a journey (empty if not started)."""
        traveller = self._travellers.get(user)
        run = None if traveller is None else traveller.run(journey_id)
        return () if run is None else run.path

    # ------------------------------------------------------------------ queries

    def progress(self, user: str, journey_id: str) -> JourneyProgress:
        """A viewer's progress at one journey (step 1 if not started)."""
        journey = self._journeys[journey_id]
        path = self._path(user, journey_id)
        step = len(path)
        total = len(journey.steps)
        finished = step >= total
        return JourneyProgress(
            journey_id=journey.id,
            title=journey.title,
            steps_done=step,
            steps_total=total,
            path=path,
            next_step=None if finished else step + 1,
            next_missions=() if finished else journey.steps[step].missions,
            completed=finished,
        )

    def all_progress(self, user: str) -> list[JourneyProgress]:
        """A viewer's progress at every journey, in pack order."""
        return [self.progress(user, journey_id) for journey_id in self._journeys]

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> dict[str, object]:
        """JSON-ready state."""
        travellers = self._travellers.items()
        return {
            "done": {user: list(t.done) for user, t in travellers if t.done},
            "claimed": {user: list(t.claimed) for user, t in travellers if t.claimed},
            "runs": {
                user: {run.journey_id: [len(run.path), list(run.path)] for run in t.runs}
                for user, t in travellers
                if t.runs
            },
        }

    def load(self, data: JourneysData) -> None:
        """Restore what :meth:`dump` produced."""
        self._travellers = {}
        for user, done in data["done"].items():
            self._traveller(user).done = tuple(share(m) for m in done)
        for user, claimed in data["claimed"].items():
            self._traveller(user).claimed = tuple(share(m) for m in claimed)
        for user, runs in data["runs"].items():  # a run's step is the length of its path
            self._traveller(user).runs = tuple(
                JourneyRun(share(j), tuple(share(m) for m in cast(list[str], run[1]))) for j, run in runs.items()
            )

    def _traveller(self, user: str) -> Traveller:
        traveller = self._travellers.get(user)
        if traveller is None:
            traveller = self._travellers[share(user)] = Traveller()
        return traveller
