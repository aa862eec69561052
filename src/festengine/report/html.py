"""``report.html``: one self-contained page (plotly.js inline, no network) with a section per question.

Every section has a stable ``id`` (see :data:`SECTIONS`) so tests and links can find it. Charts
where a person would rather look, small tables for exact figures, and a note where a section has
nothing to show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from html import escape
from typing import Any, Final

from festengine.analytics import Metrics
from festengine.report import charts
from festengine.report.charts import Plotly
from festengine.report.data import ReportData

__all__ = ["SECTIONS", "render_html"]

#: (id, title) of each section, in page order.
SECTIONS: Final[tuple[tuple[str, str], ...]] = (
    ("overview", "The run"),
    ("activity", "Activity over the fest"),
    ("gifts-gmv", "Gifts and GMV by day"),
    ("missions", "Mission completion funnel"),
    ("journey", "LIVE Journey funnel"),
    ("fan-club", "Fan Club levels"),
    ("credits", "Credits granted against each budget"),
    ("commission", "Commission: pending, settled, reversed"),
    ("top", "Top creators and gifters"),
    ("spikes", "Detected spikes"),
)

_STYLE: Final = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2933;
       background: #f5f7fa; }
header { background: #1f2933; color: #fff; padding: 24px 40px; }
header h1 { margin: 0 0 6px; font-size: 26px; }
header p { margin: 0; color: #cbd2d9; }
nav { background: #fff; padding: 10px 40px; border-bottom: 1px solid #e4e7eb; position: sticky; top: 0; z-index: 5; }
nav a { margin-right: 16px; color: #3e4c59; text-decoration: none; font-size: 14px; }
main { max-width: 1240px; margin: 0 auto; padding: 10px 30px 40px; }
section { background: #fff; border-radius: 8px; padding: 18px 24px; margin: 18px 0;
          box-shadow: 0 1px 3px rgba(0,0,0,.08); }
section h2 { margin-top: 0; font-size: 20px; }
.lead { color: #52606d; margin-top: -6px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.card { background: #f0f4f8; border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.card b { display: block; font-size: 20px; }
.card span { font-size: 12px; color: #52606d; }
table { border-collapse: collapse; font-size: 13px; margin: 10px 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e4e7eb; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.note { background: #fffbea; border-left: 4px solid #f0b429; padding: 8px 12px; color: #513c06; }
"""


def _fmt(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.4g}" if value < 1 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(_fmt(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cards(items: Iterable[tuple[str, object]]) -> str:
    inner = "".join(f'<div class="card"><b>{escape(_fmt(v))}</b><span>{escape(k)}</span></div>' for k, v in items)
    return f'<div class="cards">{inner}</div>'


def _note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


