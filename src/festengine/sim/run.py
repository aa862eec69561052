"""``festengine simulate``'s work: a simulated fest through the engine, analytics, and the report.

This is the imperative shell: it loads the pack, times the run and writes files. The simulator,
the engine and the analytics it drives stay pure and deterministic: ``report.json`` is the same,
byte for byte, for the same pack, sizes and seeds; the run's timings go to ``timings.json``.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

import attrs

from festengine.analytics import FestAnalytics, OutcomeTally
from festengine.analytics.ranges import Headline, SeedRanges
from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.engine.core import Step
from festengine.engine.eligibility import NOT_ELIGIBLE, rule_of
from festengine.engine.outcomes import outcome_to_dict
from festengine.events import Event, event_to_dict
from festengine.sim.simulator import SimRates, SimulationError, horizon_of, simulate_events

__all__ = ["SimulationSummary", "simulate_to_dir"]

Progress = Callable[[int, int], None]


@attrs.frozen(slots=True)
class SimulationSummary:
    """What a simulation did: sizes, event counts, rejections by code, completions and timings.

    With several seeds the counts are the first seed's (the run the report details) and ``seeds``
    lists every seed run.
    """

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
    #: every seed run (the first is ``seed``); one seed unless ``--seeds`` asked for more
    seeds: tuple[int, ...] = ()
    #: seconds the other seeds' runs took (0 with one seed)
    other_seeds_s: float = 0.0
    #: the ``not_eligible`` refusals by the eligibility rule that refused (``eligibility.minimum_age.gift``…)
    refused_by_rule: Mapping[str, int] = attrs.field(factory=dict)

    @property
    def events_per_s(self) -> float:
        return self.events / self.elapsed_s if self.elapsed_s else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The run as ``report.json`` holds it: the same for the same pack, sizes and seeds (no timings)."""
        data: dict[str, Any] = {
            "fest_id": self.fest_id,
            "viewers": self.viewers,
            "creators": self.creators,
            "days": self.days,
            "seed": self.seed,
            "events": self.events,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": dict(self.rejected),
            "refused_by_rule": dict(self.refused_by_rule),
            "completions": self.completions,
            "outcomes": dict(self.outcomes),
            "files": list(self.files),
        }
        if len(self.seeds) > 1:
            data["seeds"] = list(self.seeds)
        return data

    def timings(self) -> dict[str, Any]:
        """How long the run took (``timings.json``): different on every run, so kept out of ``report.json``."""
        return {
            "elapsed_s": round(self.elapsed_s, 3),
            "events_per_s": round(self.events_per_s),
            "report_s": round(self.report_s, 3),
            "other_seeds_s": round(self.other_seeds_s, 3),
        }

    def __str__(self) -> str:
        rejected = sum(self.rejected.values())
        lines = [
            f"simulated {self.fest_id}: {self.viewers:,} viewers, {self.creators:,} creators, "
            f"{self.days} days, seed {self.seed}",
            f"events: {self.events:,} (accepted {self.accepted:,}, duplicates {self.duplicates:,}, "
            f"rejected {rejected:,})",
            *(f"  rejected {code}: {count:,}" for code, count in sorted(self.rejected.items())),
            *(f"  refused by {rule}: {count:,}" for rule, count in sorted(self.refused_by_rule.items())),
            f"missions completed: {self.completions:,}",
            f"time: {self.elapsed_s:.1f} s ({self.events_per_s:,.0f} events/s), report {self.report_s:.1f} s",
        ]
        if len(self.seeds) > 1:
            lines.append(
                f"seeds {self.seeds[0]} to {self.seeds[-1]} ({len(self.seeds)} runs, the others in "
                f"{self.other_seeds_s:.1f} s): ranges in the report; the figures above are seed {self.seed}'s"
            )
        return "\n".join(lines)


@attrs.define
class _Counts:
    events: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: Counter[str] = attrs.field(factory=Counter)
    refused_by_rule: Counter[str] = attrs.field(factory=Counter)
    outcomes: Counter[str] = attrs.field(factory=Counter)

    def count(self, step: Step) -> None:
        self.events += 1
        if step.duplicate:
            self.duplicates += 1
        elif (rejection := step.rejected) is not None:
            self.rejected[rejection.code] += 1
            if rejection.code == NOT_ELIGIBLE:
                self.refused_by_rule[rule_of(rejection.reason)] += 1
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


class _Observer(Protocol):
    """What a run feeds its steps to: :class:`FestAnalytics`, or the tally alone."""

    def observe(self, event: Event, step: Step) -> None: ...

    def observe_advance(self, step: Step, at: datetime) -> None: ...


