"""simulate_to_dir: the simulated fest through the engine, analytics and report; a replay gives the same numbers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sim_fests import PACK, small_fest

from festengine.analytics import FestAnalytics, OutcomeTally
from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.cli import main
from festengine.events import read_events
from festengine.report import SECTIONS
from festengine.sim import SimulationError, horizon_of, simulate_events
from festengine.sim.run import SimulationSummary, simulate_to_dir


@pytest.fixture(scope="module")
def fest() -> Fest:
    return small_fest()


@pytest.fixture(scope="module")
def run(fest: Fest, tmp_path_factory: pytest.TempPathFactory) -> tuple[SimulationSummary, Path, list[tuple[int, int]]]:
    out = tmp_path_factory.mktemp("sim")
    calls: list[tuple[int, int]] = []
    summary = simulate_to_dir(
        fest, viewers=400, creators=10, days=None, seed=21, out_dir=out, write_events=True, write_outcomes=True,
        progress=lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    return summary, out, calls


def test_it_writes_the_report_and_the_json_lines(run: tuple[SimulationSummary, Path, Any]) -> None:
    summary, out, _calls = run
    assert sorted(p.name for p in out.iterdir()) == [
        "events.jsonl", "outcomes.jsonl", "report.html", "report.json", "timings.json",
    ]  # fmt: skip
    html = (out / "report.html").read_text(encoding="utf-8")
    assert all(f'<section id="{sid}">' in html for sid, _title in SECTIONS)
    lines = (out / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == summary.events
    outcomes = (out / "outcomes.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(outcomes) == sum(summary.outcomes.values())
    assert json.loads(outcomes[0])["kind"]


def test_the_summary_adds_up(run: tuple[SimulationSummary, Path, Any]) -> None:
    summary, out, _calls = run
    assert summary.events == summary.accepted + summary.duplicates + sum(summary.rejected.values())
    assert summary.duplicates > 0
    assert summary.rejected.get("too_late", 0) > 0
    assert summary.completions == summary.outcomes["mission_completed"] > 0
    assert (summary.viewers, summary.creators, summary.days, summary.seed) == (400, 10, 7, 21)
    assert summary.elapsed_s > 0
    assert summary.events_per_s > 0
    text = str(summary)
    assert "simulated sim-fest: 400 viewers, 10 creators, 7 days, seed 21" in text
    assert f"events: {summary.events:,}" in text
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["events"] == summary.events
    assert report["run"]["rejected"] == dict(summary.rejected)


def test_progress_counts_fest_hours_up_to_the_total(run: tuple[SimulationSummary, Path, Any]) -> None:
    _summary, _out, calls = run
    total = 7 * 24 + 1  # the fest spans the end of daylight-saving time: one 25-hour day
    assert calls[-1] == (total, total)
    assert all(t == total and 0 <= d <= total for d, t in calls)
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)


def test_a_replay_of_the_events_gives_the_same_numbers(fest: Fest, run: tuple[SimulationSummary, Path, Any]) -> None:
    """events.jsonl through a fresh engine and fresh analytics: the same dashboard and insights as live."""
    _summary, out, _calls = run
    engine, analytics = Engine(fest), FestAnalytics(fest)
    reader = read_events(out / "events.jsonl")
    for event in reader:
        analytics.observe(event, engine.apply(event))
    assert reader.errors == []
    end = datetime.fromtimestamp(fest.ends_at.timestamp(), UTC) + fest.allowed_lateness
    analytics.observe_advance(engine.advance_to(end), end)
    replayed = json.loads(json.dumps(analytics.finish().to_dict()))
    live = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert replayed["dashboard"] == live["dashboard"]
    assert replayed["insights"] == live["insights"]


def test_the_bundled_pack_end_to_end_through_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``festengine simulate`` (the CLI calls simulate_to_dir) on the bundled pack writes the report."""
    out = tmp_path / "demo"
    code = main(["simulate", str(PACK), "--viewers", "250", "--creators", "8", "--days", "2", "--seed", "3",
                 "--out", str(out)])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "simulated community_fest_2026: 250 viewers, 8 creators, 2 days, seed 3" in printed
    assert f"report: {out / 'report.html'}" in printed
    html = (out / "report.html").read_text(encoding="utf-8")
    assert all(f'<section id="{sid}"><h2>{title}</h2>' in html for sid, title in SECTIONS)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["fest"]["id"] == "community_fest_2026"
    assert report["dashboard"]["fest"]["total"]["views"] > 0


def test_report_json_is_the_same_bytes_for_the_same_seed(fest: Fest, tmp_path: Path) -> None:
    """Run timings go to timings.json, so two runs with the same pack, sizes and seed give identical
    report.json files, which can be diffed."""
    for name in ("a", "b"):
        simulate_to_dir(fest, viewers=80, creators=3, days=2, seed=4, out_dir=tmp_path / name)
    assert (tmp_path / "a" / "report.json").read_bytes() == (tmp_path / "b" / "report.json").read_bytes()
    report = json.loads((tmp_path / "a" / "report.json").read_text(encoding="utf-8"))
    assert not {"elapsed_s", "events_per_s", "report_s"} & set(report["run"])
    assert "ranges" not in report
    timings = json.loads((tmp_path / "a" / "timings.json").read_text(encoding="utf-8"))
    assert set(timings) == {"elapsed_s", "events_per_s", "report_s", "other_seeds_s"}
    assert timings["elapsed_s"] > 0


