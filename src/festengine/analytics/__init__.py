"""Analytics: the creator dashboard and the designer's view of a fest, folded from engine steps.

``FestAnalytics(fest)`` is the one object to feed: ``observe(event, step)`` after each
``engine.apply(event)``, ``observe_advance(step, at)`` after ``engine.advance_to(at)``, then
``finish()`` for an :class:`AnalyticsResult` with

* ``dashboard``: metrics per fest, creator and stream in local hourly and daily buckets, top
  gifters and detected spikes (:mod:`festengine.analytics.dashboard`);
* ``insights``: mission and journey funnels, Fan Club levels, credits against budgets, commission
  (:mod:`festengine.analytics.insights`).

Across several simulated runs, :class:`SeedRanges` gives the headline figures as ranges
(:mod:`festengine.analytics.ranges`).

A running fest's store keeps :class:`LiveAnalytics` (:mod:`festengine.analytics.live`): the dashboard
projection and the creators' audiences (:mod:`festengine.analytics.audience`, creator fit), stored
with its snapshots; :func:`best_streams` lists the streams to repurpose
(:mod:`festengine.analytics.repurpose`).

Only accepted steps count; nothing reads the clock; a replay gives the same result as the live run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from festengine.analytics.audience import AgeRange, AudienceProjection, CreatorFit, FitQuery, FitRanking, ViewerProfile
from festengine.analytics.dashboard import Bucket, Dashboard, DashboardProjection, Gifter, ScopeMetrics
from festengine.analytics.insights import (
    BudgetUse,
    CommissionSummary,
    FanClubLevels,
    Insights,
    JourneyFunnel,
    MissionFunnel,
    OutcomeTally,
)
from festengine.analytics.live import LiveAnalytics
from festengine.analytics.metrics import Metrics
from festengine.analytics.ranges import BudgetRange, FigureRange, Headline, MissionRange, SeedRanges, nearest_rank
from festengine.analytics.repurpose import MEASURES, BestStream, best_streams
from festengine.analytics.spikes import SPIKE_METRICS, Spike, SpikeDetector, SpikeSettings
from festengine.catalog.model import Fest
from festengine.engine.core import Step
from festengine.events import Event

__all__ = [
    "MEASURES",
    "SPIKE_METRICS",
    "AgeRange",
    "AnalyticsResult",
    "AudienceProjection",
    "BestStream",
    "Bucket",
    "BudgetRange",
    "BudgetUse",
    "CommissionSummary",
    "CreatorFit",
    "Dashboard",
    "DashboardProjection",
    "FanClubLevels",
    "FestAnalytics",
    "FigureRange",
    "FitQuery",
    "FitRanking",
    "Gifter",
    "Headline",
    "Insights",
    "JourneyFunnel",
    "LiveAnalytics",
    "Metrics",
    "MissionFunnel",
    "MissionRange",
    "OutcomeTally",
    "ScopeMetrics",
    "SeedRanges",
    "Spike",
    "SpikeDetector",
    "SpikeSettings",
    "ViewerProfile",
    "best_streams",
    "nearest_rank",
]


@attrs.frozen(slots=True)
class AnalyticsResult:
    dashboard: Dashboard
    insights: Insights

    def to_dict(self) -> dict[str, Any]:
        return {"dashboard": self.dashboard.to_dict(), "insights": self.insights.to_dict()}


class FestAnalytics:
    """The dashboard projection and the outcome tally, fed together."""

    def __init__(self, fest: Fest, *, spikes: SpikeSettings | None = None) -> None:
        self.dashboard = DashboardProjection(fest, spikes=spikes)
        self.tally = OutcomeTally(fest)

    def observe(self, event: Event, step: Step) -> None:
        """Fold one ``engine.apply(event)`` step (ignored unless accepted)."""
        if step.accepted:
            self.dashboard.observe(event, step)
            self.tally.observe(step, event.occurred_at.timestamp())

    def observe_advance(self, step: Step, at: datetime) -> None:
        """Fold one ``engine.advance_to(at)`` step: outcomes of time passing."""
        self.dashboard.observe_advance(step, at)
        self.tally.observe(step, at.timestamp())

    def finish(self) -> AnalyticsResult:
        """Close the open hours and freeze everything (call once, at the end)."""
        return AnalyticsResult(self.dashboard.finish(), self.tally.result())
