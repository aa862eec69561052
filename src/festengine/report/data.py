"""What a report shows: the fest, the run's summary and the analytics result, JSON-ready."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from festengine.analytics import AnalyticsResult
from festengine.analytics.ranges import SeedRanges
from festengine.catalog.model import Fest

__all__ = ["ReportData"]


@attrs.frozen(slots=True)
class ReportData:
    """Everything ``report.html`` and ``report.json`` are made of."""

    fest_id: str
    fest_name: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    currency: str
    #: the run: sizes, seed, events, accepted, duplicates, rejected by code… (plain JSON values)
    run: Mapping[str, Any]
    analytics: AnalyticsResult
    #: mission id -> title, for labels
    mission_titles: Mapping[str, str] = attrs.field(factory=dict)
    #: the headline figures across several seeds, when the simulation ran more than one
    ranges: SeedRanges | None = None

    @classmethod
    def of(
        cls, fest: Fest, analytics: AnalyticsResult, run: Mapping[str, Any], *, ranges: SeedRanges | None = None
    ) -> ReportData:
        """The report of one run on ``fest`` (with ``ranges`` across seeds if there were several)."""
        return cls(
            fest_id=fest.id,
            fest_name=fest.name,
            timezone=str(fest.timezone),
            starts_at=fest.starts_at,
            ends_at=fest.ends_at,
            currency=fest.economy.currency,
            run=dict(run),
            analytics=analytics,
            mission_titles={m.id: m.title for m in fest.missions.values()},
            ranges=ranges,
        )

    def local(self, moment: datetime) -> str:
        """A time in the fest's zone, e.g. ``2026-06-15 00:00 PDT``."""
        return moment.astimezone(ZoneInfo(self.timezone)).strftime("%Y-%m-%d %H:%M %Z")

    def to_dict(self) -> dict[str, Any]:
        """The content of ``report.json``."""
        return {
            "fest": {
                "id": self.fest_id,
                "name": self.fest_name,
                "timezone": self.timezone,
                "starts_at": self.starts_at.isoformat(),
                "ends_at": self.ends_at.isoformat(),
                "currency": self.currency,
            },
            "run": dict(self.run),
            **self.analytics.to_dict(),
            **({"ranges": self.ranges.to_dict()} if self.ranges is not None else {}),
        }
