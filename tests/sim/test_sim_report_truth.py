"""The report's numbers agree with the engine's outcomes on the bundled pack (a small simulated run)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sim_fests import PACK

from festengine import load_fest
from festengine.analytics import FestAnalytics, Insights, OutcomeTally
from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.engine.core import Step
from festengine.sim import horizon_of, simulate_events


@pytest.fixture(scope="module")
def fest() -> Fest:
    return load_fest(PACK)


@pytest.fixture(scope="module")
def tallies(fest: Fest) -> tuple[Insights, Insights]:
    """The insights of a run, and of the same run with the journey outcomes taken out (so derived)."""
    engine, analytics, derived = Engine(fest), FestAnalytics(fest), OutcomeTally(fest)
    journey_kinds = {"journey_step_completed", "journey_completed"}

    def without_journeys(step: Step) -> Step:
        return Step(step.event_id, tuple(o for o in step.outcomes if o.kind not in journey_kinds))

    for event in simulate_events(fest, viewers=300, creators=10, days=3, seed=5):
        step = engine.apply(event)
        analytics.observe(event, step)
        if step.accepted:
            derived.observe(without_journeys(step), event.occurred_at.timestamp())
    end = datetime.fromtimestamp(horizon_of(fest, 3)[1], UTC) + fest.allowed_lateness
    final = engine.advance_to(end)
    analytics.observe_advance(final, end)
    derived.observe(without_journeys(final), end.timestamp())
    return analytics.finish().insights, derived.result()


def test_community_goal_completions_are_the_engines(tallies: tuple[Insights, Insights]) -> None:
    """The mission funnel's community-goal completions add up to the community_goal_completed outcomes."""
    insights, _derived = tallies
    counts = dict(insights.outcome_counts)
    community = [m for m in insights.missions if m.subject != "viewer"]
    assert counts.get("community_goal_completed", 0) > 0
    assert sum(m.completions for m in community) == counts["community_goal_completed"]
    assert sum(m.expired for m in community) == counts.get("community_goal_expired", 0)
    assert sum(m.rewarded for m in community) == counts.get("contributor_rewarded", 0)
    viewer = [m for m in insights.missions if m.subject == "viewer"]
    assert sum(m.completions for m in viewer) == counts["mission_completed"]


def test_the_journey_funnel_counts_viewers_who_did_every_earlier_step(tallies: tuple[Insights, Insights]) -> None:
    """The engine's journey_step_completed counts equal the viewers who completed the missions of
    steps 1..n (any order), and never exceed the viewers who completed step n's mission at all."""
    insights, derived = tallies
    (journey,) = insights.journeys
    (from_missions,) = derived.journeys
    assert not journey.derived
    assert from_missions.derived
    assert journey.steps == from_missions.steps
    assert journey.finished == from_missions.finished
    reached = [count for _label, count in journey.steps]
    assert all(r <= anyway for r, anyway in zip(reached, journey.step_missions, strict=True))
    assert reached[1] < journey.step_missions[1]  # the follow step: many follow without saying hello first
