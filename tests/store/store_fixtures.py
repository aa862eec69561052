"""Shared test data for the store tests: the bundled pack and small seeded workloads on it."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from festengine import Event, load_fest
from festengine.catalog.model import Fest
from festengine.events import dumps_event
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


def stream_lines(events: int, *, viewers: int = 40, creators: int = 4, seed: int = 1) -> list[str]:
    """JSON Lines of a workload with what real feeds add: repeated lines (at-least-once delivery), a
    malformed line, and refunds sent before their purchase (refused: unknown order) and again after it."""
    stream = workload(events, viewers=viewers, creators=creators, seed=seed)
    lines = [dumps_event(event) for event in stream]
    purchases = [i for i, event in enumerate(stream) if event.type == "purchase"][:20]
    for index in reversed(purchases):
        purchase = stream[index]
        refund = json.dumps({
            "event_id": f"refund-{purchase.order_id}", "type": "refund", "user_id": purchase.user_id,
            "occurred_at": purchase.occurred_at.isoformat(), "order_id": purchase.order_id, "amount": "1.00",
        })  # fmt: skip
        lines.insert(index + 1, refund)
        lines.insert(index, refund)
    for index in range(len(lines) - 1, 200, -97):
        lines.insert(index, lines[index - 150])
    lines.insert(len(lines) // 3, '{"event_id": "broken", "type": ')
    return lines
