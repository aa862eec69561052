"""Run a fest on Apache Beam (the optional extra ``festengine[beam]``): state owned by keys, one
stateful ``DoFn`` per owner kind, messages between keys through a feedback output.

* :class:`RunFest`: the ``PTransform``, from a ``PCollection`` of events (or :class:`ReadEvents` of a
  JSON Lines file) to ``outcomes``, ``journal``, ``messages`` and ``problems`` (JSON text);
* :func:`run_pipeline`: the ``festengine pipeline`` command's work for bounded input: runs the
  pipeline in rounds, each fed the messages of the one before, until the messages no longer change,
  and writes ``outcomes.jsonl``, ``journal.jsonl`` and ``summary.json``.

Nothing else in festengine imports this package: the engine runs without Beam installed. See
``docs/scale.md``.
"""

from __future__ import annotations

from festengine.beam.rounds import PipelineRun, run_pipeline
from festengine.beam.transforms import JOURNAL, MESSAGES, OUTCOMES, PROBLEMS, TAGS, ReadEvents, RunFest

__all__ = [
    "JOURNAL",
    "MESSAGES",
    "OUTCOMES",
    "PROBLEMS",
    "TAGS",
    "PipelineRun",
    "ReadEvents",
    "RunFest",
    "run_pipeline",
]
