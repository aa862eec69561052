"""Quick start: load the bundled pack, feed a few events, read the outcomes and the viewer's state.

Run it with ``python examples/quickstart.py``.
"""

from __future__ import annotations

from pathlib import Path

import festengine

PACK = Path(__file__).resolve().parent.parent / "missions" / "community-fest"

EVENTS = [
    '{"event_id": "e1", "type": "like", "occurred_at": "2026-06-16T03:00:00Z",'
    ' "user_id": "ana", "creator_id": "cora", "stream_id": "cora-1", "count": 50}',
    '{"event_id": "e2", "type": "like", "occurred_at": "2026-06-16T03:01:00Z",'
    ' "user_id": "ana", "creator_id": "cora", "stream_id": "cora-1", "count": 50}',
    # the feed delivers e2 again: the engine says Duplicate and changes nothing
    '{"event_id": "e2", "type": "like", "occurred_at": "2026-06-16T03:01:00Z",'
    ' "user_id": "ana", "creator_id": "cora", "stream_id": "cora-1", "count": 50}',
    '{"event_id": "e3", "type": "gift", "occurred_at": "2026-06-16T03:02:00Z", "user_id": "ana",'
    ' "creator_id": "cora", "stream_id": "cora-1", "gift_id": "rose", "repeat_count": 1, "repeat_end": true}',
]


def main() -> None:
    fest = festengine.load_fest(PACK)
    engine = festengine.Engine(fest)
    for line in EVENTS:
        step = engine.apply(festengine.parse_event(line))
        kinds = [outcome.kind for outcome in step.outcomes]
        print(f"{step.event_id}: {', '.join(kinds) or 'nothing'}")
    print("points:", engine.points("ana"))
    done = [row.mission_id for row in engine.missions("ana") if row.completions]
    print("missions completed:", ", ".join(done))
    print("cora's gift earnings:", engine.balance("creator:cora:gift_earnings"))
    print("books balance:", all(amount == 0 for amount in engine.ledger.trial_balance().values()))


if __name__ == "__main__":
    main()
