"""Snapshot and restore: a run cut in two and resumed equals the uninterrupted run, byte for byte.

Run it with ``python examples/snapshot_restore.py``.
"""

from __future__ import annotations

from pathlib import Path

import festengine
from festengine.sim import simulate_events

PACK = Path(__file__).resolve().parent.parent / "missions" / "community-fest"


def main() -> None:
    fest = festengine.load_fest(PACK)
    events = list(simulate_events(fest, viewers=80, creators=4, days=2, seed=11))
    half = len(events) // 2

    whole = festengine.Engine(fest)
    for event in events:
        whole.apply(event)

    first = festengine.Engine(fest)
    for event in events[:half]:
        first.apply(event)
    saved = first.snapshot()  # bytes: store them anywhere
    resumed = festengine.Engine.restore(fest, saved)
    for event in events[half:]:
        resumed.apply(event)

    same = resumed.snapshot() == whole.snapshot()
    print(f"{len(events)} events, cut after {half}: resumed run identical to the whole run: {same}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
