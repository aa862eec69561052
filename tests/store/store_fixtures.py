"""Shared test data for the store tests: the bundled pack and small seeded workloads on it."""

from __future__ import annotations

import functools
from pathlib import Path

from festengine import Event, load_fest
from festengine.catalog.model import Fest
from festengine.sim import workload_events

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"


@functools.cache
def pack_fest() -> Fest:
    return load_fest(PACK)


def workload(events: int, *, viewers: int = 40, creators: int = 4, seed: int = 1) -> list[Event]:
    """A seeded, time-ordered stream on the bundled pack, with each creator's daily streams."""
    return list(
        workload_events(pack_fest(), viewers=viewers, creators=creators, events=events, seed=seed, streams=True)
    )
