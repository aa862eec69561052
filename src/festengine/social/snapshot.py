"""What the social layer's part of a snapshot must look like (see :mod:`festengine.engine.shapes`),
and the types of that data once checked (what each part's ``load`` reads).

Beyond each field's type: ids name what the fest has (boards, promotions, journeys, community
missions), a member's or creator's task slots are one per task, a viewer's clubs are clubs they are a
member of, a journey's path is no longer than the journey, and every goal a stream waits to close
exists. Rows are JSON arrays; their checked types are written as tuples, which is how they are read
(unpacked by position, once, into the named fields of a state record).
"""

from __future__ import annotations

import reprlib
from decimal import Decimal
from typing import Final, TypeAlias, TypedDict, cast

from festengine.catalog.model import Fest
from festengine.engine.shapes import (
    AMOUNT,
    BOOL,
    COUNT,
    NUMBER,
    SECONDS,
    STR,
    TS,
    Bad,
    Shape,
    any_of,
    dict_of,
    integer,
    list_of,
    member,
    optional,
    record,
    row,
)
from festengine.social import community, fanclub, promotions
from festengine.social.goal_transitions import GoalState

__all__ = [
    "CommunityData",
    "FanClubsData",
    "GoalRow",
    "JourneysData",
    "LeaderboardsData",
    "MemberRow",
    "PromotionsData",
    "ScoringData",
    "SlotRow",
    "SocialData",
    "social_snapshot_shape",
    "social_timer_shape",
]

_Number: TypeAlias = int | Decimal
#: A row is read as JSON gives it, a list, whose fields the shape below checked: readers cast each
#: field to its type. (Typed as a tuple, a row would be checked against ``tuple`` at run time by the
#: optional compiled build, and refused.) The comments say each row's fields, in order.
Row: TypeAlias = list[object]
#: a rule's slot: current day, given, carried, previous day, given, carried
SlotRow: TypeAlias = list[_Number]
#: a club member: user, joined at, points, level, paused, last active, task slots (one per task) or null
MemberRow: TypeAlias = Row
#: a goal's key: mission, subject, window
_Key: TypeAlias = list[str]
#: a goal: mission, subject, window, end, extension, state, round, completions, total, level,
#: contributions ``[user, amount, tick]``, tick, distinct values or null, cooldown until, closed,
#: contributors forgotten when it closed (a closed goal keeps only its top contributors)
GoalRow: TypeAlias = Row
#: an activation: start, end
_Interval: TypeAlias = list[float]


class FanClubsData(TypedDict):
    clubs: dict[str, list[MemberRow]]
    viewers: dict[str, list[str]]


#: creator -> [total, slots]
ScoringData: TypeAlias = dict[str, Row]


class LeaderboardsData(TypedDict):
    #: board -> partition -> [tick, rows of entity, score, tick]
    boards: dict[str, dict[str, Row]]
    #: order -> [buyer, creator, stream, purchase time, amount not yet refunded]
    orders: dict[str, Row]


class CommunityData(TypedDict):
    goals: list[GoalRow]
    waiting: dict[str, list[_Key]]
    ends: dict[str, float]
    overtime: list[_Key]


class PromotionsData(TypedDict):
    viewers: dict[str, list[str]]
    #: the streams that closed
    closed: list[str]
    #: promotion -> [everyone, per stream, per viewer] activations
    activations: dict[str, Row]
    #: viewer -> promotion -> the discount they received from it
    given: dict[str, dict[str, Decimal]]


class JourneysData(TypedDict):
    done: dict[str, list[str]]
    #: user -> the missions of journeys counting steps on claim, in the order they counted
    claimed: dict[str, list[str]]
    #: user -> journey -> [step reached, path]
    runs: dict[str, dict[str, Row]]


class SocialData(TypedDict):
    fan_clubs: FanClubsData
    scoring: ScoringData
    leaderboards: LeaderboardsData
    community: CommunityData
    promotions: PromotionsData
    journeys: JourneysData


_DAY: Final = integer(-(10**9), 10**9)
#: a capped task's counters: current day, given, carried, previous day, given, carried
_SLOT: Final = optional(row(_DAY, NUMBER, NUMBER, _DAY, NUMBER, NUMBER))
_INTERVAL: Final = row(TS, TS)
_VALUE: Final = any_of(STR, NUMBER, BOOL, what="a distinct value (text or a number)")


def _slots(count: int) -> Shape:
    def shape(value: object) -> None:
        list_of(_SLOT)(value)
        found = len(cast("list[object]", value))
        if found != count:
            raise Bad(f"expected {count} task slots, found {found}")

    return shape


