"""The engine benchmark (issue 3): throughput and memory of ``Engine.apply`` on the bundled pack.

Usage::

    python benchmarks/engine.py                 # 1,000,000 events, 20,000 viewers, 300 creators
    python benchmarks/engine.py --events 200000 --json

It generates a seeded workload (view 50%, like 20%, comment 10%, gift 8%, share 4%, link_click 6%,
purchase 2%, over 21 days) plus, as a LIVE feed reports them, the start and end of each creator's
daily stream (2 x 300 x 21 = 12,600 more events; ``--no-streams`` leaves them out, and then
per-stream mission windows stay open until the fest ends). Then it measures, in one process and
on the same events:

* (a) events/s through ``Engine.apply`` for already-parsed events;
* (b) events/s from JSON Lines text (``parse_event`` + ``apply``);
* a hand-written plain-Python reference doing the same mission counting with dicts, and the
  engine's throughput as a ratio of it: the engine and the reference alternate over the same events
  in ``--rounds`` consecutive rounds (10 by default), each timed in CPU time, so that both run under
  the same load; ``ratio_to_reference`` is over all rounds, ``ratio_median``, ``ratio_min`` and
  ``ratio_max`` are the rounds' own ratios (their spread shows the noise);
* a floor: a strict subset of the reference (remember the id, read the time, add 1 per viewer
  mission of the event's type), parsed and from JSON Lines; every engine doing what issue 3 asks
  does these steps and much more, so it shows about the most this machine can run in plain Python;
* peak memory (max RSS) and bytes of engine state per active viewer (a deep size of the state; the
  ledger's journal goes to a sink that counts its entries, as a backend would write them elsewhere).

``build`` says which build of festengine ran: ``pure`` (plain Python, the default) or ``compiled``
(the modules ``make compiled`` builds with mypyc). ``--compiled-python .venv-compiled/bin/python``
(what ``make bench`` passes once the compiled build exists) first runs the same benchmark with that
interpreter, on the same seeded events, and adds its figures as ``compiled_*`` keys; each build's
ratio is against the reference timed in its own process, and ``compiled_speedup`` is the ratio of
the two ratios.

The collector: the workload and the engines timed before are frozen out of its passes around each
timed run; its thresholds stay CPython's defaults, as in earlier rounds (the command line tunes them
for replay, ingest and simulate; see ``festengine._collector``).

This is a benchmark, not a test: it asserts nothing, it reports.
"""

from __future__ import annotations

import argparse
import gc
import importlib.machinery
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import festengine.engine.core
from festengine import Engine, Event, load_fest
from festengine.catalog.model import Fest, MeasureKind, Subject, WindowKind
from festengine.engine.component import Component
from festengine.events import dumps_event, parse_event
from festengine.sim import workload_events

PACK = Path(__file__).resolve().parent.parent / "missions" / "community-fest"


# --------------------------------------------------------------------------- the reference


def _reference_resolver(fest: Fest, kind: WindowKind, mission: Any) -> Callable[[float, Event], Any]:
    calendar = fest.calendar
    if kind is WindowKind.DAILY:
        return lambda ts, _e: calendar.day_of(ts)
    if kind is WindowKind.WEEKLY:
        return lambda ts, _e: calendar.week_of(ts)
    if kind is WindowKind.STREAM:
        return lambda _ts, e: e.stream_id
    if kind is WindowKind.PHASE:
        phase = fest.phases[mission.window.phase]
        start, end = phase.starts_at.timestamp(), phase.ends_at.timestamp()
        return lambda ts, _e: 0 if start <= ts < end else None
    if kind is WindowKind.BETWEEN:
        start, end = mission.window.starts_at.timestamp(), mission.window.ends_at.timestamp()
        return lambda ts, _e: 0 if start <= ts < end else None
    return lambda _ts, _e: 0


class EntryCounter:
    """A journal sink that counts the ledger's entries and keeps none: the engine's state is then what
    it needs to go on, not the journal (which a backend writes to its own store)."""

    def __init__(self) -> None:
        self.count = 0

    def append(self, entry: object) -> None:
        self.count += 1


