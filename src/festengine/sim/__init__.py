"""The seeded fest simulator: believable fests as event streams, and the benchmark workload.

* :func:`simulate_events`: an agent-based fest (viewers' profiles, creators, viewers, streams, gifts,
  shopping, duplicates and late deliveries), deterministic for a seed, as a constant-memory generator.
* :func:`workload_events`: the engine benchmark's workload, an exact count and mix of events.
* :func:`festengine.sim.run.simulate_to_dir`: the ``festengine simulate`` command's work: events
  through the engine, analytics, and the report.
"""

from __future__ import annotations

from festengine.sim.feed import FeedRates
from festengine.sim.profiles import ProfileRates
from festengine.sim.simulator import SimRates, SimulationError, horizon_of, simulate_events
from festengine.sim.workload import DEFAULT_MIX, mix_counts, workload_events

__all__ = [
    "DEFAULT_MIX",
    "FeedRates",
    "ProfileRates",
    "SimRates",
    "SimulationError",
    "horizon_of",
    "mix_counts",
    "simulate_events",
    "workload_events",
]
