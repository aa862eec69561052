"""Viewer missions: measures, windows, prerequisites, repeats, claims and rewards.

One module per concept: :mod:`.state` (a mission instance, a viewer's missions, an open window's
table), :mod:`.rules` (the missions compiled per event type), :mod:`.book` (where the state is
kept), :mod:`.counting`, :mod:`.closing` (windows and timers), :mod:`.claims`,
:mod:`.prerequisites`, :mod:`.queries`, :mod:`.snapshot` and :mod:`.shapes`, wired together by
:class:`Missions` in :mod:`.component`.
"""

from festengine.engine.missions.component import Missions
from festengine.engine.missions.counting import longest_run
from festengine.engine.missions.prerequisites import LevelReached, ViewerFacts
from festengine.engine.missions.queries import MissionStatus
from festengine.engine.missions.state import (
    DistinctInstance,
    MissionInstance,
    StreakInstance,
    ViewerMissions,
    WindowTable,
)

__all__ = [
    "DistinctInstance",
    "LevelReached",
    "MissionInstance",
    "MissionStatus",
    "Missions",
    "StreakInstance",
    "ViewerFacts",
    "ViewerMissions",
    "WindowTable",
    "longest_run",
]