class Reference:
    """The same viewer-mission counting, hand-written with plain dicts and no outcomes."""

    def __init__(self, fest: Fest) -> None:
        self.table: dict[str, list[tuple[Any, ...]]] = {}
        for event_type, missions in fest.missions_by_event.items():
            rows = []
            for m in missions:
                if m.subject is not Subject.VIEWER:
                    continue
                resolve = _reference_resolver(fest, m.window.kind, m)
                rows.append((m.id, m.counts.predicate, m.measure.kind, m.measure.field, resolve, m.target))
            self.table[event_type] = rows
        self.gift_coins = {g.id: g.coins for g in fest.economy.gifts.values()}
        self.progress: dict[tuple[str, str, Any], Any] = {}
        self.seen: set[str] = set()
        self.completed = 0

    def apply(self, event: Event) -> None:
        if event.event_id in self.seen:
            return
        self.seen.add(event.event_id)
        ts = event.occurred_at.timestamp()
        if event.type == "gift":
            event = Event(**{**_fields(event), "coins": self.gift_coins[event.gift_id or ""] * (event.count or 1)})
        for mission_id, predicate, kind, field, resolve, target in self.table.get(event.type, ()):
            if predicate is not None and not predicate(event):
                continue
            window = resolve(ts, event)
            if window is None:
                continue
            key = (event.user_id, mission_id, window)
            progress = self.progress
            if kind is MeasureKind.DISTINCT:
                values = progress.setdefault(key, set())
                values.add(getattr(event, field or ""))
                reached = len(values) >= target
            elif kind is MeasureKind.SUM:
                value = progress[key] = progress.get(key, 0) + (getattr(event, field or "") or 0)
                reached = value >= target
            else:
                value = progress[key] = progress.get(key, 0) + 1
                reached = value >= target
            if reached:
                self.completed += 1


def _fields(event: Event) -> dict[str, Any]:
    return {name: getattr(event, name) for name in event.__slots__ if not name.startswith("__")}


# --------------------------------------------------------------------------- the floor


class Floor:
    """The least any engine must do per event, as a bound on what this machine can run.

    It is a strict subset of the reference: it remembers the event id, reads the time, and for each
    viewer mission of the event's type adds 1 to a dict entry keyed by (user, mission, UTC day). No
    predicates, no real windows, no measures but a count, no completions, no outcomes, no other
    layer. Each step is one issue 3 requires (idempotency, time, the progress of each viewer mission
    the event counts toward), done in the plainest way: an engine that also does all the rest cannot
    expect to be much faster than this loop.
    """

    def __init__(self, fest: Fest) -> None:
        self.table = {
            event_type: tuple(m.id for m in missions if m.subject is Subject.VIEWER)
            for event_type, missions in fest.missions_by_event.items()
        }
        self.progress: dict[tuple[str, str, int], int] = {}
        self.seen: set[str] = set()

    def count(self, event_id: str, event_type: str, user: str, ts: float) -> None:
        if event_id in self.seen:
            return
        self.seen.add(event_id)
        day = int(ts // 86400)
        progress = self.progress
        for mission_id in self.table.get(event_type, ()):
            key = (user, mission_id, day)
            progress[key] = progress.get(key, 0) + 1

    def apply(self, event: Event) -> None:
        self.count(event.event_id, event.type, event.user_id, event.occurred_at.timestamp())

    def apply_line(self, line: str) -> None:
        """The same from a JSON line: the standard library's decoder and ``datetime.fromisoformat``."""
        data = json.loads(line)
        ts = datetime.fromisoformat(data["occurred_at"]).timestamp()
        self.count(data["event_id"], data["type"], data["user_id"], ts)


# --------------------------------------------------------------------------- measuring


def deep_size(root: object) -> int:
    """Bytes of every object reachable from ``root`` (each counted once).

    The fest, the engine and components reached through back-references are not state: they are
    skipped, so nothing is counted twice.
    """
    seen: set[int] = set()
    stack = [root]
    total = 0
    skip = (type, Callable)
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (*skip, Fest, Engine, Component)):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple | set | frozenset):
            stack.extend(obj)
        elif hasattr(obj, "__slots__"):
            stack.extend(getattr(obj, name) for name in _slots(type(obj)) if hasattr(obj, name))
        else:
            stack.extend(_attributes(obj).values())
    return total


def _attributes(obj: object) -> dict[str, Any]:
    """An object's attributes: its ``__dict__``, or those a class compiled by mypyc lists in ``__mypyc_attrs__``."""
    if hasattr(obj, "__dict__"):
        return dict(vars(obj))
    names = getattr(type(obj), "__mypyc_attrs__", ())
    return {name: getattr(obj, name) for name in names if name != "__dict__" and hasattr(obj, name)}


