"""simulate_to_dir: the simulated fest through the engine, analytics and report; a replay gives the same numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sim_fests import PACK, small_fest

from festengine.analytics import FestAnalytics
from festengine.catalog.model import Fest
from festengine.cli import main
from festengine.engine.core import Engine
from festengine.events import read_events
from festengine.report import SECTIONS
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
    from datetime import UTC, datetime

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
