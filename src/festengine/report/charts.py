"""The report's charts, drawn with plotly (the optional extra ``festengine[report]``).

Each function takes the report data and returns a plotly figure, or ``None`` when there is
nothing to draw. plotly is imported lazily through :func:`plotly_modules`, which turns a missing
install into a :class:`ReportDependencyError` with the install hint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from festengine.analytics import Bucket, Insights, Metrics, SeedRanges
from festengine.errors import FestEngineError
from festengine.report.data import ReportData

__all__ = ["ReportDependencyError", "plotly_modules"]

_COLORS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d")


class ReportDependencyError(FestEngineError, ImportError):
    """The HTML report needs plotly, an optional extra."""


@attrs.frozen(slots=True)
class Plotly:
    """The plotly modules the report uses."""

    go: Any
    make_subplots: Any
    plotlyjs: Any


def plotly_modules() -> Plotly:
    """plotly's graph objects, subplots and bundled plotly.js; a clear error if plotly is missing."""
    try:
        import plotly.graph_objects as go  # type: ignore[import-untyped,unused-ignore]
        from plotly.offline import get_plotlyjs  # type: ignore[import-untyped,unused-ignore]
        from plotly.subplots import make_subplots  # type: ignore[import-untyped,unused-ignore]
    except ImportError as error:
        raise ReportDependencyError(
            f"writing report.html needs plotly, which is not installed ({error}); "
            'install it with: pip install "festengine[report]"'
        ) from None
    return Plotly(go, make_subplots, get_plotlyjs)


