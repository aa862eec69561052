"""The keyed driver against one engine: on the bundled pack's simulated events (sorted by time and
id), each key gets the outcomes one ``Engine`` gives it; messages apply once; a key's state is bytes.

The economy is split (budgets and commission on the fest's key), its journal entries numbered by
each engine's own ledger (compared without their ids). With one viewer shard everything is exact;
with more, every outcome of the other parts (missions, profiles, eligibility, gift streaks, Fan
Clubs, journeys, community goals, scoring, leaderboards) still is, per key, and the outcomes named in
``UNSPLIT`` (money, whose budget grants follow the order between keys, and promotions) may differ.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import attrs
import msgspec
import pytest

from festengine import Engine, load_fest
from festengine.catalog.model import Fest
from festengine.economy import outcomes as money
from festengine.economy.ledger import JournalEntry
from festengine.engine.keys import ALL_VIEWERS, Owner, OwnerKey
from festengine.engine.messages import Message
from festengine.engine.outcomes import BadgeAwarded, Outcome
from festengine.events import Event, parse_event
from festengine.keyed import KeyedEngine, key_engine, restore_key, route, shard_of, sort_key
from festengine.sim import simulate_events
from festengine.social import outcomes as social

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"
FEST: Fest = load_fest(PACK)

#: outcomes of the fest key's parts (community goals, creator scoring); the others belong to the
#: viewer they name
FEST_OUTCOMES: frozenset[type[Outcome]] = frozenset(
    {
        social.CreatorPointsEarned,
        social.CommunityProgressed,
        social.CommunityLevelReached,
        social.CommunityGoalCompleted,
        social.CommunityGoalExpired,
        social.ContributorRewarded,
    }
)
#: money outcomes (a budget's last grant goes to whichever request arrives first) and promotions':
#: exact with one viewer shard only
UNSPLIT: frozenset[type[Outcome]] = frozenset(
    {
        *(kind for kind in vars(money).values() if isinstance(kind, type) and issubclass(kind, Outcome)),
        social.PromotionStarted,
        social.PromotionExtended,
        social.PromotionEnded,
    }
) - {Outcome}


def key_of(outcome: Outcome) -> str:
    """The key an outcome belongs to: the fest's parts', else the viewer it names."""
    if type(outcome) in FEST_OUTCOMES:
        return "fest:*"
    for field in ("user_id", "subject"):
        value = getattr(outcome, field, None)
        if isinstance(value, str):
            return f"viewer:{value}"
    return "unnamed"


def per_key(outcomes: Iterable[Outcome], *, leave: frozenset[type[Outcome]] = frozenset()) -> dict[str, list[Outcome]]:
    table: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        if type(outcome) not in leave:
            table[key_of(outcome)].append(unnumbered(outcome))
    return dict(table)


def unnumbered(outcome: Outcome) -> Outcome:
    """The outcome without the journal entry's id: each engine numbers the entries of its own ledger
    (docs/economy.md, "Money across keys"), so a split run's ids differ from one engine's."""
    if isinstance(outcome, money.LedgerEntryPosted):
        return msgspec.structs.replace(outcome, entry=attrs.evolve(outcome.entry, id=0))
    if getattr(outcome, "entry_id", None) is not None:
        return msgspec.structs.replace(outcome, entry_id=0)
    return outcome


@pytest.fixture(scope="module")
def events() -> list[Event]:
    """About 4,700 simulated events of the bundled pack (six days, 400 viewers), sorted by time and id."""
    found = list(simulate_events(FEST, viewers=400, creators=6, days=6, seed=7))
    found.sort(key=lambda event: (event.occurred_at, event.event_id))
    return found


@pytest.fixture(scope="module")
def whole(events: list[Event]) -> list[Outcome]:
    engine = Engine(FEST)
    return [outcome for event in events for outcome in engine.apply(event).outcomes]


def test_one_viewer_shard_gives_every_key_the_outcomes_of_one_engine(events: list[Event], whole: list[Outcome]) -> None:
    keyed = KeyedEngine(FEST, shards=1)
    split = [outcome for event in events for outcome in keyed.apply(event).outcomes]
    assert len(events) > 4000
    assert per_key(split) == per_key(whole)
    assert Counter(map(type, split)) == Counter(map(type, whole))
    kinds = Counter(type(outcome).__name__ for outcome in whole)
    for kind in ("CommunityLevelReached", "JourneyStepCompleted", "FanClubJoined", "PointsAwarded", "MissionExpired"):
        assert kinds[kind] > 0, kind  # what travels between keys was exercised


@pytest.mark.parametrize("shards", [2, 3])
def test_more_viewer_shards_give_every_key_the_same_outcomes_of_the_split_parts(
    events: list[Event], whole: list[Outcome], shards: int
) -> None:
    keyed = KeyedEngine(FEST, shards=shards)
    split = [outcome for event in events for outcome in keyed.apply(event).outcomes]
    assert per_key(split, leave=UNSPLIT) == per_key(whole, leave=UNSPLIT)
    differing = {kind for kind in set(map(type, split)) | set(map(type, whole)) if kind not in UNSPLIT}
    assert Counter(o for o in map(type, split) if o in differing) == Counter(
        o for o in map(type, whole) if o in differing
    )


def test_budgets_never_go_below_zero_and_the_journal_balances(events: list[Event]) -> None:
    keyed = KeyedEngine(FEST, shards=1)
    entries: list[JournalEntry] = list(keyed.started)
    for event in events:
        entries += keyed.apply(event).entries
        assert all(keyed.fest_engine.budget_left(budget).amount >= 0 for budget in FEST.economy.budgets)
    assert entries
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for entry in entries:
        per_entry: dict[str, Decimal] = defaultdict(Decimal)
        for _account, amount in entry.postings:
            per_entry[amount.currency] += amount.amount
            totals[amount.currency] += amount.amount
        assert all(value == 0 for value in per_entry.values()), entry
    assert all(value == 0 for value in totals.values())


def test_a_message_delivered_again_changes_nothing(events: list[Event]) -> None:
    keyed = KeyedEngine(FEST, shards=2)
    delivered: list[Message] = []
    for engine in keyed.engines:
        receive = engine.receive

        def recording(message: Message, receive=receive) -> object:  # type: ignore[no-untyped-def]
            delivered.append(message)
            return receive(message)

        engine.receive = recording  # type: ignore[method-assign]
    for event in events[:2000]:
        keyed.apply(event)
    assert len(delivered) > 500
    before = [engine.snapshot() for engine in keyed.engines]
    for message in list(delivered):
        targets = keyed.viewer_engines if message.to == ALL_VIEWERS else (keyed.engine_of(message.to),)
        for engine in targets:
            step = engine.receive(message)
            assert step.outcomes == ()
            assert step.messages == ()
    assert [engine.snapshot() for engine in keyed.engines] == before


def test_a_keys_state_round_trips_through_bytes(events: list[Event]) -> None:
    """One viewer's inputs (its events, and the messages to it or to every viewer) through an engine
    of its own: its bytes restore to the same state and the same future."""
    keyed = KeyedEngine(FEST, shards=1)
    inputs: dict[str, list[Event | Message]] = defaultdict(list)
    engine = keyed.viewer_engines[0]
    receive = engine.receive

    def recording(message: Message) -> object:
        inputs[message.to].append(message)
        return receive(message)

    engine.receive = recording  # type: ignore[method-assign]
    for event in events:
        inputs[str(route(FEST, event))].append(event)
        keyed.apply(event)
    busiest = sorted(
        (key for key in inputs if key.startswith("viewer:") and key != ALL_VIEWERS), key=lambda k: -len(inputs[k])
    )
    for key in busiest[:3]:
        mine = sorted([*inputs[key], *inputs[ALL_VIEWERS]], key=sort_key)
        half = len(mine) // 2
        original = key_engine(FEST, Owner.VIEWER)
        _feed(original, mine[:half])
        data = original.snapshot()
        restored = restore_key(FEST, Owner.VIEWER, data)
        assert restored.snapshot() == data
        assert _feed(restored, mine[half:]) == _feed(original, mine[half:])
        assert restored.snapshot() == original.snapshot()
        assert shard_of(OwnerKey.parse(key), 1) == 0


def _feed(engine: Engine, inputs: list[Event | Message]) -> list[bytes]:
    out: list[bytes] = []
    for item in inputs:
        step = engine.apply(item) if isinstance(item, Event) else engine.receive(item)
        out += [msgspec.json.encode(outcome) for outcome in step.outcomes]
        out += [msgspec.json.encode(message) for message in step.messages]
    return out


def _gift_rush() -> list[Event]:
    """A stream's gift rush on the bundled pack (docs/social.md): levels trigger a promotion for the
    stream's viewers, the completed goal rewards two contributors, then the stream ends."""
    stream = {"creator_id": "mia", "stream_id": "mia-live-2"}
    rows = [
        ("stream_started", "19:00", "mia", {}),
        ("view", "19:01", "eve", {"seconds": 60}),
        ("gift", "19:05", "bo", {"gift_id": "drama_queen"}),
        ("gift", "19:06", "cy", {"gift_id": "panda"}),
        ("gift", "19:07", "dee", {"gift_id": "rose"}),
        ("gift", "19:10", "cy", {"gift_id": "drama_queen"}),
        ("gift", "19:20", "bo", {"gift_id": "concert"}),
        ("stream_ended", "20:00", "mia", {}),
        ("gift", "20:14", "cy", {"gift_id": "concert"}),
    ]
    return [
        parse_event(
            {
                "event_id": f"r{index}",
                "type": kind,
                "occurred_at": f"2026-06-16T{clock}:00-07:00",
                "user_id": user,
                **stream,
                **fields,
            }
        )
        for index, (kind, clock, user, fields) in enumerate(rows)
    ]


@pytest.mark.parametrize("shards", [1, 2])
def test_a_goals_contributor_rewards_travel_to_the_contributors_keys(shards: int) -> None:
    events = _gift_rush()
    engine = Engine(FEST)
    whole = [outcome for event in events for outcome in engine.apply(event).outcomes]
    keyed = KeyedEngine(FEST, shards=shards)
    split = [outcome for event in events for outcome in keyed.apply(event).outcomes]
    leave = UNSPLIT if shards > 1 else frozenset()
    assert per_key(split, leave=leave) == per_key(whole, leave=leave)
    rewarded = [(o.user_id, o.contribution) for o in split if isinstance(o, social.ContributorRewarded)]
    assert rewarded == [("bo", 5000), ("cy", 5005)]
    badges = [(o.user_id, o.tier) for o in split if isinstance(o, BadgeAwarded)]
    assert ("bo", "crew") in badges
    assert ("cy", "crew") in badges