def test_days_beyond_the_fest_are_refused_and_nothing_is_written(fest: Fest, tmp_path: Path) -> None:
    """The fest has 7 days: asking for 8 is an error naming the limit, not a silent cut to 7."""
    out = tmp_path / "out"
    with pytest.raises(SimulationError, match=r"between 1 and 7 \(the fest 'sim-fest' has 7 days\), not 8"):
        simulate_to_dir(fest, viewers=80, creators=3, days=8, seed=4, out_dir=out)
    assert not out.exists()
    simulate_to_dir(fest, viewers=20, creators=2, days=7, seed=4, out_dir=out)  # the whole fest is fine
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["run"]["days"] == 7


@pytest.fixture(scope="module")
def seeds_run(fest: Fest, tmp_path_factory: pytest.TempPathFactory) -> tuple[SimulationSummary, Path]:
    out = tmp_path_factory.mktemp("seeds")
    return simulate_to_dir(fest, viewers=80, creators=3, days=2, seed=10, seeds=3, out_dir=out), out


def test_several_seeds_give_each_headline_figure_as_a_range(
    fest: Fest, seeds_run: tuple[SimulationSummary, Path]
) -> None:
    """--seeds 3 from seed 10 runs seeds 10, 11 and 12; each range is the nearest-rank percentile of
    the three single runs' figures; the report's other numbers are seed 10's."""
    summary, out = seeds_run
    assert summary.seeds == (10, 11, 12)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    ranges = report["ranges"]
    assert (ranges["seeds"], ranges["method"]) == ([10, 11, 12], "nearest-rank")
    singles = [_single_run_insights(fest, seed) for seed in (10, 11, 12)]
    assert report["insights"] == singles[0]
    completions = {m["mission_id"]: sorted(r["completions"] for r in _missions(singles, m["mission_id"]))
                   for m in singles[0]["missions"]}  # fmt: skip
    for mission in ranges["missions"]:
        low, middle, high = completions[mission["mission_id"]]
        assert mission["completions"] == {"p10": low, "p50": middle, "p90": high, "low": low, "high": high}
    (pool,) = ranges["budgets"]
    granted = sorted((Decimal(s["credits"][0]["granted"]) for s in singles), key=Decimal)
    assert [Decimal(pool["granted"][p]) for p in ("p10", "p50", "p90")] == granted
    assert set(ranges["commission"]) == {"accrued", "settled", "reversed", "pending"}


def _single_run_insights(fest: Fest, seed: int) -> dict[str, Any]:
    """The insights of one seed's run, as report.json holds them (without writing a report)."""
    engine, tally = Engine(fest), OutcomeTally(fest)
    for event in simulate_events(fest, viewers=80, creators=3, days=2, seed=seed):
        tally.observe(engine.apply(event), event.occurred_at.timestamp())
    end = datetime.fromtimestamp(horizon_of(fest, 2)[1], UTC) + fest.allowed_lateness
    tally.observe(engine.advance_to(end), end.timestamp())
    result: dict[str, Any] = json.loads(json.dumps(tally.result().to_dict()))
    return result


def _missions(insights: list[dict[str, Any]], mission_id: str) -> list[dict[str, Any]]:
    return [next(m for m in one["missions"] if m["mission_id"] == mission_id) for one in insights]


def test_several_seeds_are_deterministic_and_on_the_page(fest: Fest, seeds_run: tuple[SimulationSummary, Path],
                                                         tmp_path: Path) -> None:  # fmt: skip
    """The same seeds again give the same report.json bytes; the page shows the ranges section."""
    _summary, out = seeds_run
    simulate_to_dir(fest, viewers=80, creators=3, days=2, seed=10, seeds=3, out_dir=tmp_path)
    assert (tmp_path / "report.json").read_bytes() == (out / "report.json").read_bytes()
    html = (out / "report.html").read_text(encoding="utf-8")
    section = html.split('<section id="ranges">', 1)[1].split("</section>", 1)[0]
    assert "seeds 10 to 12 (3 runs" in section
    assert "<th>low (p10)</th><th>middle (p50)</th><th>high (p90)</th>" in section
    assert "nearest-rank" in section
    assert 'id="chart-ranges"' in section  # the budgets' ranges drawn against their size


def test_the_report_counts_the_refusals_of_each_eligibility_rule(tmp_path: Path) -> None:
    """On the bundled pack (18+ gifts, purchases and joins; six regions), the simulated minors and viewers
    abroad are refused, and the summary, report.json and report.html count the refusals by the rule that
    refused them; the counts add up to the not_eligible rejections."""
    from festengine import load_fest

    summary = simulate_to_dir(load_fest(PACK), viewers=600, creators=8, days=2, seed=5, out_dir=tmp_path)
    by_rule = dict(summary.refused_by_rule)
    assert "eligibility.regions" in by_rule
    assert any(rule.startswith("eligibility.minimum_age.") for rule in by_rule)
    assert all(rule.startswith("eligibility.") for rule in by_rule)
    assert sum(by_rule.values()) == summary.rejected["not_eligible"] > 0
    assert "  refused by eligibility.regions: " in str(summary)
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["refused_by_rule"] == by_rule
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "refused by eligibility rule" in html
    assert "eligibility.regions" in html
