"""festengine: a deterministic engine for gamified live-shopping fests.

Designers describe a fest in YAML (``load_fest``); backends feed it events (``parse_event``,
``read_events``) through an :class:`Engine` and get typed outcomes back (all of them are in
:mod:`festengine.outcomes`). Everything listed in
``__all__`` is the public API; other modules are importable but not promised.
"""

from __future__ import annotations

from festengine.assembly import Engine
from festengine.catalog.loader import load_fest
from festengine.catalog.model import Fest
from festengine.economy.ledger import JournalEntry, Ledger
from festengine.economy.money import Money
from festengine.engine.core import Step
from festengine.engine.missions import MissionStatus
from festengine.engine.outcomes import Outcome, outcome_to_dict
from festengine.errors import (
    EngineFailedError,
    EventParseError,
    EventProblem,
    FestEngineError,
    FestValidationError,
    IllegalTransitionError,
    InvalidTimeError,
    Problem,
    SnapshotError,
    UnbalancedEntryError,
    UpgradeRefusedError,
)
from festengine.events import Event, EventReader, event_to_dict, parse_event, read_events
from festengine.social.community import CommunityGoalStatus
from festengine.social.fanclub import FanClubMembership
from festengine.social.journeys import JourneyProgress
from festengine.social.leaderboards import LeaderboardEntry, LeaderboardPosition
from festengine.social.promotions import ActivePromotion

__version__ = "0.1.0.dev0"

__all__ = [
    "ActivePromotion",
    "CommunityGoalStatus",
    "Engine",
    "EngineFailedError",
    "Event",
    "EventParseError",
    "EventProblem",
    "EventReader",
    "FanClubMembership",
    "Fest",
    "FestEngineError",
    "FestValidationError",
    "IllegalTransitionError",
    "InvalidTimeError",
    "JournalEntry",
    "JourneyProgress",
    "LeaderboardEntry",
    "LeaderboardPosition",
    "Ledger",
    "MissionStatus",
    "Money",
    "Outcome",
    "Problem",
    "SnapshotError",
    "Step",
    "UnbalancedEntryError",
    "UpgradeRefusedError",
    "__version__",
    "event_to_dict",
    "load_fest",
    "outcome_to_dict",
    "parse_event",
    "read_events",
]