def _slots(cls: type) -> list[str]:
    names: list[str] = []
    for klass in cls.__mro__:
        slots = klass.__dict__.get("__slots__", ())
        names.extend([slots] if isinstance(slots, str) else slots)
    return [n for n in names if n not in ("__weakref__", "__dict__")]


def _state_of(engine: Engine) -> dict[str, Any]:
    state: dict[str, Any] = {"seen": engine._seen, "buckets": engine._seen_buckets, "timers": engine._routing.timers}
    for name, component in engine.components.items():
        state[name] = _attributes(component)
    return state


def _drive(apply: Callable[[Any], object], items: list[Any]) -> Callable[[], None]:
    """A loop applying every item and dropping each result, as a consumer that handles steps one by one."""

    def run() -> None:
        for item in items:
            apply(item)

    return run


def _timed(label: str, run: Callable[[], None], count: int) -> float:
    # The workload (a million events and their JSON lines, built up front) and the engines timed
    # before are not the engine's state: freeze them so the collector does not walk them again
    # and again inside the timed run. What the timed engine allocates is collected as usual.
    gc.collect()
    gc.freeze()
    start = time.process_time()
    run()
    elapsed = time.process_time() - start
    gc.unfreeze()
    rate = count / elapsed
    print(f"{label:<38} {rate:>12,.0f} events/s   {elapsed / count * 1e6:8.2f} µs/event", file=sys.stderr)
    return rate


def _rounds(items: list[Any], count: int) -> list[list[Any]]:
    """``items`` cut into ``count`` consecutive rounds of about the same size."""
    size = max(1, -(-len(items) // count))
    return [items[i : i + size] for i in range(0, len(items), size)]


class Interleaved:
    """Two loops timed side by side: round by round over the same items, each round timed in CPU time
    for one and then the other, so that both see the same load on a shared machine."""

    def __init__(self, label: str, other: str) -> None:
        self.label, self.other = label, other
        self.times: list[tuple[float, float]] = []

    def run(self, first: Callable[[Any], object], second: Callable[[Any], object], rounds: list[list[Any]]) -> None:
        gc.collect()
        gc.freeze()
        for items in rounds:
            start = time.process_time()
            for item in items:
                first(item)
            middle = time.process_time()
            for item in items:
                second(item)
            self.times.append((middle - start, time.process_time() - middle))
        gc.unfreeze()
        count = sum(len(items) for items in rounds)
        for label, spent in ((self.label, self.first_seconds), (self.other, self.second_seconds)):
            print(
                f"{label:<38} {count / spent:>12,.0f} events/s   {spent / count * 1e6:8.2f} µs/event", file=sys.stderr
            )

    @property
    def first_seconds(self) -> float:
        return sum(first for first, _ in self.times)

    @property
    def second_seconds(self) -> float:
        return sum(second for _, second in self.times)

    def ratios(self) -> list[float]:
        """Per round, the second loop's time over the first's (the first's speed relative to the second), sorted."""
        return sorted(second / first for first, second in self.times if first > 0)


def run(
    events_count: int, viewers: int, creators: int, seed: int, streams: bool = True, rounds: int = 10
) -> dict[str, Any]:
    fest = load_fest(PACK)
    print(f"generating {events_count:,} events ({viewers:,} viewers, {creators} creators)…", file=sys.stderr)
    workload = workload_events(
        fest, viewers=viewers, creators=creators, events=events_count, seed=seed, streams=streams
    )
    events = list(workload)
    lines = [dumps_event(e) for e in events]

    journal = EntryCounter()
    engine = Engine(fest, journal=journal)
    reference = Reference(fest)
    # the engine and the reference side by side, round by round, on the same events (CPU time)
    engine_vs_reference = Interleaved("engine, parsed events", "hand-written reference")
    engine_vs_reference.run(engine.apply, reference.apply, _rounds(events, rounds))
    parsed_rate = len(events) / engine_vs_reference.first_seconds
    reference_rate = len(events) / engine_vs_reference.second_seconds
    ratios = engine_vs_reference.ratios()
    state_bytes = deep_size(_state_of(engine))
    active = len({e.user_id for e in events})

    engine2 = Engine(fest, journal=EntryCounter())
    apply2 = engine2.apply
    jsonl_rate = _timed("engine, JSON Lines in", _drive(lambda line: apply2(parse_event(line)), lines), len(lines))

    floor_rate = _timed("floor (parsed)", _drive(Floor(fest).apply, events), len(events))
    floor_jsonl_rate = _timed("floor (JSON Lines)", _drive(Floor(fest).apply_line, lines), len(lines))

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result = {
        "events": len(events),
        "stream_lifecycle_events": len(events) - events_count,
        "viewers": viewers,
        "creators": creators,
        "events_per_s": round(parsed_rate),
        "jsonl_events_per_s": round(jsonl_rate),
        "reference_events_per_s": round(reference_rate),
        "ratio_to_reference": round(parsed_rate / reference_rate, 3),
        "ratio_rounds": len(ratios),
        "ratio_median": round(statistics.median(ratios), 3),
        "ratio_min": round(ratios[0], 3),
        "ratio_max": round(ratios[-1], 3),
        "us_per_event": round(1e6 / parsed_rate, 2),
        "jsonl_us_per_event": round(1e6 / jsonl_rate, 2),
        "floor_events_per_s": round(floor_rate),
        "floor_jsonl_events_per_s": round(floor_jsonl_rate),
        "peak_rss_bytes": peak,
        "state_bytes": state_bytes,
        "active_viewers": active,
        "bytes_per_viewer": round(state_bytes / max(active, 1)),
        "ledger_balanced": _balanced(engine),
        "journal_entries_to_sink": journal.count,
        "build": build_name(),
    }
    return result


def build_name() -> str:
    """``compiled`` when the engine's core module was loaded from a compiled extension, else ``pure``."""
    path = festengine.engine.core.__file__ or ""
    return "compiled" if path.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)) else "pure"


