"""The store benchmark: events/s through ``FestStore`` against the in-memory engine, and over HTTP.

Usage::

    python benchmarks/store.py                    # 30,000 events, 2,000 viewers, 40 creators, 3 rounds
    python benchmarks/store.py --events 100000 --json

It generates a seeded workload on the bundled pack (``festengine.sim.workload_events`` with each
creator's daily streams), then, in one process and on the same parsed events, runs interleaved
rounds of

* the in-memory ``Engine`` (the reference);
* ``FestStore`` with batches of 1, 100 and 1,000 events (a new file each round, default options:
  WAL, ``synchronous=FULL``, a snapshot every 10,000 events at least, at most 10% of the write
  path's CPU time; ``--snapshot-every`` and ``--snapshot-overhead`` change those, ``--batches`` the
  sizes), each twice: given the parsed events alone (``store_batch_N``: the store writes each
  accepted event's JSON for the log) and given them with the JSON lines they were parsed from
  (``store_batch_N_text``: as ``festengine ingest`` and ``POST /events`` do; the log keeps the line);

and reports for each its median CPU time (``time.process_time``) and wall time per round, events/s,
and its ratio to the engine (engine CPU time / store CPU time, medians), with the spread: the lowest
and highest CPU time, and the lowest and highest ratio of one round's engine run to the same round's
store run (``ratio_per_round``). Wall time includes the fsync of each
commit, which depends on the disk, not on festengine. Then it starts ``festengine serve`` on
127.0.0.1 with a free port and posts the events as JSON Lines in batches of 100 from one client, and
reports HTTP events/s (wall time). ``--no-http`` skips that part (it needs the ``serve`` extra).
``--collector long-run`` runs the engine and the store alike under the garbage collector settings of
``festengine ingest`` (``festengine._collector``) instead of Python's defaults.

This is a benchmark, not a test: it asserts nothing, it reports.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from festengine import Engine, Event, load_fest
from festengine._collector import long_run_collector
from festengine.catalog.model import Fest
from festengine.events import dumps_event
from festengine.sim import workload_events
from festengine.store import FestStore

PACK = Path(__file__).resolve().parent.parent / "missions" / "community-fest"
BATCHES = (1, 100, 1000)
RunFn = Callable[[Fest, list[Event], Path], None]


def _engine_run(fest: Fest, events: list[Event], _folder: Path) -> None:
    engine = Engine(fest)
    for event in events:
        engine.apply(event)


def _store_run(batch: int, snapshot_every: int, snapshot_overhead: float | None, lines: list[bytes] | None) -> RunFn:
    """The store at one batch size; with ``lines``, each event comes with the JSON line it was parsed
    from, as ``festengine ingest`` and ``POST /events`` give it (the log keeps that line as it is)."""

    def run(fest: Fest, events: list[Event], folder: Path) -> None:
        path = folder / f"store-{batch}-{time.monotonic_ns()}.db"
        with FestStore.open(path, fest, snapshot_every=snapshot_every, snapshot_overhead=snapshot_overhead) as store:
            for start in range(0, len(events), batch):
                chunk = None if lines is None else lines[start : start + batch]
                store.apply_batch(events[start : start + batch], texts=chunk)

    return run


def _timed(
    run: Callable[[Fest, list[Event], Path], None], fest: Fest, events: list[Event], folder: Path, *, long_run: bool
) -> tuple[float, float]:
    """CPU and wall time of one run; with ``long_run``, under the collector settings of the command
    line's long runs (``festengine ingest``, ``replay``), entered and left outside the timing."""
    with long_run_collector() if long_run else contextlib.nullcontext():
        wall, cpu = time.perf_counter(), time.process_time()
        run(fest, events, folder)
        return time.process_time() - cpu, time.perf_counter() - wall


