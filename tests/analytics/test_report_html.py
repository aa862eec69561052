"""The report: one self-contained HTML page with every section, report.json, and plotly as an optional extra."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from analytics_fests import fold, make_fest
from test_analytics_dashboard import hand_stream

from festengine.analytics import Headline, SeedRanges, Spike
from festengine.errors import FestEngineError
from festengine.report import SECTIONS, ReportData, ReportDependencyError, write_report
from festengine.report.across_seeds import across_seeds

RUN = {"events": 27, "accepted": 25, "duplicates": 1, "rejected": {"unknown_gift": 1}, "completions": 3, "seed": 1}


def report_of(fest_sections: dict[str, object] | None = None) -> ReportData:
    fest = make_fest(**(fest_sections or {}))
    return ReportData.of(fest, fold(fest, hand_stream()), RUN)


def test_the_report_has_every_section_and_opens_offline(tmp_path: Path) -> None:
    """Each section id and title is on the page; plotly.js is inline and nothing is fetched from the network."""
    files = write_report(tmp_path, report_of())
    html = files.html.read_text(encoding="utf-8")
    for section_id, title in SECTIONS:
        assert f'<section id="{section_id}"><h2>{title}</h2>' in html
    assert [sid for sid, _ in SECTIONS] == [
        "overview", "ranges", "activity", "gifts-gmv", "missions", "journey", "fan-club", "credits", "commission",
        "top", "spikes",
    ]  # fmt: skip
    assert "<script src" not in html
    head, body = html.split("</head>", 1)
    assert "<script>" in head  # plotly.js inline (its source mentions URLs it never loads for these charts)
    assert "http" not in body.replace("http://www.w3.org", "")
    assert html.count("Plotly.newPlot") >= 8
    assert len(html) > 1_000_000  # plotly.js itself


def test_report_json_holds_the_numbers(tmp_path: Path) -> None:
    write_report(tmp_path, report_of())
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert set(data) == {"fest", "run", "dashboard", "insights"}
    assert data["dashboard"]["fest"]["total"]["gmv"] == "35.00"
    assert data["run"]["rejected"] == {"unknown_gift": 1}
    assert data["fest"]["timezone"] == "America/Los_Angeles"


def test_the_same_data_gives_the_same_page(tmp_path: Path) -> None:
    """Chart ids are fixed, so the page is reproducible."""
    first = write_report(tmp_path / "a", report_of()).html.read_bytes()
    second = write_report(tmp_path / "b", report_of()).html.read_bytes()
    assert first == second


def test_missing_parts_are_explained_not_fatal(tmp_path: Path) -> None:
    """A pack without Fan Club, journeys or budgets still gets every section, with notes."""
    data = report_of({"fan_club": None, "journeys": None})
    html = write_report(tmp_path, data).html.read_text(encoding="utf-8")
    for section_id, _title in SECTIONS:
        assert f'<section id="{section_id}">' in html
    assert "this pack has no Fan Club" in html
    assert "This pack has no LIVE Journey." in html


def test_without_plotly_the_json_is_written_and_the_error_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "plotly.graph_objects", None)
    with pytest.raises(ReportDependencyError, match=r'pip install "festengine\[report\]"') as caught:
        write_report(tmp_path, report_of())
    assert isinstance(caught.value, FestEngineError)
    assert (tmp_path / "report.json").exists()
    assert not (tmp_path / "report.html").exists()


def _body(data: ReportData, tmp_path: Path) -> str:
    """The page without plotly.js (its source is not operator text)."""
    return write_report(tmp_path, data).html.read_text(encoding="utf-8").split("</head>", 1)[1]


def test_operator_text_has_readable_numbers_and_no_statistics_jargon(tmp_path: Path) -> None:
    """Ratios are percentages, counts whole numbers, and the spike explanation is in plain words."""
    body = _body(report_of(), tmp_path)
    for jargon in ("MAD", "1.4826", "z-score", "sqrt", "median", "CTOR", "GPM"):
        assert jargon not in body
    gifts = body.split('<section id="gifts-gmv">', 1)[1].split("</section>", 1)[0]
    day = gifts.split('<td class="t">2026-06-01</td>', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td>([^<]*%)</td>", day)  # click-through and conversion as percentages
    assert not re.search(r"<td>[\d,]+\.0</td>", body)  # no 91,311.0
    assert "click-through (clicks per view)" in body


def test_spike_hours_are_in_the_fests_local_time_in_words(tmp_path: Path) -> None:
    """A spike at 2026-06-02 03:00 UTC is shown as Monday 1 June, 8 pm to 9 pm PDT in Los Angeles."""
    data = report_of()
    hour = int(datetime(2026, 6, 2, 3, tzinfo=UTC).timestamp())
    spike = Spike(hour, "2026-06-01T20:00-07:00", "creator", "c1", "gift_coins", 91311.0, 1.5, 0.5, 600.0, 913.1)
    dashboard = attrs.evolve(data.analytics.dashboard, spikes=(spike,))
    data = attrs.evolve(data, analytics=attrs.evolve(data.analytics, dashboard=dashboard))
    section = _body(data, tmp_path).split('<section id="spikes">', 1)[1].split("</section>", 1)[0]
    assert (
        '<td class="t">Monday 1 June, 8 pm to 9 pm PDT</td><td class="t">c1</td><td class="t">gift coins</td>'
        "<td>91,311</td><td>1.5</td><td>913.1</td>"
    ) in section


def test_the_journey_section_shows_both_counts_and_says_why_they_differ(tmp_path: Path) -> None:
    """u3 followed without saying hello: step 2 reached by nobody, its mission completed by one viewer."""
    section = _body(report_of(), tmp_path).split('<section id="journey">', 1)[1].split("</section>", 1)[0]
    assert "A viewer reaches a step once every step before it is done" in section
    assert '<td class="t">step 2</td><td class="t">Follow</td><td>0</td><td>1</td>' in section


def test_a_one_seed_report_says_how_to_see_ranges(tmp_path: Path) -> None:
    section = _body(report_of(), tmp_path).split('<section id="ranges">', 1)[1].split("</section>", 1)[0]
    assert "This report is one simulated run (seed 1)" in section
    assert "--seeds K" in section


def test_the_ranges_section_flags_a_budget_at_risk_of_overspending() -> None:
    """A budget that ran out in some runs, or whose high run uses 80% or more of it, gets a note."""
    insights = fold(make_fest(), hand_stream()).insights
    run = Headline.of(insights)
    tight = attrs.evolve(run, granted={"pool": Decimal("45.00")})
    out = attrs.evolve(run, granted={"pool": Decimal("50.00")}, exhausted={"pool": 3})
    calm = across_seeds(SeedRanges.of([1, 2], [run, run], insights), 1)
    assert 'class="note"' not in calm
    assert "<td>0.50</td><td>0.50</td><td>0.50</td><td>1.0%</td><td>0 of 2</td>" in calm
    flagged = across_seeds(SeedRanges.of([1, 2, 3], [run, run, tight], insights), 1)
    assert "Pool: the high run uses 90.0% of it; little room is left." in flagged
    ran_out = across_seeds(SeedRanges.of([1, 2], [run, out], insights), 1)
    assert "Pool ran out in 1 of 2 runs." in ran_out