#: The figures of the compiled build's run added to the report, each as ``compiled_<key>``.
COMPILED_KEYS = (
    "events_per_s",
    "jsonl_events_per_s",
    "reference_events_per_s",
    "ratio_to_reference",
    "ratio_median",
    "ratio_min",
    "ratio_max",
    "us_per_event",
    "jsonl_us_per_event",
    "bytes_per_viewer",
)


def compiled_figures(python: str, argv: list[str]) -> dict[str, Any]:
    """Run this benchmark with another interpreter (the compiled build's) and return its figures as ``compiled_*``."""
    command = [python, str(Path(__file__).resolve()), *argv, "--json"]
    print(f"the compiled build: {python}", file=sys.stderr)
    completed = subprocess.run(command, stdout=subprocess.PIPE, check=True, text=True)  # noqa: S603
    report: dict[str, Any] = json.loads(completed.stdout)
    if report["build"] != "compiled":
        raise SystemExit(f"{python} runs the {report['build']} build, not a compiled one: run make compiled")
    return {f"compiled_{key}": report[key] for key in COMPILED_KEYS}


def _balanced(engine: Engine) -> bool | None:
    economy = engine.components.get("economy")
    if economy is None:
        return None
    balance = economy.ledger.trial_balance()
    return all(Decimal(v) == 0 for v in balance.values())


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--viewers", type=int, default=20_000)
    parser.add_argument("--creators", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rounds", type=int, default=10, help="rounds the engine and the reference alternate in")
    parser.add_argument("--no-streams", action="store_true", help="leave out the streams' starts and ends")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--compiled-python", metavar="PYTHON", help="also run the compiled build with this interpreter and report it"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    compiled: dict[str, Any] = {}
    if args.compiled_python:  # first, so that the two runs do not hold their workloads at once
        same = ["--events", str(args.events), "--viewers", str(args.viewers), "--creators", str(args.creators)]
        same += ["--seed", str(args.seed), "--rounds", str(args.rounds), *(["--no-streams"] if args.no_streams else [])]
        compiled = compiled_figures(args.compiled_python, same)
    result = run(args.events, args.viewers, args.creators, args.seed, streams=not args.no_streams, rounds=args.rounds)
    if compiled:
        result.update(compiled)
        result["compiled_speedup"] = round(compiled["compiled_ratio_to_reference"] / result["ratio_to_reference"], 2)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(
                f"{key:>24}: {value:,}"
                if isinstance(value, int) and not isinstance(value, bool)
                else f"{key:>24}: {value}"
            )


if __name__ == "__main__":
    main()
