"""Where mapped events go: an engine in memory, festengine's durable store, or JSON Lines."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol, TextIO

from festengine import Engine, Event, Fest, FestEngineError, Step, event_to_dict

__all__ = ["EngineSink", "JsonLinesSink", "Sink", "TikTokAdapterError", "open_store"]


class TikTokAdapterError(FestEngineError):
    """The adapter cannot run as asked (no store in this festengine, a store that cannot open…)."""


class Sink(Protocol):
    """Takes mapped events in order. ``FestStore`` of ``festengine.store`` is one, as is :class:`EngineSink`."""

    def apply_batch(self, events: Sequence[Event]) -> Sequence[Step]:
        """Apply the events in order; the steps, or none for a sink that runs no engine."""
        ...


class EngineSink:
    """An :class:`~festengine.Engine` in memory: for tests and trials (its state is lost on exit)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def apply_batch(self, events: Sequence[Event]) -> list[Step]:
        return [self.engine.apply(event) for event in events]


class JsonLinesSink:
    """Writes each event as one JSON line (the wire format), for another process to apply."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def apply_batch(self, events: Sequence[Event]) -> list[Step]:
        for event in events:
            self.stream.write(json.dumps(event_to_dict(event), ensure_ascii=False) + "\n")
        self.stream.flush()
        return []


@contextlib.contextmanager
def open_store(path: Path, fest: Fest) -> Iterator[Sink]:
    """festengine's durable store at ``path``, for ``fest``; closed on exit.

    The store keeps the engine's state and the ids of applied events on disk, so a restart or a
    reconnect that delivers a message again applies nothing twice.
    """
    try:
        from festengine.store import FestStore, StoreError
    except ImportError as error:
        raise TikTokAdapterError(
            "this festengine has no durable store (festengine.store); upgrade festengine, "
            "or leave out --db to print JSON Lines"
        ) from error
    try:
        store = FestStore.open(path, fest)
    except StoreError as error:
        raise TikTokAdapterError(f"cannot open the store {path}: {error}") from error
    with store:
        yield store
