"""The composition root: :class:`Engine` is the engine's core with the default components assembled.

The core (:mod:`festengine.engine.core`) runs whatever components it is given and knows no
mechanic; this module is the one place that knows them all and how they are wired:

* ``eligibility`` (viewer profiles, and the gate that refuses actions of viewers who may not take part),
  ``gifts`` (gift streaks), ``profiles`` (badges and points), ``economy`` (money), ``social``
  (Fan Clubs, journeys, community goals, scoring, leaderboards, promotions) and ``missions``,
  in that order (a handler of an earlier component runs first for the same event);
* the ports one component needs from another, handed over here as constructor arguments: missions
  ask profiles and Fan Clubs about a viewer (:class:`~festengine.engine.missions.ViewerFacts`),
  Fan Clubs award badges through profiles; missions unlock on the social layer's ``LevelChanged``
  outcome, whose type they are handed (the engine's core does not know the social layer).

Everything else travels as outcomes (subscriptions) and rewards (routed by kind) inside a step.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from festengine.catalog.model import Fest
from festengine.economy.component import Economy
from festengine.economy.credits import CreditLotView
from festengine.economy.journal import JournalSink
from festengine.economy.ledger import JournalEntry, Ledger
from festengine.economy.money import Money
from festengine.economy.upgrade import EconomyUpgrade
from festengine.engine.core import DEFAULT_MAX_BYTES, EngineCore, Step, restoring
from festengine.engine.eligibility import Eligibility, ViewerProfile
from festengine.engine.gifts import GiftStreaks
from festengine.engine.keys import ALL_OWNERS, Owner
from festengine.engine.missions import Missions, MissionStatus
from festengine.engine.missions.upgrade import MissionsUpgrade
from festengine.engine.outcomes import Outcome
from festengine.engine.profile import Profiles
from festengine.engine.profile_upgrade import ProfilesUpgrade
from festengine.engine.upgrade import ComponentUpgrade, UpgradePlan, plan_upgrade, upgrade_engine
from festengine.social.community import CommunityGoalStatus
from festengine.social.component import Social
from festengine.social.fanclub import FanClubMembership
from festengine.social.journeys import JourneyProgress
from festengine.social.leaderboards import LeaderboardEntry, LeaderboardPosition
from festengine.social.outcomes import LevelChanged
from festengine.social.promotions import ActivePromotion
from festengine.social.upgrade import SocialUpgrade

__all__ = ["Engine"]


class _ViewerFacts:
    """What missions' prerequisites read about a viewer: badges from profiles, levels from Fan Clubs."""

    __slots__ = ("_profiles", "_social")

    def __init__(self, profiles: Profiles, social: Social) -> None:
        self._profiles = profiles
        self._social = social

    def has_badge(self, user_id: str, badge_id: str, tier: str) -> bool:
        return self._profiles.has_badge(user_id, badge_id, tier)

    def fan_club_level(self, user_id: str) -> int:
        return self._social.fan_club_level(user_id)


