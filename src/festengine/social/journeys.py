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

from festengine.catalog.model import Fest, Journey
from festengine.engine.component import StepContext
from festengine.social.outcomes import JourneyCompleted, JourneyStepCompleted

__all__ = ["JourneyProgress", "Journeys"]


@attrs.define(slots=True)
class _Run:
    """One viewer's run at one journey."""

    step: int = 0
    path: list[str] = attrs.field(factory=list)


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
        self._done: dict[str, dict[str, None]] = {}
        self._runs: dict[str, dict[str, _Run]] = {}

    def mission_done(self, user: str, mission_id: str, ctx: StepContext) -> None:
        """``user`` completed ``mission_id``: advance the journeys that contain it."""
        journeys = self._by_mission.get(mission_id)
        if journeys is None:
            return
        done = self._done.setdefault(user, {})
        if mission_id in done:
            return
        done[mission_id] = None
        runs = self._runs.setdefault(user, {})
        for journey_id in journeys:
            run = runs.get(journey_id)
            if run is None:
                run = runs[journey_id] = _Run()
            self._advance(user, self._journeys[journey_id], run, done, ctx)

    def _advance(self, user: str, journey: Journey, run: _Run, done: dict[str, None], ctx: StepContext) -> None:
        steps = journey.steps
        total = len(steps)
        if run.step >= total:
            return
        while run.step < total:
            step = steps[run.step]
            chosen = next((m for m in done if m in step.missions), None)
            if chosen is None:
                return
            run.path.append(chosen)
            run.step += 1
            closed = tuple(m for m in step.missions if m != chosen)
            upcoming = steps[run.step].missions if run.step < total else ()
            ctx.emit(
                JourneyStepCompleted(
                    ctx.event_id, user, journey.id, run.step, chosen, run.step, total, closed, upcoming
                )
            )
        ctx.emit(JourneyCompleted(ctx.event_id, user, journey.id, tuple(run.path)))
        for reward in journey.rewards:
            ctx.grant(user, reward, journey.id)

    # ------------------------------------------------------------------ queries

    def progress(self, user: str, journey_id: str) -> JourneyProgress:
        """A viewer's progress at one journey (step 1 if not started)."""
        journey = self._journeys[journey_id]
        run = self._runs.get(user, {}).get(journey_id) or _Run()
        total = len(journey.steps)
        finished = run.step >= total
        return JourneyProgress(
            journey_id=journey.id,
            title=journey.title,
            steps_done=run.step,
            steps_total=total,
            path=tuple(run.path),
            next_step=None if finished else run.step + 1,
            next_missions=() if finished else journey.steps[run.step].missions,
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
            "runs": {user: {j: [run.step, run.path] for j, run in runs.items()} for user, runs in self._runs.items()},
        }

    def load(self, data: Any) -> None:
        """Restore what :meth:`dump` produced."""
        self._done = {user: dict.fromkeys(done) for user, done in data["done"].items()}
        self._runs = {
            user: {j: _Run(step, list(path)) for j, (step, path) in runs.items()} for user, runs in data["runs"].items()
        }
