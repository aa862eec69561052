"""The scale benchmark: events per second of one engine, of the keyed core sharded over worker
processes, and of the Beam pipeline on the DirectRunner, on the same events.

Usage::

    python benchmarks/scale.py                  # 10,000 events, 2,000 viewers, 40 creators
    python benchmarks/scale.py --events 20000 --json
    python benchmarks/scale.py --no-beam        # only the engine and the sharded keyed core

It generates the engine benchmark's seeded workload (with streams starting and ending) on the bundled
pack, sorted into the keys' order (``(occurred_at, event_id)``), and measures:

* ``engine``: one in-process ``Engine`` applying the events, then advancing to the fest's end, each
  outcome written as JSON as the keyed drivers write theirs (CPU time of this process);
* ``sharded_1`` and ``sharded_2``: the keyed core over 1 and 2 worker processes (``multiprocessing``,
  fork): each event goes to its owner key, each key to the worker its name hashes to, and each worker
  runs its keys' engines (:func:`festengine.beam.keyfold.run_key`) over their inputs; the messages the
  keys send go back to the workers of the keys they name (a message to every viewer, to each viewer
  key), in rounds until they no longer change, as the pipeline's rounds do (wall time, which includes
  starting the workers and the rounds);
* ``beam_1`` and ``beam_2``: ``festengine pipeline``'s work (:func:`festengine.beam.run_pipeline`) on
  the DirectRunner in ``multi_processing`` mode with 1 and 2 workers (wall time, from writing the
  events file to reading the summary; it includes starting the worker processes and the runner).

The scaling ratios are ``sharded_2 / sharded_1`` and ``beam_2 / beam_1`` (1.0: no gain from the second
worker). Each figure is the best of ``--rounds`` runs. The machine this runs on is usually shared: its
load moves the wall-time figures by more than the engine's own variation.

This is a benchmark, not a test: it asserts nothing, it reports.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from festengine import Engine, load_fest
from festengine.beam import run_pipeline
from festengine.beam.keyfold import event_input, input_order, run_key
from festengine.beam.owners import KeyModel
from festengine.catalog.model import Fest
from festengine.engine.outcomes import outcome_to_dict
from festengine.events import Event, dumps_event
from festengine.sim import workload_events

PACK = Path(__file__).resolve().parent.parent / "missions" / "community-fest"
#: the most rounds the sharded driver runs before it gives up (as the pipeline's rounds)
MAX_ROUNDS = 20

# the fest each forked worker process uses (set before the pool forks)
_FEST: Fest | None = None


def measure_engine(fest: Fest, events: Sequence[Event]) -> float:
    """Events per second of one engine (CPU time): the events then the advance to the fest's end, each
    outcome written as the JSON text the keyed drivers emit (``outcome_to_dict``)."""
    started = time.process_time()
    engine = Engine(fest)
    written = 0
    for event in events:
        for outcome in engine.apply(event).outcomes:
            written += len(json.dumps(outcome_to_dict(outcome), separators=(",", ":"), default=str))
    for outcome in engine.advance_to(fest.ends_at).outcomes:
        written += len(json.dumps(outcome_to_dict(outcome), separators=(",", ":"), default=str))
    return len(events) / (time.process_time() - started)


def _run_shard(work: tuple[KeyModel, list[tuple[str, list[str]]]]) -> tuple[int, list[tuple[str, str]]]:
    """In a worker: run each key of the shard over its inputs; (outcomes emitted, messages sent)."""
    if _FEST is None:
        raise RuntimeError("the worker was not forked with a fest")
    model, keys = work
    outcomes = 0
    sent: list[tuple[str, str]] = []
    for key, inputs in keys:
        try:
            run = run_key(_FEST, key, None, 0, inputs, end=True, model=model)
        except Exception as error:  # an engine's errors do not all pickle back to the pool: say it in text
            raise RuntimeError(f"key {key}: {error!r}") from None
        outcomes += len(run.outcomes)
        sent.extend(run.messages)
    return outcomes, sent


def _shard_of(key: str, workers: int) -> int:
    return zlib.crc32(key.encode("utf-8")) % workers


def run_sharded(fest: Fest, events: Sequence[Event], workers: int, model: KeyModel) -> tuple[int, int]:
    """The keyed core over ``workers`` processes, in rounds; (rounds, outcomes of the last round)."""
    global _FEST  # noqa: PLW0603 (what the forked workers read)
    _FEST = fest
    by_key: dict[str, list[str]] = {}
    for event in events:
        by_key.setdefault(model.route(fest, event), []).append(event_input(event))
    previous: list[tuple[str, str]] = []
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        for number in range(1, MAX_ROUNDS + 1):
            inputs = model.round_inputs(by_key, previous)
            shards: list[list[tuple[str, list[str]]]] = [[] for _ in range(workers)]
            for key in sorted(inputs):
                shards[_shard_of(key, workers)].append((key, inputs[key]))
            results = pool.map(_run_shard, [(model, shard) for shard in shards])
            sent = sorted({message for _outcomes, messages in results for message in messages})
            if sent == previous:
                return number, sum(outcomes for outcomes, _messages in results)
            previous = sent
    raise RuntimeError(f"the messages between keys still changed after {MAX_ROUNDS} rounds")


def measure_sharded(fest: Fest, events: Sequence[Event], workers: int, model: KeyModel) -> tuple[float, int]:
    """Events per second (wall time) of the sharded keyed core, and the rounds it took."""
    started = time.perf_counter()
    rounds, _outcomes = run_sharded(fest, events, workers, model)
    return len(events) / (time.perf_counter() - started), rounds


def measure_beam(fest: Fest, events: Sequence[Event], workers: int, folder: Path, model: KeyModel) -> tuple[float, int]:
    """Events per second (wall time) of the pipeline on the DirectRunner with ``workers`` processes."""
    path = folder / "events.jsonl"
    path.write_text("".join(dumps_event(event) + "\n" for event in events), encoding="utf-8")
    options = ["--runner=DirectRunner", "--direct_running_mode=multi_processing", f"--direct_num_workers={workers}"]
    started = time.perf_counter()
    run = run_pipeline(fest, path, folder / f"out-{workers}", options=options, model=model)
    return len(events) / (time.perf_counter() - started), run.rounds


def best(rounds: int, measure: Callable[[], tuple[float, int]]) -> tuple[float, int]:
    """The best events-per-second figure of ``rounds`` runs (and the pipeline rounds it took)."""
    return max((measure() for _ in range(rounds)), key=lambda figure: figure[0])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--viewers", type=int, default=2_000)
    parser.add_argument("--creators", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each measurement; the best counts")
    parser.add_argument("--no-beam", action="store_true", help="skip the DirectRunner measurements")
    parser.add_argument(
        "--split-by-owner",
        action="store_true",
        help="split the fest by owner key (viewers and the fest), as the owner split stands, instead of the "
        "default key model",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    fest = load_fest(PACK)
    model = KeyModel(split=True) if args.split_by_owner else KeyModel()
    generated = workload_events(
        fest, viewers=args.viewers, creators=args.creators, events=args.events, seed=args.seed, streams=True
    )
    events = sorted(generated, key=lambda event: input_order(event_input(event)))
    report: dict[str, Any] = {"events": len(events), "viewers": args.viewers, "creators": args.creators,
                              "keys": len({model.route(fest, event) for event in events}),
                              "owner_kinds": list(model.owner_kinds())}  # fmt: skip
    report["engine"] = max(measure_engine(fest, events) for _ in range(args.rounds))
    for workers in (1, 2):
        report[f"sharded_{workers}"], report["sharded_rounds"] = best(
            args.rounds, lambda workers=workers: measure_sharded(fest, events, workers, model)
        )
    report["sharded_scaling"] = report["sharded_2"] / report["sharded_1"]
    if not args.no_beam:
        with tempfile.TemporaryDirectory(prefix="festengine-scale-bench-") as folder:
            for workers in (1, 2):
                report[f"beam_{workers}"], report["beam_rounds"] = best(
                    args.rounds, lambda workers=workers: measure_beam(fest, events, workers, Path(folder), model)
                )
        report["beam_scaling"] = report["beam_2"] / report["beam_1"]
    if args.json:
        print(json.dumps(report))
        return
    print(f"{report['events']:,} events, {report['keys']:,} keys of {', '.join(report['owner_kinds'])}")
    print(f"engine (one process, CPU time):      {report['engine']:>10,.0f} events/s")
    for workers in (1, 2):
        print(f"keyed core, {workers} worker(s) (wall time): {report[f'sharded_{workers}']:>10,.0f} events/s")
    print(f"  scaling 2/1: {report['sharded_scaling']:.2f} ({report['sharded_rounds']} rounds)")
    if not args.no_beam:
        for workers in (1, 2):
            print(f"DirectRunner, {workers} worker(s) (wall):  {report[f'beam_{workers}']:>10,.0f} events/s")
        print(f"  scaling 2/1: {report['beam_scaling']:.2f} ({report['beam_rounds']} rounds)")


if __name__ == "__main__":
    main()
