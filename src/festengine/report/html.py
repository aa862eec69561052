"""``report.html``: one self-contained page (plotly.js inline, no network) with a section per question.

Every section has a stable ``id`` (see :data:`SECTIONS`) so tests and links can find it. Charts
where a person would rather look, small tables for exact figures, and a note where a section has
nothing to show.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from html import escape
from typing import Any, Final
from zoneinfo import ZoneInfo

from festengine.analytics import JourneyFunnel, Metrics, MissionFunnel
from festengine.report import charts, fmt
from festengine.report.across_seeds import across_seeds
from festengine.report.blocks import cards, lead, note, table
from festengine.report.charts import Plotly
from festengine.report.data import ReportData

__all__ = ["SECTIONS", "render_html"]

#: (id, title) of each section, in page order.
SECTIONS: Final[tuple[tuple[str, str], ...]] = (
    ("overview", "The run"),
    ("ranges", "Across seeds: the range of headline figures"),
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
caption { text-align: left; font-weight: 600; padding: 6px 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e4e7eb; text-align: right; }
th.t, td.t { text-align: left; }
.note { background: #fffbea; border-left: 4px solid #f0b429; padding: 8px 12px; color: #513c06; }
"""


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
        return "".join(note(n.split(": ", 1)[-1]) for n in self.insights.notes if n.startswith(prefix))

    def title(self, mission_id: str) -> str:
        return self.data.mission_titles.get(mission_id, mission_id)

    # ------------------------------------------------------------------ sections

    def overview(self) -> str:
        run, total = self.data.run, self.data.analytics.dashboard.fest.total
        rejected = run.get("rejected", {})
        figures = cards(
            [("events", run.get("events", 0)), ("accepted", run.get("accepted", 0)),
             ("duplicates", run.get("duplicates", 0)), ("rejected", sum(rejected.values())),
             ("viewers", run.get("viewers", 0)), ("creators", run.get("creators", 0)),
             ("fest days", run.get("days", "")), ("seed", str(run.get("seed", "")))]
            + ([("seeds (see Across seeds)", f"{seeds[0]} to {seeds[-1]}")] if (seeds := run.get("seeds")) else [])
        )  # fmt: skip
        reasons = table(("rejected because", "events"), sorted(rejected.items())) if rejected else ""
        if by_rule := run.get("refused_by_rule"):
            reasons += table(("refused by eligibility rule", "events"), sorted(by_rule.items()))
        return figures + reasons + "<h3>Fest totals</h3>" + _metrics_cards(total, self.data.currency)

    def ranges(self) -> str:
        ranges = self.data.ranges
        chart = self.chart(charts.budget_ranges(self.p, ranges), "ranges") if ranges is not None else ""
        return across_seeds(ranges, self.data.run.get("seed", ""), chart)

    def activity(self) -> str:
        text = (
            "Per local hour of the fest. Peak concurrent viewers are estimated from view events: each view "
            "is a presence interval ending when it occurred and lasting its seconds; the peak is the most "
            "intervals overlapping in one minute of the hour."
        )
        return lead(text) + self.chart(charts.activity(self.p, self.data), "activity")

    def gifts_gmv(self) -> str:
        days = self.data.analytics.dashboard.fest.daily
        rows = [(b.label, b.metrics.gifts, b.metrics.gift_coins, b.metrics.gift_value, b.metrics.orders,
                 b.metrics.gmv, fmt.percent(b.metrics.ctr), fmt.percent(b.metrics.conversion), b.metrics.gpm)
                for b in days]  # fmt: skip
        headers = ("day", "gifts", "coins", "gift value", "orders", "GMV", "click-through", "conversion",
                   "GMV per 1,000 views")  # fmt: skip
        text = lead(
            "Per local day of the fest. Click-through: product clicks per view. Conversion: orders per product "
            f"click. Money in {self.data.currency}."
        )
        return text + self.chart(charts.gifts_and_gmv(self.p, self.data), "gifts-gmv") + table(headers, rows)

    def missions(self) -> str:
        rows = self.insights.missions
        community = [m for m in rows if m.subject != "viewer"]
        text = lead(
            "Per mission: distinct viewers who made progress and who completed it, completions (a repeating "
            "mission can be completed more than once) and claims, on a log scale. For a community goal the "
            "subjects are communities (a creator's, or one LIVE's), and a completion is a round reached "
            "together; the table below it shows its contributors."
        ) + self.chart(charts.mission_funnel(self.p, self.insights), "missions")
        never = [m for m in rows if m.completions == 0]
        if never:
            text += note("Nobody completed: " + ", ".join(f"{m.title} ({m.mission_id})" for m in never) + ".")
        viewer_rows = [(m.title, m.mission_id, m.progressed, m.completed, m.completions, m.claimed, m.expired)
                       for m in rows if m.subject == "viewer"]  # fmt: skip
        text += table(("mission", "id", "viewers with progress", "viewers who completed", "completions", "claimed",
                       "expired"), viewer_rows, caption="Viewer missions", text_columns=2)  # fmt: skip
        if community:
            text += _community_table(community)
        return text

    def journey(self) -> str:
        journeys = self.insights.journeys
        if not journeys:
            return note("This pack has no LIVE Journey.")
        text = lead(
            "A viewer reaches a step once every step before it is done. The step missions are ordinary "
            "missions that anyone can complete at any time, in any order, so a step's mission can have more "
            "viewers who completed it than the step has viewers who reached it: the table shows both."
        )
        figures = charts.journey_funnel(self.p, self.insights, self.title)
        for n, (journey, figure) in enumerate(zip(journeys, figures, strict=True)):
            text += self.chart(figure, f"journey-{n}") + self._journey_table(journey)
        if any(j.derived for j in journeys):
            text += note("No journey outcomes were reported; steps are derived from completions of the step missions.")
        return text

    def _journey_table(self, journey: JourneyFunnel) -> str:
        done = journey.step_missions or tuple(0 for _ in journey.steps)
        rows = [
            (f"step {n}", " or ".join(self.title(m) for m in label.split(" / ")), reached, anyway)
            for n, ((label, reached), anyway) in enumerate(zip(journey.steps, done, strict=True), start=1)
        ]
        headers = ("step", "mission", "viewers who reached the step in order", "viewers who completed the mission")
        return table(headers, rows, caption=journey.title, text_columns=2)

    def fan_club(self) -> str:
        levels = self.insights.fan_club
        if levels is None:
            return self.notes("fan_club") or note("No Fan Club levels to show.")
        figures = cards([("memberships (a viewer in one creator's club)", levels.members), ("joins", levels.joins)])
        return figures + self.chart(charts.fan_club_levels(self.p, self.insights), "fan-club")

    def credits(self) -> str:
        budgets = self.insights.credits
        if not budgets:
            return note("This pack has no budgets.")
        rows = [(b.name, b.size, b.granted, fmt.percent(float(b.granted / b.size)) if b.size else "-",
                 b.grants, b.exhausted) for b in budgets]  # fmt: skip
        headers = ("budget", "size", "granted", "used", "grants", "refused or cut")
        return self.chart(charts.credits(self.p, self.insights, self.data.currency), "credits") + table(headers, rows)

    def commission(self) -> str:
        summary = self.insights.commission
        if summary is None:
            return self.notes("commission") or note("No commission in this run.")
        figures = cards([("orders with commission", summary.orders), ("accrued", summary.accrued),
                         ("pending", summary.pending), ("settled", summary.settled_net),
                         ("reversed", summary.reversed), ("clawed back", summary.clawed_back)])  # fmt: skip
        return figures + self.chart(charts.commission(self.p, self.insights, self.data.currency), "commission")

    def top(self) -> str:
        creators = sorted(
            self.data.analytics.dashboard.creators, key=lambda c: (-(c.total.gift_value + c.total.gmv), c.id)
        )
        points = dict(self.insights.creator_points)
        rows = [(c.id, c.total.views, c.total.unique_viewers, c.total.peak_concurrent, c.total.gift_coins,
                 c.total.gift_value, c.total.orders, c.total.gmv, c.total.fan_club_joins, _points(points.get(c.id)))
                for c in creators[:20]]  # fmt: skip
        creators_table = table(("creator", "views", "unique viewers", "peak concurrent", "coins", "gift value",
                                "orders", "GMV", "club joins", "fest points"), rows)  # fmt: skip
        top_gifters = self.data.analytics.dashboard.gifters
        gifters = table(
            ("viewer", "gifts", "coins", "value"), [(g.user_id, g.gifts, g.coins, g.value) for g in top_gifters]
        )
        return (
            self.chart(charts.top_creators(self.p, self.data), "top-creators") + creators_table
            + self.chart(charts.top_gifters(self.p, self.data), "top-gifters") + gifters
        )  # fmt: skip

    def spikes(self) -> str:
        dashboard = self.data.analytics.dashboard
        s = dashboard.spike_settings
        text = lead(
            "A spike is an hour in which a creator's gift coins, product clicks or orders were far above that "
            f"creator's usual hour. The usual hour is the middle value of the creator's last {s.window} hours "
            f"with any activity (at least {s.min_history} of them); an hour is a spike when it is more than "
            f"{s.k:g} times the creator's usual ups and downs above it and reaches at least "
            f"{fmt.number(s.value_floor('gift_coins'))} gift coins, {fmt.number(s.value_floor('product_clicks'))} "
            f"clicks or {fmt.number(s.value_floor('orders'))} orders. 'How unusual' says how many times "
            "those usual ups and downs the hour was above the usual hour: 5 is a clear spike, 50 an exceptional "
            "one. Hours are local to the fest."
        )
        found = dashboard.spikes
        if not found:
            return text + note("No spikes were detected.")
        zone = ZoneInfo(self.data.timezone)
        biggest = sorted(found, key=lambda x: (-x.size, x.hour, x.scope_id, x.metric))[:30]
        rows = [(fmt.hour_in_words(x.hour, zone), x.scope_id, _METRIC_WORDS.get(x.metric, x.metric), x.value,
                 x.baseline, fmt.number(x.size)) for x in biggest]  # fmt: skip
        spike_table = table(("hour", "creator", "what", "in that hour", "usual hour", "how unusual"), rows,
                            caption="The 30 most unusual hours", text_columns=3)  # fmt: skip
        counts = cards([(f"{_METRIC_WORDS.get(m, m)} spikes", sum(1 for x in found if x.metric == m))
                        for m in sorted({x.metric for x in found})])  # fmt: skip
        return text + counts + self.chart(charts.spikes(self.p, self.data), "spikes") + spike_table