class Engine(EngineCore):
    """Runs one fest: feed it events (:meth:`apply`), read what happened (:class:`Step`) and ask it
    questions (missions, badges, money, Fan Clubs, goals, boards, promotions).

    ``leave_out``: outcome types a step does not record, for a backend that never reads them (for
    example ``MissionProgressed``); the state and every other outcome are the same. ``journal``: where
    the ledger's journal entries go (default: kept in memory, readable and in snapshots; any object
    with ``append(entry)``, see :class:`~festengine.economy.journal.JournalSink`). Not thread-safe:
    give each fest (or shard of keys) its own engine. ``owners``: the owner kinds whose state this
    engine holds (default all; see :mod:`festengine.engine.keys` and :mod:`festengine.keyed`).
    """

    def __init__(
        self,
        fest: Fest,
        *,
        leave_out: Collection[type[Outcome]] = (),
        journal: JournalSink | None = None,
        owners: Collection[Owner] = ALL_OWNERS,
    ) -> None:
        self._journal = journal
        self._eligibility = Eligibility(fest)
        self._gifts = GiftStreaks(fest)
        self._profiles = Profiles(fest)
        self._economy = Economy(fest, journal=journal)
        self._social = Social(fest, badges=self._profiles, funds=self._economy)
        facts = _ViewerFacts(self._profiles, self._social)
        self._missions = Missions(fest, facts=facts, level_changed=LevelChanged)
        # the economy is not split by owner yet: it runs whole with the viewers (exact with one viewer shard)
        money = (self._economy,) if Owner.VIEWER in frozenset(owners) else ()
        parts = (self._eligibility, self._gifts, self._profiles, *money, self._social, self._missions)
        super().__init__(fest, parts, leave_out=leave_out, owners=owners)

    @classmethod
    def restore(
        cls,
        fest: Fest,
        data: bytes,
        *,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        leave_out: Collection[type[Outcome]] = (),
        journal: JournalSink | None = None,
        owners: Collection[Owner] = ALL_OWNERS,
    ) -> Engine:
        """An engine in exactly the state a snapshot recorded, for the same fest.

        The snapshot is untrusted input: it may inflate to at most ``max_bytes`` (default 1 GiB;
        ``None``: no limit), and every field is checked before it is used. Anything wrong with the
        data raises :class:`~festengine.errors.SnapshotError`, and only that (a ``max_bytes`` that is
        not a positive whole number or ``None`` is a ``ValueError``). ``leave_out``, ``journal`` and
        ``owners`` are as for a new engine; the snapshot's journal entries are not handed to ``journal`` again.
        """
        with restoring():  # the components start from the snapshot, not anew (no second budget funding)
            if frozenset(owners) != ALL_OWNERS:
                engine = cls(fest, leave_out=leave_out, journal=journal, owners=owners)
            elif leave_out or journal is not None:
                engine = cls(fest, leave_out=leave_out, journal=journal)
            else:
                engine = cls(fest)  # subclasses may take only the fest
        engine._load_snapshot(data, max_bytes)
        return engine

    # ------------------------------------------------------------------ changing the pack

    def plan_upgrade(self, fest: Fest) -> UpgradePlan:
        """What :meth:`upgrade` to ``fest`` would do, or why it is refused; changes nothing."""
        return plan_upgrade(self, fest, _upgrade_hooks(self.fest, fest))

    def upgrade(self, fest: Fest) -> Step:
        """Move this running fest to a changed pack, at the engine's time (its clock), and say what it did.

        Every kind of change has a documented rule (``docs/upgrades.md``): text is free, a mission added
        starts now, a removed one's instances end (``MissionWithdrawn``), a target keeps progress and
        completions are re-checked now, a budget's difference is posted, and so on. A change that cannot
        be applied safely raises :class:`~festengine.errors.UpgradeRefusedError` naming it, and the engine
        is left exactly as it was. The new state is built beside the old one and put in place whole.
        Upgrading to the same pack changes nothing.
        """
        upgraded, _plan, outcomes = upgrade_engine(self, fest, self._rebuilt, _upgrade_hooks(self.fest, fest))
        state = vars(self)
        state.clear()
        state.update(vars(upgraded))  # components hold no reference to the engine: their state moves whole
        return Step(None, tuple(outcomes))

    def _rebuilt(self, fest: Fest) -> Engine:
        if self.owners != ALL_OWNERS:
            return type(self)(fest, leave_out=self.left_out, journal=self._journal, owners=self.owners)
        if self.left_out or self._journal is not None:
            return type(self)(fest, leave_out=self.left_out, journal=self._journal)
        return type(self)(fest)  # subclasses may take only the fest

    def __reduce__(self) -> tuple[Any, ...]:
        # pickles and copies carry the fest, a snapshot and what steps leave out (a failed engine
        # refuses, like snapshot())
        if self.owners != ALL_OWNERS:
            owners = tuple(sorted(self.owners))
            return (_restored, (type(self), self.fest, self.snapshot(), tuple(self.left_out), owners))
        return (_restored, (type(self), self.fest, self.snapshot(), tuple(self.left_out)))

    # ------------------------------------------------------------------ queries: viewers

    def missions(self, user_id: str) -> list[MissionStatus]:
        """A viewer's missions with state and progress, in pack order."""
        return self._missions.status(user_id)

    def badges(self, user_id: str) -> dict[str, str]:
        """A viewer's badges: badge id -> highest tier held."""
        return self._profiles.badges(user_id)

    def points(self, user_id: str) -> int:
        """A viewer's fest points."""
        return self._profiles.points(user_id)

    def viewer_profile(self, user_id: str) -> ViewerProfile | None:
        """A viewer's latest ``viewer_profile`` (birth date, age verified, region), or ``None`` if none came."""
        return self._eligibility.profile(user_id)

    # ------------------------------------------------------------------ queries: money

    @property
    def ledger(self) -> Ledger:
        """The fest's double-entry ledger: balances, journal entries and ``trial_balance()``."""
        return self._economy.ledger

    def balance(self, account: str) -> Money:
        """The balance of a ledger account, e.g. ``viewer:u1:credits`` or ``creator:c1:commission_settled``."""
        return self._economy.balance(account)

    def entries(self, party: str) -> tuple[JournalEntry, ...]:
        """The journal entries touching a party (``viewer:u1``, ``creator:c1``…) or one account."""
        return self._economy.entries(party)

    def budget_left(self, budget_id: str) -> Money:
        """What is left in a named budget."""
        return self._economy.budget_left(budget_id)

    def credits(self, user_id: str) -> list[CreditLotView]:
        """A viewer's unspent shopping credit, lot by lot (amount, expiry or ``None``, budget), in the
        order a purchase spends them; the amounts add up to ``balance('viewer:<id>:credits')``."""
        return self._economy.credits(user_id)

    # ------------------------------------------------------------------ queries: social

    def fan_clubs(self, user_id: str) -> list[FanClubMembership]:
        """A viewer's Fan Club memberships (level, points, paused or active)."""
        return self._social.fan_club_memberships(user_id)

    def fan_club_members(self, creator_id: str) -> dict[int, list[FanClubMembership]]:
        """A creator's Fan Club members, by level."""
        return self._social.fan_club_members(creator_id)

    def journeys(self, user_id: str) -> list[JourneyProgress]:
        """A viewer's progress on every LIVE Journey, with the next step to take."""
        return self._social.journeys_of(user_id)

    def community_goal(self, mission_id: str, subject_id: str, window: str | None = None) -> CommunityGoalStatus | None:
        """A community goal of a creator or stream: total, level, top contributors."""
        return self._social.community_goal(mission_id, subject_id, window)

    def community_goals(self, subject_id: str | None = None) -> list[CommunityGoalStatus]:
        """Every community goal that started (of one creator or stream, if given)."""
        return self._social.community_goals(subject_id)

    def leaderboard(
        self, board_id: str, scope_id: str | None = None, day: date | None = None, limit: int | None = None
    ) -> list[LeaderboardEntry]:
        """A board's top entries (ties: earlier reach wins); daily boards: the clock's day by default."""
        return self._social.leaderboard(board_id, scope_id, day, limit, now=self.clock)

    def leaderboard_position(
        self, board_id: str, entity_id: str, scope_id: str | None = None, day: date | None = None, around: int = 2
    ) -> LeaderboardPosition | None:
        """A viewer's or creator's rank on a board and the entries around it."""
        return self._social.leaderboard_position(board_id, entity_id, scope_id, day, around, now=self.clock)

    def active_promotions(
        self,
        user_id: str,
        at: datetime,
        product_id: str | None = None,
        category: str | None = None,
        stream_id: str | None = None,
    ) -> list[ActivePromotion]:
        """The promotions that apply to a viewer at ``at``."""
        return self._social.active_promotions(user_id, at, product_id, category, stream_id)


def _upgrade_hooks(old: Fest, new: Fest) -> dict[str, ComponentUpgrade]:
    """The upgrade hook of each default component (gift streaks carry their state as it is)."""
    return {
        Profiles.name: ProfilesUpgrade(old, new),
        Economy.name: EconomyUpgrade(old, new),
        Social.name: SocialUpgrade(old, new),
        Missions.name: MissionsUpgrade(old, new),
    }


def _restored(
    cls: type[Engine],
    fest: Fest,
    data: bytes,
    leave_out: tuple[type[Outcome], ...] = (),
    owners: tuple[Owner, ...] = tuple(ALL_OWNERS),
) -> Engine:
    """How a pickled or copied engine comes back: restored from its own snapshot."""
    if frozenset(owners) != ALL_OWNERS:
        return cls.restore(fest, data, max_bytes=None, leave_out=leave_out, owners=owners)
    return cls.restore(fest, data, max_bytes=None, leave_out=leave_out)