def _local(key: int, zone: ZoneInfo) -> str:
    """An hour bucket's local start as plotly reads dates: ``2026-06-15 19:00``."""
    return datetime.fromtimestamp(key, UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _every_hour(hours: Sequence[Bucket]) -> list[Bucket]:
    """The hourly buckets with the quiet hours in between filled in (zeros), so lines drop to zero."""
    if not hours:
        return []
    known = {b.key: b for b in hours}
    quiet = Metrics()
    keys = sorted(set(range(hours[0].key, hours[-1].key + 1, 3600)) | set(known))
    return [known.get(key) or Bucket(key, "", quiet) for key in keys]


def _money(value: Decimal) -> float:
    return float(value)


#: Legends sit in the figure's bottom margin, under the axes and their titles, never over them.
_LEGEND_ROOM: Final = 60


def _layout(fig: Any, height: int, *, legend: bool = True, **extra: Any) -> Any:
    """Common looks; the legend (if any) goes at the foot of the figure, below the x-axis title."""
    fig.update_layout(
        height=height + (_LEGEND_ROOM if legend else 0),
        margin={"l": 70, "r": 30, "t": 50, "b": 50 + (_LEGEND_ROOM if legend else 0)},
        template="plotly_white",
        showlegend=legend,
        legend={"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0.0},
        colorway=list(_COLORS),
        **extra,
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _counts(values: Sequence[float]) -> dict[str, Any]:
    """Axis settings for counts: whole-number ticks with thousands separators (every 1 when small)."""
    settings: dict[str, Any] = {"tickformat": ",d", "rangemode": "tozero"}
    if max(values, default=0) < 6:
        settings.update(tick0=0, dtick=1)
    return settings


#: A tidy log axis: ticks at 1, 10, 100, 1,000… only, as whole numbers.
_LOG: Final = {"type": "log", "dtick": 1, "tickformat": ",d"}
#: Money axes: thousands separators.
_MONEY: Final = {"tickformat": ",", "rangemode": "tozero"}


def activity(p: Plotly, data: ReportData) -> Any | None:
    """Hourly views and viewers, concurrency, likes and other interactions over the fest."""
    hours = _every_hour(data.analytics.dashboard.fest.hourly)
    if not hours:
        return None
    zone = ZoneInfo(data.timezone)
    x = [_local(b.key, zone) for b in hours]
    fig = p.make_subplots(
        rows=4, cols=1, shared_xaxes=True, vertical_spacing=0.06,
        subplot_titles=("Views and unique viewers per hour", "Peak concurrent viewers",
                        "Likes (taps) per hour", "Comments, gifts, product clicks and orders per hour"),
    )  # fmt: skip
    go = p.go

    def metric(name: str) -> list[Any]:
        return [getattr(b.metrics, name) for b in hours]

    fig.add_trace(go.Bar(x=x, y=metric("views"), name="views", marker_color=_COLORS[0]), row=1, col=1)
    fig.add_trace(go.Scatter(x=x, y=metric("unique_viewers"), name="unique viewers", line_color=_COLORS[1]), 1, 1)
    fig.add_trace(go.Scatter(x=x, y=metric("peak_concurrent"), name="peak concurrent", fill="tozeroy"), 2, 1)
    fig.add_trace(go.Bar(x=x, y=metric("likes"), name="likes", marker_color=_COLORS[3]), row=3, col=1)
    others = ("comments", "gifts", "product_clicks", "orders")
    for index, name in enumerate(others):
        fig.add_trace(go.Scatter(x=x, y=metric(name), name=name.replace("_", " "), line_color=_COLORS[4 + index]), 4, 1)
    rows = (("views", "unique_viewers"), ("peak_concurrent",), ("likes",), others)
    for row, names in enumerate(rows, start=1):
        fig.update_yaxes(_counts([v for n in names for v in metric(n)]), row=row, col=1)
    fig.update_xaxes(title_text=f"local time ({data.timezone})", row=4, col=1)
    return _layout(fig, 980, bargap=0.1)


def gifts_and_gmv(p: Plotly, data: ReportData) -> Any | None:
    """Gift value and GMV per fest day, with orders and refunds."""
    days = data.analytics.dashboard.fest.daily
    if not days:
        return None
    go, currency = p.go, data.currency
    x = [b.label for b in days]
    fig = p.make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=x, y=[_money(b.metrics.gift_value) for b in days], name=f"gift value ({currency})"))
    fig.add_trace(go.Bar(x=x, y=[_money(b.metrics.gmv) for b in days], name=f"GMV ({currency})"))
    fig.add_trace(go.Bar(x=x, y=[_money(b.metrics.refunded) for b in days], name=f"refunded ({currency})"))
    orders = [b.metrics.orders for b in days]
    fig.add_trace(go.Scatter(x=x, y=orders, name="orders", mode="lines+markers"), secondary_y=True)
    fig.update_yaxes(title_text=currency, secondary_y=False, **_MONEY)
    fig.update_yaxes(title_text="orders", secondary_y=True, showgrid=False, tickmode="auto", **_counts(orders))
    fig.update_xaxes(title_text="fest day")
    return _layout(fig, 460, barmode="group")


def mission_funnel(p: Plotly, insights: Insights) -> Any | None:
    """Per mission: subjects with progress, subjects who completed it, completions and claims."""
    rows = insights.missions
    if not rows:
        return None
    go = p.go
    y = [f"{m.title} ({m.mission_id})" for m in rows]
    fig = go.Figure()
    for name, values in (
        ("made progress", [m.progressed for m in rows]),
        ("completed it", [m.completed for m in rows]),
        ("completions", [m.completions for m in rows]),
        ("claimed", [m.claimed for m in rows]),
    ):
        fig.add_trace(go.Bar(y=y, x=values, name=name, orientation="h"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="viewers, communities or completions (log scale)", **_LOG)
    return _layout(fig, 100 + 34 * len(rows), barmode="group", bargap=0.25)


def journey_funnel(p: Plotly, insights: Insights, title: Callable[[str], str] = str) -> list[Any]:
    """A funnel per journey: started, then the viewers who reached each step in order."""
    figures = []
    for journey in insights.journeys:
        labels = ["started (progress on step 1)"]
        labels += [
            f"step {n}: {' or '.join(title(m) for m in label.split(' / '))}"
            for n, (label, _count) in enumerate(journey.steps, start=1)
        ]
        values = [journey.started, *(count for _label, count in journey.steps)]
        fig = p.go.Figure(p.go.Funnel(y=labels, x=values, textinfo="value+percent initial", texttemplate=None))
        fig.update_traces(texttemplate="%{value:,d}<br>%{percentInitial:.0%} of starters")
        figures.append(_layout(fig, 80 + 60 * len(labels), legend=False, title_text=journey.title))
    return figures


def fan_club_levels(p: Plotly, insights: Insights) -> Any | None:
    """Members per Fan Club level at the end of the run."""
    levels = insights.fan_club
    if levels is None:
        return None
    counts = [n for _lv, n in levels.levels]
    fig = p.go.Figure(p.go.Bar(x=[f"level {lv}" for lv, _n in levels.levels], y=counts, text=counts,
                               texttemplate="%{y:,d}", textposition="outside"))  # fmt: skip
    fig.update_yaxes(title_text="memberships (a viewer in one club)", **_counts(counts))
    return _layout(fig, 380, legend=False)


def credits(p: Plotly, insights: Insights, currency: str) -> Any | None:
    """Cumulative credits granted per budget, against the budget's size."""
    budgets = insights.credits
    if not budgets:
        return None
    go = p.go
    fig = p.make_subplots(rows=1, cols=len(budgets), subplot_titles=[b.name for b in budgets])
    for index, budget in enumerate(budgets, start=1):
        x = [day for day, _granted, _total in budget.by_day] or [""]
        y = [_money(total) for _day, _granted, total in budget.by_day] or [0.0]
        color = _COLORS[(index - 1) % len(_COLORS)]
        fig.add_trace(
            go.Scatter(x=x, y=y, name=f"{budget.name}: granted so far", fill="tozeroy", line_color=color), 1, index
        )
        limit = go.Scatter(x=[x[0], x[-1]], y=[_money(budget.size)] * 2, name=f"{budget.name}: budget",
                           mode="lines", line={"dash": "dash", "color": color})  # fmt: skip
        fig.add_trace(limit, 1, index)
        fig.update_yaxes(title_text=currency if index == 1 else None, row=1, col=index, **_MONEY)
    return _layout(fig, 420)


def commission(p: Plotly, insights: Insights, currency: str) -> Any | None:
    """Commission accrued, settled and reversed per day, and the end state."""
    summary = insights.commission
    if summary is None:
        return None
    go = p.go
    fig = p.make_subplots(rows=1, cols=2, column_widths=[0.72, 0.28],
                          subplot_titles=("Per fest day", "At the end of the run"))  # fmt: skip
    x = [day for day, _accrued, _settled, _reversed in summary.by_day]
    flows = {
        "accrued": [_money(accrued) for _day, accrued, _settled, _reversed in summary.by_day],
        "settled": [_money(settled) for _day, _accrued, settled, _reversed in summary.by_day],
        "reversed": [_money(reversed_) for _day, _accrued, _settled, reversed_ in summary.by_day],
    }
    for index, (name, values) in enumerate(flows.items()):
        fig.add_trace(go.Bar(x=x, y=values, name=name, marker_color=_COLORS[index]), 1, 1)
    end = [("pending", summary.pending), ("settled", summary.settled_net), ("reversed", summary.reversed)]
    fig.add_trace(
        go.Bar(x=[n for n, _v in end], y=[_money(v) for _n, v in end], marker_color=list(_COLORS[:3]),
               showlegend=False, text=[f"{v:,.2f}" for _n, v in end], textposition="auto"),
        1, 2,
    )  # fmt: skip
    fig.update_yaxes(title_text=currency, row=1, col=1)
    fig.update_yaxes(**_MONEY)
    return _layout(fig, 420, barmode="group")


def top_creators(p: Plotly, data: ReportData, limit: int = 10) -> Any | None:
    """The creators with the most gift value plus GMV."""
    creators = sorted(data.analytics.dashboard.creators, key=lambda c: (-(c.total.gift_value + c.total.gmv), c.id))[
        :limit
    ]
    if not creators:
        return None
    go, y = p.go, [c.id for c in creators]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=y, x=[_money(c.total.gift_value) for c in creators], name="gift value", orientation="h"))
    fig.add_trace(go.Bar(y=y, x=[_money(c.total.gmv) for c in creators], name="GMV", orientation="h"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text=data.currency, **_MONEY)
    return _layout(
        fig, 120 + 30 * len(creators), barmode="stack", legend_traceorder="normal",
        title_text="Top creators: gift value + GMV",
    )  # fmt: skip


def top_gifters(p: Plotly, data: ReportData, limit: int = 10) -> Any | None:
    """The viewers who sent the most coins."""
    gifters = data.analytics.dashboard.gifters[:limit]
    if not gifters:
        return None
    coins = [g.coins for g in gifters]
    fig = p.go.Figure(p.go.Bar(y=[g.user_id for g in gifters], x=coins, orientation="h"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="coins", **_counts(coins))
    return _layout(fig, 120 + 30 * len(gifters), legend=False, title_text="Top gifters: coins sent")


def spikes(p: Plotly, data: ReportData) -> Any | None:
    """Each detected spike: when, which creator and metric, and how unusual."""
    found = data.analytics.dashboard.spikes
    if not found:
        return None
    zone = ZoneInfo(data.timezone)
    fig = p.go.Figure()
    for metric in sorted({s.metric for s in found}):
        chosen = [s for s in found if s.metric == metric]
        fig.add_trace(
            p.go.Scatter(
                x=[_local(s.hour, zone) for s in chosen], y=[s.size for s in chosen], mode="markers",
                name=metric.replace("_", " "),
                text=[f"{s.scope_id}: {s.value:,.0f} in the hour, usually {s.baseline:,.1f}" for s in chosen],
                hovertemplate="%{x}<br>%{text}<br>how unusual: %{y:.1f}<extra></extra>",
            )
        )  # fmt: skip
    fig.update_yaxes(title_text="how unusual (log scale)", **_LOG)
    fig.update_xaxes(title_text=f"local time ({data.timezone})")
    return _layout(fig, 420)


def budget_ranges(p: Plotly, ranges: SeedRanges) -> Any | None:
    """Per budget: the share of it granted across seeds, low (p10) to high (p90), the middle marked."""
    budgets = [b for b in ranges.budgets if b.size]
    if not budgets:
        return None
    go = p.go
    names = [b.name for b in budgets]

    def share(value: object, size: Decimal) -> float:
        return float(Decimal(str(value)) / size)

    low = [share(b.granted.p10, b.size) for b in budgets]
    high = [share(b.granted.p90, b.size) for b in budgets]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=names, x=[h - lo for lo, h in zip(low, high, strict=True)], base=low, orientation="h",
                         name="low (p10) to high (p90)", marker_color=_COLORS[0], opacity=0.6))  # fmt: skip
    middle = [share(b.granted.p50, b.size) for b in budgets]
    fig.add_trace(go.Scatter(y=names, x=middle, mode="markers", name="middle (p50)",
                             marker={"symbol": "line-ns-open", "size": 22, "color": _COLORS[3]}))  # fmt: skip
    fig.add_vline(
        x=1, line_dash="dash", line_color="#52606d", annotation_text="the whole budget", annotation_position="top left"
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="share of the budget granted", tickformat=".0%", rangemode="tozero",
                     range=[0, max(1.05, max(high) * 1.05)])  # fmt: skip
    return _layout(fig, 100 + 50 * len(budgets), title_text="Credits granted across seeds, as a share of each budget")