#: The spike metrics in words.
_METRIC_WORDS: Final = {"gift_coins": "gift coins", "product_clicks": "product clicks", "orders": "orders"}


def _points(value: str | None) -> object:
    """A creator's fest points (kept as text in the insights) as a number, or a dash when none."""
    if value is None:
        return "-"
    try:
        points = Decimal(value)
    except InvalidOperation:
        return value
    return int(points) if points == points.to_integral_value() else points


#: A community goal's subject in words.
_COMMUNITY_WORDS: Final = {"creator": "a creator's", "stream": "one LIVE's"}


def _community_table(rows: list[MissionFunnel]) -> str:
    body = [(m.title, m.mission_id, _COMMUNITY_WORDS.get(m.subject, m.subject), m.progressed, m.completed,
             m.completions, m.expired, m.contributors, m.rewarded) for m in rows]  # fmt: skip
    headers = ("community goal", "id", "whose community", "communities with progress", "communities that reached it",
               "rounds reached", "rounds expired", "viewers who contributed", "contributors rewarded")  # fmt: skip
    return table(headers, body, caption="Community goals", text_columns=3)


def _metrics_cards(total: Metrics, currency: str) -> str:
    return cards(
        [("views", total.views), ("unique viewers", total.unique_viewers),
         ("peak concurrent viewers", total.peak_concurrent), ("average watch", fmt.duration(total.avg_watch_seconds)),
         ("likes", total.likes), ("comments", total.comments), ("shares", total.shares),
         ("follows", total.follows), ("gifts", total.gifts), ("gift coins", total.gift_coins),
         (f"gift value ({currency})", total.gift_value), ("product clicks", total.product_clicks),
         ("click-through (clicks per view)", fmt.percent(total.ctr)), ("orders", total.orders),
         (f"GMV ({currency})", total.gmv), ("conversion (orders per click)", fmt.percent(total.conversion)),
         (f"GMV per 1,000 views ({currency})", total.gpm), ("refunds", total.refunds),
         ("fan-club joins", total.fan_club_joins), ("viewer mission completions", total.mission_completions)]
    )  # fmt: skip


def render_html(data: ReportData, plotly: Plotly) -> str:
    """The whole page as text."""
    page = _Page(plotly, data)
    builders: dict[str, Callable[[], str]] = {
        "overview": page.overview, "ranges": page.ranges, "activity": page.activity, "gifts-gmv": page.gifts_gmv,
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
