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
"""

from __future__ import annotations

from typing import Any

import attrs

from festengine._share import share
from festengine.catalog.model import Fest
from festengine.engine.component import StepContext
from festengine.social.outcomes import JourneyCompleted, JourneyStepCompleted

__all__ = ["JourneyProgress", "Journeys"]


#: A viewer's runs at journeys, in the order started: ``(journey id, path)``, where the path is the
#: mission that completed each step done so far (so the step reached is its length).
_Runs = tuple[tuple[str, tuple[str, ...]], ...]


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
        # Per viewer, tuples of interned ids rather than a dict and an object per run: a viewer's
        # journey state changes a handful of times in a fest, and tuples of strings are small and
        # nothing the garbage collector has to walk.
        #: user -> the journey missions completed (first completions, in order)
        self._done: dict[str, tuple[str, ...]] = {}
        #: user -> the journeys started, with their paths
        self._runs: dict[str, _Runs] = {}

    def mission_done(self, user: str, mission_id: str, ctx: StepContext) -> None:
        """``user`` completed ``mission_id``: advance the journeys that contain it."""
        journeys = self._by_mission.get(mission_id)
        if journeys is None:
            return
        done = self._done.get(user, ())
        if mission_id in done:
            return
        user = share(user)
        self._done[user] = (*done, mission_id)
        for journey_id in journeys:
            self._advance(user, journey_id, ctx)

    def _advance(self, user: str, journey_id: str, ctx: StepContext) -> None:
        """Start the user's run at the journey if need be, then complete every step it can."""
        # Plain loops rather than generator expressions: this runs on every first completion of a
        # journey mission, and a viewer's runs and missions done are a handful of items.
        runs = self._runs.get(user, ())
        path: tuple[str, ...] | None = None
        for j, p in runs:
            if j == journey_id:
                path = p
                break
        if path is None:
            path = ()
            self._runs[user] = (*runs, (journey_id, path))
        steps = self._steps[journey_id]
        total = len(steps)
        reached = len(path)
        if reached >= total:
            return
        while reached < total:
            missions = steps[reached]
            chosen = None
            for m in self._done[user]:
                if m in missions:
                    chosen = m
                    break
            if chosen is None:
                return
            path = (*path, chosen)
            reached += 1
            self._runs[user] = tuple((j, path if j == journey_id else p) for j, p in self._runs[user])
            closed = tuple(m for m in missions if m != chosen)
            upcoming = steps[reached] if reached < total else ()
            ctx.emit(
                JourneyStepCompleted(ctx.event_id, user, journey_id, reached, chosen, reached, total, closed, upcoming)
            )
        ctx.emit(JourneyCompleted(ctx.event_id, user, journey_id, path))
        for reward in self._journeys[journey_id].rewards:
            ctx.grant(user, reward, journey_id)

    def _path(self, user: str, journey_id: str) -> tuple[str, ...]:
        """The user's path at a journey (empty if not started)."""
        for j, path in self._runs.get(user, ()):
            if j == journey_id:
                return path
        return ()

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

    def dump(self) -> Any:
        """JSON-ready state."""
        return {
            "done": {user: list(done) for user, done in self._done.items()},
            "runs": {user: {j: [len(path), list(path)] for j, path in runs} for user, runs in self._runs.items()},
        }

    def load(self, data: Any) -> None:
        """Restore what :meth:`dump` produced."""
        self._done = {share(user): tuple(share(m) for m in done) for user, done in data["done"].items()}
        self._runs = {  # a run's step is the length of its path
            share(user): tuple((share(j), tuple(share(m) for m in path)) for j, (_, path) in runs.items())
            for user, runs in data["runs"].items()
        }