def measure_store(
    fest: Fest,
    events: list[Event],
    rounds: int,
    folder: Path,
    *,
    batches: tuple[int, ...] = BATCHES,
    snapshot_every: int = 10_000,
    snapshot_overhead: float | None = 0.1,
    long_run: bool = False,
) -> dict[str, Any]:
    """Interleaved rounds of the engine and the store at each batch size, given the events alone and
    given them with their JSON lines (``_text``); medians of CPU and wall time."""
    lines = [dumps_event(event).encode() for event in events]
    runs: dict[str, RunFn] = {"engine": _engine_run}
    for size in batches:
        runs[f"store_batch_{size}"] = _store_run(size, snapshot_every, snapshot_overhead, None)
        runs[f"store_batch_{size}_text"] = _store_run(size, snapshot_every, snapshot_overhead, lines)
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    wall: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            spent_cpu, spent_wall = _timed(run, fest, events, folder, long_run=long_run)
            cpu[name].append(spent_cpu)
            wall[name].append(spent_wall)
    engine_cpu = statistics.median(cpu["engine"])
    report: dict[str, Any] = {}
    for name in runs:
        median_cpu, median_wall = statistics.median(cpu[name]), statistics.median(wall[name])
        per_round = [engine / spent for engine, spent in zip(cpu["engine"], cpu[name], strict=True)]
        report[name] = {
            "cpu_s": round(median_cpu, 4),
            "cpu_s_range": [round(min(cpu[name]), 4), round(max(cpu[name]), 4)],
            "wall_s": round(median_wall, 4),
            "events_per_cpu_s": round(len(events) / median_cpu),
            "events_per_wall_s": round(len(events) / median_wall),
            "ratio_to_engine": round(engine_cpu / median_cpu, 3),
            "ratio_per_round": [round(min(per_round), 3), round(max(per_round), 3)],
        }
    return report


def measure_http(pack: Path, events: list[Event], folder: Path, batch: int = 100) -> dict[str, Any]:
    """Post the events to a real ``festengine serve`` in batches; events/s over wall time."""
    import httpx

    from festengine.store.serving import running_server

    lines = [dumps_event(event) for event in events]
    with running_server(pack, folder / "http.db") as base_url, httpx.Client(base_url=base_url, timeout=60) as client:
        started = time.perf_counter()
        for start in range(0, len(lines), batch):
            body = "\n".join(lines[start : start + batch])
            client.post("/events", content=body, headers={"content-type": "application/x-ndjson"}).raise_for_status()
        spent = time.perf_counter() - started
    return {"http_batch": batch, "http_wall_s": round(spent, 3), "http_events_per_s": round(len(events) / spent)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--viewers", type=int, default=2_000)
    parser.add_argument("--creators", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batches", default="1,100,1000", help="batch sizes, comma-separated")
    parser.add_argument("--snapshot-every", type=int, default=10_000, help="the store's snapshot_every")
    parser.add_argument(
        "--snapshot-overhead", type=float, default=0.1, help="the store's snapshot_overhead (0: none, a fixed interval)"
    )
    parser.add_argument(
        "--collector",
        choices=("default", "long-run"),
        default="default",
        help="the garbage collector's settings for every run: Python's defaults, or those of festengine ingest",
    )
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP measurement")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    fest = load_fest(PACK)
    events = list(
        workload_events(
            fest, viewers=args.viewers, creators=args.creators, events=args.events, seed=args.seed, streams=True
        )
    )
    with tempfile.TemporaryDirectory(prefix="festengine-store-bench-") as folder:
        overhead = args.snapshot_overhead or None
        report: dict[str, Any] = {"events": len(events), "viewers": args.viewers, "rounds": args.rounds,
                                  "snapshot_every": args.snapshot_every, "snapshot_overhead": overhead,
                                  "collector": args.collector}  # fmt: skip
        batches = tuple(int(size) for size in args.batches.split(","))
        report.update(measure_store(fest, events, args.rounds, Path(folder), batches=batches,
                                    snapshot_every=args.snapshot_every, snapshot_overhead=overhead,
                                    long_run=args.collector == "long-run"))  # fmt: skip
        if not args.no_http:
            report.update(measure_http(PACK, events, Path(folder)))
    if args.json:
        print(json.dumps(report))
        return
    for key, value in report.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main(sys.argv[1:])