class _Page:
    """Builds the sections; each chart gets a stable div id so the page is the same for the same data."""

    def __init__(self, plotly: Plotly, data: ReportData) -> None:
        self.p = plotly
        self.data = data
        self.insights = data.analytics.insights

    def chart(self, figure: Any | None, name: str) -> str:
        if figure is None:
            return ""
        config = {"displaylogo": False, "responsive": True}
        html: str = figure.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{name}", config=config)
        return html

    def notes(self, prefix: str) -> str:
        return "".join(_note(n.split(": ", 1)[-1]) for n in self.insights.notes if n.startswith(prefix))

    # ------------------------------------------------------------------ sections

    def overview(self) -> str:
        run, total = self.data.run, self.data.analytics.dashboard.fest.total
        rejected = run.get("rejected", {})
        cards = _cards(
            [("events", run.get("events", 0)), ("accepted", run.get("accepted", 0)),
             ("duplicates", run.get("duplicates", 0)), ("rejected", sum(rejected.values())),
             ("viewers", run.get("viewers", 0)), ("creators", run.get("creators", 0)),
             ("fest days", run.get("days", "")), ("seed", run.get("seed", ""))]
        )  # fmt: skip
        reasons = _table(("rejected because", "events"), sorted(rejected.items())) if rejected else ""
        return cards + reasons + "<h3>Fest totals</h3>" + _metrics_cards(total, self.data.currency)

    def activity(self) -> str:
        lead = (
            "Per local hour of the fest. Peak concurrent viewers are estimated from view events: each view "
            "is a presence interval ending when it occurred and lasting its seconds; the peak is the most "
            "intervals overlapping in one minute of the hour."
        )
        return f'<p class="lead">{escape(lead)}</p>' + self.chart(charts.activity(self.p, self.data), "activity")

    def gifts_gmv(self) -> str:
        days = self.data.analytics.dashboard.fest.daily
        rows = [(b.label, b.metrics.gifts, b.metrics.gift_coins, b.metrics.gift_value, b.metrics.orders,
                 b.metrics.gmv, b.metrics.ctr, b.metrics.conversion, b.metrics.gpm) for b in days]  # fmt: skip
        table = _table(("day", "gifts", "coins", "gift value", "orders", "GMV", "CTR", "conversion", "GPM"), rows)
        return self.chart(charts.gifts_and_gmv(self.p, self.data), "gifts-gmv") + table

    def missions(self) -> str:
        never = [m for m in self.insights.missions if m.completions == 0]
        lead = "Distinct subjects (viewers, or creators and streams for community goals) per mission."
        text = f'<p class="lead">{escape(lead)}</p>' + self.chart(
            charts.mission_funnel(self.p, self.insights), "missions"
        )
        if never:
            names = ", ".join(f"{m.title} ({m.mission_id})" for m in never)
            text += _note(f"Nobody completed: {names}.")
        rows = [(m.mission_id, m.subject, m.progressed, m.completed, m.completions, m.claimed, m.expired)
                for m in self.insights.missions]  # fmt: skip
        return text + _table(("mission", "subject", "progress", "completed", "completions", "claimed", "expired"), rows)

    def journey(self) -> str:
        journeys = self.insights.journeys
        if not journeys:
            return _note("This pack has no LIVE Journey.")
        text = "".join(
            self.chart(f, f"journey-{n}") for n, f in enumerate(charts.journey_funnel(self.p, self.insights))
        )
        if any(j.derived for j in journeys):
            text += _note("No journey outcomes were reported; steps are derived from completions of the step missions.")
        return text

    def fan_club(self) -> str:
        levels = self.insights.fan_club
        if levels is None:
            return self.notes("fan_club") or _note("No Fan Club levels to show.")
        cards = _cards([("members (viewer x club)", levels.members), ("joins", levels.joins)])
        return cards + self.chart(charts.fan_club_levels(self.p, self.insights), "fan-club")

    def credits(self) -> str:
        budgets = self.insights.credits
        if not budgets:
            return _note("This pack has no budgets.")
        rows = [(b.budget_id, b.size, b.granted, f"{(b.granted / b.size * 100) if b.size else 0:.1f}%", b.grants,
                 b.exhausted) for b in budgets]  # fmt: skip
        table = _table(("budget", "size", "granted", "used", "grants", "refused or cut"), rows)
        return self.chart(charts.credits(self.p, self.insights, self.data.currency), "credits") + table

    def commission(self) -> str:
        summary = self.insights.commission
        if summary is None:
            return self.notes("commission") or _note("No commission in this run.")
        cards = _cards([("orders with commission", summary.orders), ("accrued", summary.accrued),
                        ("pending", summary.pending), ("settled", summary.settled_net),
                        ("reversed", summary.reversed), ("clawed back", summary.clawed_back)])  # fmt: skip
        return cards + self.chart(charts.commission(self.p, self.insights, self.data.currency), "commission")

    def top(self) -> str:
        creators = sorted(
            self.data.analytics.dashboard.creators, key=lambda c: (-(c.total.gift_value + c.total.gmv), c.id)
        )
        points = dict(self.insights.creator_points)
        rows = [(c.id, c.total.views, c.total.unique_viewers, c.total.peak_concurrent, c.total.gift_coins,
                 c.total.gift_value, c.total.orders, c.total.gmv, c.total.fan_club_joins, points.get(c.id, "-"))
                for c in creators[:20]]  # fmt: skip
        table = _table(("creator", "views", "unique", "peak", "coins", "gift value", "orders", "GMV", "club joins",
                        "points"), rows)  # fmt: skip
        top_gifters = self.data.analytics.dashboard.gifters
        gifters = _table(
            ("viewer", "gifts", "coins", "value"), [(g.user_id, g.gifts, g.coins, g.value) for g in top_gifters]
        )
        return (
            self.chart(charts.top_creators(self.p, self.data), "top-creators") + table
            + self.chart(charts.top_gifters(self.p, self.data), "top-gifters") + gifters
        )  # fmt: skip

    def spikes(self) -> str:
        dashboard = self.data.analytics.dashboard
        s = dashboard.spike_settings
        lead = (
            f"Per creator and local hour, for gift coins, product clicks and orders (conversions): a spike is an "
            f"hour above median + {s.k:g} x scale of the creator's last {s.window} active hours, where scale = "
            f"max(1.4826 x MAD, sqrt(median), a floor), with at least {s.min_history} hours of history. "
            "Size = (value - median) / scale."
        )
        found = dashboard.spikes
        if not found:
            return f'<p class="lead">{escape(lead)}</p>' + _note("No spikes were detected.")
        biggest = sorted(found, key=lambda x: (-x.size, x.hour, x.scope_id, x.metric))[:30]
        rows = [(x.at, x.scope_id, x.metric, x.value, x.baseline, x.threshold, x.size) for x in biggest]
        table = _table(("hour", "creator", "metric", "value", "baseline", "threshold", "size"), rows)
        counts = _cards([(f"{m.replace('_', ' ')} spikes", sum(1 for x in found if x.metric == m))
                         for m in sorted({x.metric for x in found})])  # fmt: skip
        return (
            f'<p class="lead">{escape(lead)}</p>'
            + counts
            + self.chart(charts.spikes(self.p, self.data), "spikes")
            + table
        )


