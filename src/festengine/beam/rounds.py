"""Bounded input: the pipeline run in rounds until the messages between keys no longer change.

A Beam pipeline is acyclic, and a key's messages may go to a key of an owner kind applied earlier
(a fest's community goal rewarding its viewers). For a bounded input (a file of events), round 1
runs :class:`~festengine.beam.transforms.RunFest` on the events alone; round *k* runs it on the
events and every message round *k - 1* sent, each key recomputed from nothing with all its inputs.
When a round sends exactly the messages the round before sent, every key has seen every message
meant for it and the round's outcomes and journal are the result. A message is caused by an earlier
input of its sender, so a chain of *n* hops is complete after *n + 1* rounds; the number of rounds is
the longest chain plus one (one, while no key sends messages).

A streaming pipeline runs once and feeds its ``messages`` output back as input through a topic
instead (``docs/scale.md``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

import apache_beam as beam
import attrs
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions
from apache_beam.runners.portability.fn_api_runner import worker_handlers

from festengine.beam.owners import KeyModel
from festengine.beam.summary import Tally, read_records
from festengine.beam.transforms import JOURNAL, MESSAGES, OUTCOMES, PROBLEMS, ReadEvents, RunFest
from festengine.catalog.loader import load_fest
from festengine.catalog.model import Fest
from festengine.errors import FestEngineError

__all__ = ["DEFAULT_MAX_ROUNDS", "PipelineRun", "RoundsError", "run_pipeline"]

#: a run whose messages still change after this many rounds is stopped (a chain this long is a bug)
DEFAULT_MAX_ROUNDS: Final = 20
#: how many malformed lines a run keeps to show
_PROBLEMS_KEPT: Final = 20


class RoundsError(FestEngineError):
    """The messages between keys still changed after the most rounds allowed."""


@attrs.frozen
class PipelineRun:
    """What :func:`run_pipeline` did: the rounds it took, the summary it wrote and the first problems."""

    rounds: int
    summary: dict[str, Any]
    problems: tuple[str, ...]


def run_pipeline(
    fest: Fest | str | os.PathLike[str],
    events: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    options: Sequence[str] = (),
    tick: timedelta | None = None,
    max_rounds: int = DEFAULT_MAX_ROUNDS,
    model: KeyModel | None = None,
) -> PipelineRun:
    """Run a fest over a JSON Lines file of events in rounds (see the module), with Beam ``options``
    (``--runner``, ``--direct_num_workers``…), and write ``outcomes.jsonl`` (by key, in each key's
    order), ``journal.jsonl`` (by key and entry id) and ``summary.json`` into ``out_dir``.

    ``tick``: as for :class:`~festengine.beam.transforms.RunFest`, whose stateful ``DoFn`` applies a
    key's due inputs once per tick; by default (``None``) each key gathers its inputs and applies
    them once, since a bounded input's watermark passes every time at once. The result is the same
    (with a tick, the rounds rely on the runner firing a key's timers only after every source's
    inputs reached it). ``model``: how the fest's state is owned (as for ``RunFest``)."""
    compiled = fest if isinstance(fest, Fest) else load_fest(fest)
    out = Path(out_dir)
    work = out / "rounds"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    previous: list[str] = []
    fed_back: Path | None = None
    for number in range(1, max_rounds + 1):
        folder = work / str(number)
        _run_round(
            Path(events), fed_back, folder, options, RunFest(compiled, tick=tick, model=model, bounded=tick is None)
        )
        sent = sorted(set(_lines(folder, MESSAGES)))
        if sent == previous:
            run = _finish(compiled, out, folder, number, len(sent), Path(events))
            shutil.rmtree(work)
            return run
        fed_back = work / f"messages-{number}.jsonl"
        fed_back.write_text("".join(f"{line}\n" for line in sent), encoding="utf-8")
        previous = sent
    raise RoundsError(f"the messages between keys still changed after {max_rounds} rounds")


def _run_round(events: Path, fed_back: Path | None, folder: Path, options: Sequence[str], run_fest: RunFest) -> None:
    pipeline_options = PipelineOptions(list(options))
    with _direct_runner_cache(pipeline_options), beam.Pipeline(options=pipeline_options) as pipeline:
        inputs: dict[str, Any] = {"events": pipeline | "Read events" >> ReadEvents(events)}
        if fed_back is not None:
            inputs["messages"] = pipeline | "Read messages" >> beam.io.ReadFromText(str(fed_back))
        outputs = inputs | "Run fest" >> run_fest
        for tag in (OUTCOMES, JOURNAL, MESSAGES, PROBLEMS):
            outputs[tag] | f"Write {tag}" >> beam.io.WriteToText(str(folder / tag), file_name_suffix=".jsonl")


@contextlib.contextmanager
def _direct_runner_cache(options: PipelineOptions) -> Iterator[None]:
    """On the DirectRunner, run without the SDK harness's state cache.

    The cache weighs every value it keeps by walking it with ``objsize``, which first walks the
    globals of every loaded module: about 5 ms per state access with festengine and Beam loaded,
    more than applying the inputs. Worker processes take ``--max_cache_memory_usage_mb=0``; the
    in-process worker has no option, so its size (a module constant) is set to 0 while the run lasts.
    """
    runner = options.view_as(StandardOptions).runner
    if runner not in (None, "DirectRunner", "direct"):
        yield
        return
    direct = options.view_as(DirectOptions)
    if direct.direct_running_mode == "multi_processing":
        options.view_as(beam.options.pipeline_options.WorkerOptions).max_cache_memory_usage_mb = 0
    saved = worker_handlers.STATE_CACHE_SIZE_MB
    worker_handlers.STATE_CACHE_SIZE_MB = 0
    try:
        yield
    finally:
        worker_handlers.STATE_CACHE_SIZE_MB = saved


def _lines(folder: Path, tag: str) -> Iterator[str]:
    """The lines of every shard a round wrote for ``tag``."""
    for shard in sorted(folder.glob(f"{tag}-*")):
        with shard.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield line.rstrip("\n")


def _finish(fest: Fest, out: Path, folder: Path, rounds: int, messages: int, events: Path) -> PipelineRun:
    """Write the last round's outcomes and journal in a stable order, and the summary."""
    tally = Tally(fest)
    outcomes = sorted((_outcome_place(record), line) for line, record in _records(folder, OUTCOMES))
    with (out / "outcomes.jsonl").open("w", encoding="utf-8") as handle:
        for (_place, line), record in zip(outcomes, read_records(line for _place, line in outcomes), strict=True):
            tally.outcome(record)
            handle.write(line + "\n")
    entries = sorted((_entry_place(record), line) for line, record in _records(folder, JOURNAL))
    with (out / "journal.jsonl").open("w", encoding="utf-8") as handle:
        for (_place, line), record in zip(entries, read_records(line for _place, line in entries), strict=True):
            tally.entry(record)
            handle.write(line + "\n")
    problems = sorted(_lines(folder, PROBLEMS))
    lines_read = sum(1 for line in events.read_text(encoding="utf-8").splitlines() if line.strip())
    summary = tally.summary(rounds=rounds, events=lines_read, malformed=len(problems), messages=messages)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return PipelineRun(rounds, summary, tuple(problems[:_PROBLEMS_KEPT]))


def _records(folder: Path, tag: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for line in _lines(folder, tag):
        yield line, json.loads(line)


def _outcome_place(record: dict[str, Any]) -> tuple[str, int]:
    return (record["key"], record["seq"])


def _entry_place(record: dict[str, Any]) -> tuple[str, int]:
    return (record["key"], record["id"])
