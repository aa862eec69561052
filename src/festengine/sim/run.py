"""``festengine simulate``'s work: a simulated fest through the engine, analytics, and the report.

This is the imperative shell: it loads the pack, times the run and writes files. The simulator,
the engine and the analytics it drives stay pure and deterministic.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import attrs

from festengine.analytics import FestAnalytics
from festengine.catalog.model import Fest
from festengine.engine.core import Engine, Step
from festengine.engine.outcomes import outcome_to_dict
from festengine.events import Event, event_to_dict
from festengine.sim.simulator import SimRates, horizon_of, simulate_events

__all__ = ["SimulationSummary", "simulate_to_dir"]

Progress = Callable[[int, int], None]


@attrs.frozen(slots=True)
class SimulationSummary:
    """What a simulation did: sizes, event counts, rejections by code, completions and timings."""

    fest_id: str
    viewers: int
    creators: int
    days: int
    seed: int
    events: int
    accepted: int
    duplicates: int
    rejected: Mapping[str, int]
    completions: int
    outcomes: Mapping[str, int]
    #: seconds from the first event to the last step (simulating, applying, analysing, writing JSON Lines)
    elapsed_s: float
    #: seconds to write report.html and report.json
    report_s: float = 0.0
    files: tuple[str, ...] = ()

    @property
    def events_per_s(self) -> float:
        return self.events / self.elapsed_s if self.elapsed_s else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "fest_id": self.fest_id,
            "viewers": self.viewers,
            "creators": self.creators,
            "days": self.days,
            "seed": self.seed,
            "events": self.events,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": dict(self.rejected),
            "completions": self.completions,
            "outcomes": dict(self.outcomes),
            "elapsed_s": round(self.elapsed_s, 3),
            "events_per_s": round(self.events_per_s),
            "report_s": round(self.report_s, 3),
            "files": list(self.files),
        }

    def __str__(self) -> str:
        rejected = sum(self.rejected.values())
        lines = [
            f"simulated {self.fest_id}: {self.viewers:,} viewers, {self.creators:,} creators, "
            f"{self.days} days, seed {self.seed}",
            f"events: {self.events:,} (accepted {self.accepted:,}, duplicates {self.duplicates:,}, "
            f"rejected {rejected:,})",
            *(f"  rejected {code}: {count:,}" for code, count in sorted(self.rejected.items())),
            f"missions completed: {self.completions:,}",
            f"time: {self.elapsed_s:.1f} s ({self.events_per_s:,.0f} events/s), report {self.report_s:.1f} s",
        ]
        return "\n".join(lines)


@attrs.define
class _Counts:
    events: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: Counter[str] = attrs.field(factory=Counter)
    outcomes: Counter[str] = attrs.field(factory=Counter)

    def count(self, step: Step) -> None:
        self.events += 1
        if step.duplicate:
            self.duplicates += 1
        elif (rejection := step.rejected) is not None:
            self.rejected[rejection.code] += 1
        else:
            self.accepted += 1
        for outcome in step.outcomes:
            self.outcomes[outcome.kind] += 1


def _load(pack: str | os.PathLike[str] | Fest) -> Fest:
    if isinstance(pack, Fest):
        return pack
    from festengine import load_fest

    return load_fest(pack)


def _write_outcomes(handle: IO[str] | None, step: Step) -> None:
    if handle is not None:
        for outcome in step.outcomes:
            handle.write(json.dumps(outcome_to_dict(outcome), separators=(",", ":"), ensure_ascii=False) + "\n")


def _run(
    fest: Fest,
    events: Iterator[Event],
    analytics: FestAnalytics,
    *,
    end: datetime,
    events_file: IO[str] | None = None,
    outcomes_file: IO[str] | None = None,
    on_event: Callable[[Event], None] | None = None,
) -> tuple[Engine, _Counts]:
    """Apply ``events`` to a new engine, feed the analytics, write JSON Lines; finally advance to ``end``."""
    engine = Engine(fest)
    counts = _Counts()
    for event in events:
        step = engine.apply(event)
        counts.count(step)
        analytics.observe(event, step)
        if events_file is not None:
            events_file.write(json.dumps(event_to_dict(event), separators=(",", ":"), ensure_ascii=False) + "\n")
        _write_outcomes(outcomes_file, step)
        if on_event is not None:
            on_event(event)
    final = engine.advance_to(end)
    for outcome in final.outcomes:
        counts.outcomes[outcome.kind] += 1
    analytics.observe_advance(final, end)
    _write_outcomes(outcomes_file, final)
    return engine, counts


def _progress_hook(progress: Progress | None, start: int, end: int) -> Callable[[Event], None] | None:
    """Reports fest hours simulated (done, total) every 2,000 events; ``done`` never goes back."""
    if progress is None:
        return None
    total = max(1, math.ceil((end - start) / 3600))
    seen = done = 0

    def hook(event: Event) -> None:
        nonlocal seen, done
        seen += 1
        if seen % 2000 == 0:
            done = max(done, min(total, int((event.occurred_at.timestamp() - start) // 3600)))
            progress(done, total)

    return hook


def simulate_to_dir(
    pack_path: str | os.PathLike[str] | Fest,
    *,
    viewers: int,
    creators: int,
    days: int | None,
    seed: int,
    out_dir: str | os.PathLike[str],
    write_events: bool = False,
    write_outcomes: bool = False,
    progress: Progress | None = None,
    rates: SimRates | None = None,
) -> SimulationSummary:
    """Simulate a fest, run it through the engine and write ``report.html`` and ``report.json`` to ``out_dir``.

    ``pack_path`` is a pack (file or folder) or an already compiled :class:`Fest`. With
    ``write_events`` / ``write_outcomes`` also writes ``events.jsonl`` / ``outcomes.jsonl``.
    ``progress(done, total)`` is called now and then with fest hours simulated. Raises
    :class:`~festengine.report.ReportDependencyError` (after writing everything else) if plotly is
    not installed.
    """
    from festengine.report import ReportData, write_report

    fest = _load(pack_path)
    start, end = horizon_of(fest, days)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    analytics = FestAnalytics(fest)
    with ExitStack() as stack:
        events_file = (
            stack.enter_context((folder / "events.jsonl").open("w", encoding="utf-8")) if write_events else None
        )
        outcomes_file = (
            stack.enter_context((folder / "outcomes.jsonl").open("w", encoding="utf-8")) if write_outcomes else None
        )
        stream = simulate_events(fest, viewers=viewers, creators=creators, days=days, seed=seed, rates=rates)
        closing = datetime.fromtimestamp(end, UTC) + fest.allowed_lateness
        _engine, counts = _run(
            fest, stream, analytics, end=closing, events_file=events_file, outcomes_file=outcomes_file,
            on_event=_progress_hook(progress, start, end),
        )  # fmt: skip
    result = analytics.finish()
    elapsed = time.perf_counter() - began
    if progress is not None:
        total = max(1, math.ceil((end - start) / 3600))
        progress(total, total)
    files = [name for name, on in (("events.jsonl", write_events), ("outcomes.jsonl", write_outcomes)) if on]
    summary = SimulationSummary(
        fest_id=fest.id, viewers=viewers, creators=creators, days=fest.calendar.day_of(end - 1) + 1, seed=seed,
        events=counts.events, accepted=counts.accepted, duplicates=counts.duplicates,
        rejected=dict(sorted(counts.rejected.items())), completions=counts.outcomes["mission_completed"],
        outcomes=dict(sorted(counts.outcomes.items())), elapsed_s=elapsed,
        files=("report.html", "report.json", *files),
    )  # fmt: skip
    report_began = time.perf_counter()
    write_report(folder, ReportData.of(fest, result, summary.to_dict()))
    return attrs.evolve(summary, report_s=time.perf_counter() - report_began)
