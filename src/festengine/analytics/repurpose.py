"""The streams that did best, to repurpose after the fest (clips, replays, the next fest's line-up).

Three measures, each from the stream's dashboard totals:

* ``gpm``: GMV per thousand views (money, in the fest's currency);
* ``conversion``: orders per product click;
* ``gifts_per_viewer``: gifts per unique viewer.

A stream is listed only with at least ``min_views`` views (a stream of three views with one order
would top every list). Ties are broken by views (more first), then by the stream id.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

import attrs

from festengine.analytics.dashboard import Dashboard, ScopeMetrics

__all__ = ["MEASURES", "BestStream", "best_streams"]

#: The measures streams can be ranked by.
MEASURES: Final = ("gpm", "conversion", "gifts_per_viewer")


@attrs.frozen(slots=True)
class BestStream:
    """One listed stream: its rank, the measure's value and the figures behind it."""

    rank: int
    stream_id: str
    creator_id: str | None
    value: Decimal | float
    views: int
    unique_viewers: int
    gmv: Decimal
    orders: int
    product_clicks: int
    gifts: int

    def to_dict(self) -> dict[str, Any]:
        data = {field.name: getattr(self, field.name) for field in attrs.fields(BestStream)}
        data["value"] = str(self.value) if isinstance(self.value, Decimal) else self.value
        data["gmv"] = str(self.gmv)
        return data


def _measure(stream: ScopeMetrics, by: str) -> Decimal | float:
    total = stream.total
    if by == "gpm":
        return total.gpm
    if by == "conversion":
        return total.conversion
    return round(total.gifts / total.unique_viewers, 6) if total.unique_viewers else 0.0


def best_streams(dashboard: Dashboard, *, by: str = "gpm", limit: int = 10, min_views: int = 100) -> list[BestStream]:
    """The ``limit`` best streams by ``by`` (one of :data:`MEASURES`), each with at least ``min_views`` views."""
    if by not in MEASURES:
        raise ValueError(f"by: one of {', '.join(MEASURES)}, not {by!r}")
    if limit < 1 or min_views < 0:
        raise ValueError("limit must be at least 1 and min_views at least 0")
    eligible = [s for s in dashboard.streams if s.total.views >= min_views]
    ranked = sorted(eligible, key=lambda s: (-_measure(s, by), -s.total.views, s.id))[:limit]
    return [
        BestStream(
            rank=rank,
            stream_id=s.id,
            creator_id=s.creator_id,
            value=_measure(s, by),
            views=s.total.views,
            unique_viewers=s.total.unique_viewers,
            gmv=s.total.gmv,
            orders=s.total.orders,
            product_clicks=s.total.product_clicks,
            gifts=s.total.gifts,
        )
        for rank, s in enumerate(ranked, start=1)
    ]