def _metrics_cards(total: Metrics, currency: str) -> str:
    return _cards(
        [("views", total.views), ("unique viewers", total.unique_viewers),
         ("peak concurrent viewers", total.peak_concurrent), ("avg watch (s)", total.avg_watch_seconds),
         ("likes", total.likes), ("comments", total.comments), ("shares", total.shares),
         ("follows", total.follows), ("gifts", total.gifts), ("gift coins", total.gift_coins),
         (f"gift value ({currency})", total.gift_value), ("product clicks", total.product_clicks),
         ("CTR", total.ctr), ("orders", total.orders), (f"GMV ({currency})", total.gmv),
         ("conversion", total.conversion), (f"GPM ({currency})", total.gpm), ("refunds", total.refunds),
         ("fan-club joins", total.fan_club_joins), ("mission completions", total.mission_completions)]
    )  # fmt: skip


def render_html(data: ReportData, plotly: Plotly) -> str:
    """The whole page as text."""
    page = _Page(plotly, data)
    builders: dict[str, Callable[[], str]] = {
        "overview": page.overview, "activity": page.activity, "gifts-gmv": page.gifts_gmv,
        "missions": page.missions, "journey": page.journey, "fan-club": page.fan_club, "credits": page.credits,
        "commission": page.commission, "top": page.top, "spikes": page.spikes,
    }  # fmt: skip
    sections = "".join(
        f'<section id="{sid}"><h2>{escape(title)}</h2>{builders[sid]()}</section>\n' for sid, title in SECTIONS
    )
    nav = "".join(f'<a href="#{sid}">{escape(title)}</a>' for sid, title in SECTIONS)
    period = f"{data.local(data.starts_at)} to {data.local(data.ends_at)} ({data.timezone})"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(data.fest_name)}: simulation report</title>"
        f"<style>{_STYLE}</style><script>{plotly.plotlyjs()}</script></head><body>\n"
        f"<header><h1>{escape(data.fest_name)}</h1><p>{escape(data.fest_id)} · {escape(period)}</p></header>\n"
        f"<nav>{nav}</nav><main>\n{sections}</main></body></html>\n"
    )