def social_snapshot_shape(fest: Fest, community_missions: set[str]) -> Shape:
    """The shape of ``Social.dump()`` for ``fest``."""
    shape = record(
        fan_clubs=_fan_clubs(fest),
        scoring=dict_of(row(NUMBER, _slots(len(fest.scoring.rules) if fest.scoring else 0))),
        leaderboards=record(
            boards=dict_of(
                dict_of(row(COUNT, list_of(row(STR, NUMBER, COUNT)))),
                member(fest.leaderboards, "a leaderboard of the fest"),
            ),
            orders=dict_of(row(STR, optional(STR), optional(STR), TS, AMOUNT)),
        ),
        community=_community(community_missions),
        promotions=record(
            viewers=dict_of(list_of(STR)),
            closed=list_of(STR),
            activations=dict_of(
                row(list_of(_INTERVAL), dict_of(list_of(_INTERVAL)), dict_of(list_of(_INTERVAL))),
                member(fest.promotions, "a promotion of the fest"),
            ),
            given=dict_of(dict_of(AMOUNT, member(fest.promotions, "a promotion of the fest"))),
        ),
        journeys=_journeys(fest),
    )
    return shape


def _fan_clubs(fest: Fest) -> Shape:
    tasks = len(fest.fan_club.tasks) if fest.fan_club else 0
    shape = record(
        clubs=dict_of(list_of(row(STR, TS, NUMBER, COUNT, BOOL, TS, optional(_slots(tasks))))),
        viewers=dict_of(list_of(STR)),
    )

    def whole(value: object) -> None:
        shape(value)
        data = cast(FanClubsData, value)
        members = {(member_row[0], creator) for creator, rows in data["clubs"].items() for member_row in rows}
        for user, creators in data["viewers"].items():
            for creator in creators:
                if (user, creator) not in members:
                    raise Bad(f"viewer {user!r} lists the club of {creator!r} without being a member")

    return whole


def _community(missions: set[str]) -> Shape:
    mission = member(missions, "a community mission of the fest")
    key = row(mission, STR, STR)
    state = member({s.value for s in GoalState}, "a goal state")
    contributions = list_of(row(STR, NUMBER, COUNT))
    values = optional(list_of(_VALUE))
    head = (mission, STR, STR, optional(TS), SECONDS, state, COUNT, COUNT, NUMBER, COUNT)
    goal = row(*head, contributions, COUNT, values, optional(TS), BOOL, COUNT)
    shape = record(goals=list_of(goal), waiting=dict_of(list_of(key)), ends=dict_of(TS), overtime=list_of(key))

    def whole(value: object) -> None:
        shape(value)
        data = cast(CommunityData, value)
        goals = {(goal_row[0], goal_row[1], goal_row[2]) for goal_row in data["goals"]}
        for goal_row in data["goals"]:
            if goal_row[15] and not goal_row[14]:  # forgotten contributors, closed
                raise Bad(f"goal {goal_row[0]!r} of {goal_row[1]!r} in {goal_row[2]!r} is open but forgot contributors")
        for stream, keys in data["waiting"].items():
            for m, s, w in keys:
                if (m, s, w) not in goals:
                    raise Bad(f"stream {stream!r} waits for goal {m!r} of {s!r} in {w!r}, which does not exist")

    return whole


def _journeys(fest: Fest) -> Shape:
    journey = member(fest.journeys, "a journey of the fest")
    shape = record(
        done=dict_of(list_of(STR)),
        claimed=dict_of(list_of(STR)),
        runs=dict_of(dict_of(row(COUNT, list_of(STR)), journey)),
    )

    def whole(value: object) -> None:
        shape(value)
        for runs in cast(JourneysData, value)["runs"].values():
            for journey_id, run in runs.items():
                path = cast(list[str], run[1])
                if len(path) > len(fest.journeys[journey_id].steps):
                    raise Bad(f"journey {journey_id!r} has a path longer than its steps")

    return whole


def social_timer_shape(fest: Fest, community_missions: set[str]) -> Shape:
    """The payloads of the social layer's timers: a club's pause check, a goal closing, a promotion."""
    promotion = member(fest.promotions, "a promotion of the fest")
    scheduled = member(  # only these start and stop on timers set when the engine starts
        {p.id for p in fest.promotions.values() if p.trigger_kind == "schedule" and p.audience == promotions.EVERYONE},
        "a promotion scheduled for everyone",
    )
    shapes = {
        fanclub.TIMER: row(STR, STR, TS),
        community.TIMER: row(STR, member(community_missions, "a community mission"), STR, STR, optional(TS)),
        promotions.TIMER: any_of(
            row(STR, member({"start", "stop"}, "start or stop"), scheduled),
            row(STR, member({"end"}, "end"), promotion, STR, optional(STR), TS),
            row(STR, member({"close"}, "close"), STR),
            what="a promotion timer",
        ),
    }

    def shape(value: object) -> None:
        kind = value[0] if type(value) is list and value else None
        if type(kind) is not str or kind not in shapes:
            raise Bad(f"expected a social timer ({', '.join(shapes)}), found {reprlib.repr(value)}")
        shapes[kind](value)

    return shape