def _run(
    fest: Fest,
    events: Iterator[Event],
    analytics: _Observer,
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


def _check(fest: Fest, *, viewers: int, creators: int, days: int | None, seeds: int) -> tuple[int, int]:
    """The simulated stretch; a :class:`SimulationError` before anything is written if a size is impossible."""
    if viewers < 1 or creators < 1:
        raise SimulationError(f"need at least one viewer and one creator, got {viewers} and {creators}")
    if seeds < 1:
        raise SimulationError(f"seeds must be at least 1, not {seeds}")
    return horizon_of(fest, days)


def _seed_progress(progress: Progress | None, index: int, count: int) -> Progress | None:
    """Progress of the ``index``-th of ``count`` runs as a share of all of them."""
    if progress is None or count == 1:
        return progress
    report = progress

    def scaled(done: int, total: int) -> None:
        report(index * total + done, count * total)

    return scaled


class _TallyOnly:
    """The outcome tally alone, for runs whose only use is their headline figures (no dashboard)."""

    def __init__(self, fest: Fest) -> None:
        self.tally = OutcomeTally(fest)

    def observe(self, event: Event, step: Step) -> None:
        self.tally.observe(step, event.occurred_at.timestamp())

    def observe_advance(self, step: Step, at: datetime) -> None:
        self.tally.observe(step, at.timestamp())


@attrs.frozen(slots=True)
class _Plan:
    """What every run of one simulation shares: the fest, the sizes and when to close it."""

    fest: Fest
    viewers: int
    creators: int
    days: int | None
    rates: SimRates | None
    #: the simulated stretch (POSIX seconds) and the moment the engine is advanced to at the end
    start: int
    end: int
    closing: datetime

    def events(self, seed: int) -> Iterator[Event]:
        return simulate_events(
            self.fest, viewers=self.viewers, creators=self.creators, days=self.days, seed=seed, rates=self.rates
        )

    def hook(self, progress: Progress | None, index: int, count: int) -> Callable[[Event], None] | None:
        return _progress_hook(_seed_progress(progress, index, count), self.start, self.end)


def _first_run(
    plan: _Plan,
    seed: int,
    folder: Path,
    *,
    write_events: bool,
    write_outcomes: bool,
    on_event: Callable[[Event], None] | None,
) -> tuple[FestAnalytics, _Counts]:
    """The run the report details: the dashboard and the tally, and the JSON Lines if asked for."""
    analytics = FestAnalytics(plan.fest)
    with ExitStack() as stack:

        def open_if(name: str, wanted: bool) -> IO[str] | None:
            return stack.enter_context((folder / name).open("w", encoding="utf-8")) if wanted else None

        events_file = open_if("events.jsonl", write_events)
        outcomes_file = open_if("outcomes.jsonl", write_outcomes)
        _engine, counts = _run(
            plan.fest, plan.events(seed), analytics, end=plan.closing, events_file=events_file,
            outcomes_file=outcomes_file, on_event=on_event,
        )  # fmt: skip
    return analytics, counts


def _other_seeds(plan: _Plan, seeds: Sequence[int], progress: Progress | None) -> list[Headline]:
    """The headline figures of a run per seed in ``seeds`` (runs 2, 3… of ``len(seeds) + 1``; no files)."""
    headlines = []
    for index, seed in enumerate(seeds, start=1):
        observer = _TallyOnly(plan.fest)
        _run(
            plan.fest,
            plan.events(seed),
            observer,
            end=plan.closing,
            on_event=plan.hook(progress, index, len(seeds) + 1),
        )
        headlines.append(Headline.of(observer.tally.result()))
    return headlines


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
    seeds: int = 1,
) -> SimulationSummary:
    """Simulate a fest, run it through the engine and write ``report.html``, ``report.json`` and
    ``timings.json`` to ``out_dir``.

    ``pack_path`` is a pack (file or folder) or an already compiled :class:`Fest`. With
    ``write_events`` / ``write_outcomes`` also writes ``events.jsonl`` / ``outcomes.jsonl``.
    With ``seeds`` K > 1 also runs the seeds ``seed + 1`` to ``seed + K - 1`` and the report shows
    each headline figure as a range across the K runs (:mod:`festengine.analytics.ranges`); the
    report's other sections and the JSON Lines are seed ``seed``'s.
    ``progress(done, total)`` is called now and then with fest hours simulated. Raises
    :class:`SimulationError` before writing anything if a size is impossible (``days`` beyond the
    fest, no viewers…), and :class:`~festengine.report.ReportDependencyError` (after writing
    everything else) if plotly is not installed.
    """
    from festengine.report import ReportData, write_report

    fest = _load(pack_path)
    start, end = _check(fest, viewers=viewers, creators=creators, days=days, seeds=seeds)
    closing = datetime.fromtimestamp(end, UTC) + fest.allowed_lateness
    plan = _Plan(fest, viewers, creators, days, rates, start, end, closing)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    analytics, counts = _first_run(
        plan, seed, folder, write_events=write_events, write_outcomes=write_outcomes,
        on_event=plan.hook(progress, 0, seeds),
    )  # fmt: skip
    result = analytics.finish()
    elapsed = time.perf_counter() - began
    more = range(seed + 1, seed + seeds)
    headlines = _other_seeds(plan, more, progress)
    others = time.perf_counter() - began - elapsed
    if progress is not None:
        total = max(1, math.ceil((end - start) / 3600)) * seeds
        progress(total, total)
    files = [name for name, on in (("events.jsonl", write_events), ("outcomes.jsonl", write_outcomes)) if on]
    summary = SimulationSummary(
        fest_id=fest.id, viewers=viewers, creators=creators, days=fest.calendar.day_of(end - 1) + 1, seed=seed,
        events=counts.events, accepted=counts.accepted, duplicates=counts.duplicates,
        rejected=dict(sorted(counts.rejected.items())), completions=counts.outcomes["mission_completed"],
        refused_by_rule=dict(sorted(counts.refused_by_rule.items())),
        outcomes=dict(sorted(counts.outcomes.items())), elapsed_s=elapsed,
        files=("report.html", "report.json", "timings.json", *files), seeds=(seed, *more), other_seeds_s=others,
    )  # fmt: skip
    ranges = None
    if seeds > 1:
        ranges = SeedRanges.of(summary.seeds, [Headline.of(result.insights), *headlines], result.insights)
    report_began = time.perf_counter()
    try:
        write_report(folder, ReportData.of(fest, result, summary.to_dict(), ranges=ranges))
    finally:
        summary = attrs.evolve(summary, report_s=time.perf_counter() - report_began)
        _write_timings(folder, summary)
    return summary


def _write_timings(folder: Path, summary: SimulationSummary) -> None:
    text = json.dumps(summary.timings(), indent=1) + "\n"
    (folder / "timings.json").write_text(text, encoding="utf-8")
