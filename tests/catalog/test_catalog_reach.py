"""Packs that type-check but cannot be played as written are refused, pointing at the culprit.

Each test writes a small valid pack (one file per section, so line numbers are small and exact),
replaces one file with an impossible variant, and checks the one problem :func:`load_fest` reports:
file, line, column, document path and message.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from festengine import FestValidationError, Problem, load_fest
from festengine._vocab import FIELD_RANGES
from festengine._wire_format import WHOLE_LIMITS

FEST = """\
fest:
  id: spring_fest
  name: Spring Fest
  timezone: UTC
  starts_at: "2026-06-01T00:00:00Z"
  ends_at: "2026-06-22T00:00:00Z"
"""

ECONOMY = """\
economy:
  currency: USD
  coin_value: {app: "0.0143", web: "0.0105"}
  default_channel: app
  split: {creator: "0.5", platform: "0.5"}
  gifts:
    - {id: rose, name: Rose, coins: 1}
    - {id: lion, name: Lion, coins: 29999}
    - {id: heart, name: Heart, coins: 5}
    - {id: galaxy, name: Galaxy, coins: 1000}
"""

BADGES = """\
badges:
  - {id: star, name: Star, tiers: [bronze, silver, gold]}
"""

MISSIONS = """\
missions:
  - id: likes
    title: Likes
    counts: {event: like}
    target: 3
    rewards: [{badge: star, tier: silver}]
"""

Pack = Callable[..., Path]


@pytest.fixture
def pack(tmp_path: Path) -> Pack:
    """Writes the base pack with some files replaced (``name=text``)."""

    def write(**files: str) -> Path:
        texts = {"fest": FEST, "economy": ECONOMY, "badges": BADGES, "missions": MISSIONS, **files}
        for name, text in texts.items():
            (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
        return tmp_path

    return write


def only_problem(path: Path) -> Problem:
    with pytest.raises(FestValidationError) as raised:
        load_fest(path)
    problems = raised.value.problems
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def where(problem: Problem) -> tuple[str, int | None, int | None, str]:
    return Path(problem.file).name, problem.line, problem.column, problem.path


def column(text: str, line: int, needle: str) -> int:
    """The 1-based column where ``needle`` starts on ``line`` of ``text``."""
    return text.splitlines()[line - 1].index(needle) + 1


def missions(*lines: str) -> str:
    """The base mission, then a second one written as ``lines`` (indented under ``- ``)."""
    return MISSIONS + "  - " + "\n    ".join(lines) + "\n"


def test_base_pack_is_valid(pack: Pack) -> None:
    """The base pack loads: the new checks refuse only impossible packs."""
    assert list(load_fest(pack()).missions) == ["likes"]


# =========================================================================== values no event has


def test_filter_on_a_gift_the_catalogue_does_not_sell(pack: Pack) -> None:
    """``gift_id: {equals: rosee}`` never matches: the gift is unknown, with a did-you-mean."""
    text = missions(
        "id: roses", "title: Roses", "counts: {event: gift, where: {gift_id: {equals: rosee}}}", "target: 1"
    )
    problem = only_problem(pack(missions=text))
    assert where(problem) == ("missions.yaml", 9, column(text, 9, "rosee"), "missions[1].counts.where.gift_id.equals")
    assert problem.message == (
        "no gift event can have gift 'rosee' (did you mean 'rose'?): the pack defines no such gift"
    )


def test_filter_on_unknown_gifts_in_one_of_points_at_each(pack: Pack) -> None:
    """In ``one_of``, the unknown value is named at its own place; without a close match the gifts are listed."""
    text = missions(
        "id: roses", "title: Roses", "counts: {event: gift, where: {gift_id: {one_of: [rose, zebra]}}}", "target: 1"
    )
    problem = only_problem(pack(missions=text))
    assert where(problem) == (
        "missions.yaml",
        9,
        column(text, 9, "zebra"),
        "missions[1].counts.where.gift_id.one_of[1]",
    )
    assert problem.message == (
        "no gift event can have gift 'zebra': the pack defines no such gift; "
        "the pack's gifts are galaxy, heart, lion, rose"
    )


def test_filter_on_a_coin_channel_without_a_coin_value(pack: Pack) -> None:
    """A gift on a channel without a coin value is refused by the engine, so filtering on it never matches."""
    text = missions("id: roses", "title: Roses", "counts: {event: gift, where: {channel: {equals: wbe}}}", "target: 1")
    problem = only_problem(pack(missions=text))
    assert where(problem) == ("missions.yaml", 9, column(text, 9, "wbe"), "missions[1].counts.where.channel.equals")
    assert problem.message == (
        "no gift event can have coin channel 'wbe' (did you mean 'web'?): the pack defines no such coin channel"
    )


def test_filter_on_a_claim_of_an_unknown_mission(pack: Pack) -> None:
    """A claim names a mission of the pack; a filter on another mission id never matches."""
    text = missions(
        "id: claimer", "title: Claimer", "counts: {event: claim, where: {mission_id: {equals: likess}}}", "target: 1"
    )
    problem = only_problem(pack(missions=text))
    assert where(problem) == (
        "missions.yaml",
        9,
        column(text, 9, "likess"),
        "missions[1].counts.where.mission_id.equals",
    )
    assert problem.message == (
        "no claim event can have mission 'likess' (did you mean 'likes'?): the pack defines no such mission"
    )


def test_fan_club_task_filter_on_an_unknown_gift(pack: Pack) -> None:
    """Fan club tasks (and scoring rules) are filters too, checked the same way."""
    fan_club = """\
fan_club:
  levels: [{level: 1, points: 0}]
  tasks:
    - {id: gifts, counts: {event: gift, where: {gift_id: {equals: lyon}}}, points: 1}
"""
    problem = only_problem(pack(fan_club=fan_club))
    assert where(problem) == (
        "fan_club.yaml",
        4,
        column(fan_club, 4, "lyon"),
        "fan_club.tasks[0].counts.where.gift_id.equals",
    )
    assert "gift 'lyon' (did you mean 'lion'?)" in problem.message


def test_like_count_filter_above_the_events_limit(pack: Pack) -> None:
    """A like carries at most 1,000,000 likes, so ``count: {at_least: 2000000}`` never matches."""
    text = missions(
        "id: bursts", "title: Bursts", "counts: {event: like, where: {count: {at_least: 2000000}}}", "target: 1"
    )
    problem = only_problem(pack(missions=text))
    assert where(problem) == ("missions.yaml", 9, column(text, 9, "2000000"), "missions[1].counts.where.count.at_least")
    assert problem.message == (
        "a like event's count is from 1 to 1,000,000 (the events' limits), so this at_least never matches; "
        "write a value in that range"
    )


@pytest.mark.parametrize(
    ("condition", "value", "path", "written"),
    [
        ("{equals: 0}", "0", "equals", "0"),
        ("{one_of: [5, 1000001]}", "1000001", "one_of[1]", "1000001"),
        ("{between: [2000000, 3000000]}", "[2000000", "between", "this between"),
        ("{at_most: 0}", "0", "at_most", "this at_most"),
    ],
)
def test_like_count_filters_outside_the_events_range(
    pack: Pack, condition: str, value: str, path: str, written: str
) -> None:
    """Every operator is compared with the range the events carry: equals, one_of, between, at_most."""
    text = missions(
        "id: bursts", "title: Bursts", f"counts: {{event: like, where: {{count: {condition}}}}}", "target: 1"
    )
    problem = only_problem(pack(missions=text))
    assert where(problem) == ("missions.yaml", 9, column(text, 9, value), f"missions[1].counts.where.count.{path}")
    assert f"so {written} never matches" in problem.message


def test_view_seconds_and_purchase_quantity_ranges(pack: Pack) -> None:
    """The siblings: a view lasts at most 86,400 seconds; a purchase has at most 100,000 items."""
    text = missions(
        "id: long_view", "title: Long view", "counts: {event: view, where: {seconds: {at_least: 90000}}}", "target: 1"
    )
    problem = only_problem(pack(missions=text))
    assert problem.message.startswith("a view event's seconds is from 0 to 86,400 (the events' limits)")
    text = missions(
        "id: bulk", "title: Bulk", "counts: {event: purchase, where: {quantity: {equals: 100001}}}", "target: 1"
    )
    problem = only_problem(pack(missions=text))
    assert problem.message.startswith("a purchase event's quantity is from 1 to 100,000 (the events' limits)")


def test_field_ranges_agree_with_the_event_parser() -> None:
    """The ranges the checks use are the ones the event parser enforces."""
    for (_event, field), bounds in FIELD_RANGES.items():
        assert WHOLE_LIMITS[field] == bounds


# =========================================================================== distinct targets


def test_more_distinct_gifts_than_the_catalogue_has(pack: Pack) -> None:
    """5 distinct gift_id with 4 gifts in the catalogue is never met."""
    text = missions(
        "id: collector", "title: Collector", "counts: {event: gift}", "measure: {kind: distinct, field: gift_id}",
        "target: 5",
    )  # fmt: skip
    problem = only_problem(pack(missions=text))
    assert where(problem) == ("missions.yaml", 11, 13, "missions[1].target")
    assert problem.message == (
        "at most 4 distinct gift_id can count towards mission 'collector' (the pack has 4 gifts), so a target "
        "of 5 is never met; lower it to at most 4"
    )


def test_more_distinct_gifts_than_the_filter_allows(pack: Pack) -> None:
    """A filter narrows the distinct values: one_of two gifts cannot give three."""
    text = missions(
        "id: collector", "title: Collector", "counts: {event: gift, where: {gift_id: {one_of: [rose, lion]}}}",
        "measure: {kind: distinct, field: gift_id}", "target: 3",
    )  # fmt: skip
    problem = only_problem(pack(missions=text))
    assert "(the filter allows 2 values of gift_id), so a target of 3 is never met" in problem.message


def test_distinct_creators_in_a_stream_window(pack: Pack) -> None:
    """A per-stream window holds one creator's events, so 5 distinct creator_id is never met."""
    text = missions(
        "id: hopper", "title: Hopper", "counts: {event: view}", "measure: {kind: distinct, field: creator_id}",
        "window: {kind: stream}", "target: 5",
    )  # fmt: skip
    problem = only_problem(pack(missions=text))
    assert where(problem) == ("missions.yaml", 12, 13, "missions[1].target")
    assert problem.message == (
        "at most 1 distinct creator_id can count towards mission 'hopper' (each instance counts the events of one "
        "stream, and a stream has one creator), so a target of 5 is never met; lower it to at most 1"
    )


def test_distinct_creators_of_a_creator_goal(pack: Pack) -> None:
    """The sibling: a creator's community goal counts that creator's events only."""
    text = missions(
        "id: hopper", "title: Hopper", "subject: creator", "counts: {event: view}",
        "measure: {kind: distinct, field: creator_id}", "target: 2",
    )  # fmt: skip
    problem = only_problem(pack(missions=text))
    assert "(each instance counts the events of one creator)" in problem.message


def test_distinct_users_of_a_viewer_mission(pack: Pack) -> None:
    """The sibling: a viewer mission counts the viewer's own events, so distinct user_id is at most 1."""
    text = missions(
        "id: crowd", "title: Crowd", "counts: {event: view}", "measure: {kind: distinct, field: user_id}", "target: 2"
    )
    problem = only_problem(pack(missions=text))
    assert "(a viewer mission counts the viewer's own events)" in problem.message


def test_reachable_distinct_targets_load(pack: Pack) -> None:
    """Targets within reach load: 4 of 4 gifts, 5 creators over the fest, 3 contributors to a stream goal."""
    text = missions(
        "id: collector", "title: Collector", "counts: {event: gift}", "measure: {kind: distinct, field: gift_id}",
        "target: 4",
    ) + (
        "  - {id: hopper, title: Hopper, counts: {event: view}, measure: {kind: distinct, field: creator_id},"
        " target: 5}\n"
        "  - {id: crowd, title: Crowd, subject: stream, counts: {event: view},"
        " measure: {kind: distinct, field: user_id}, target: 3}\n"
    )  # fmt: skip
    assert list(load_fest(pack(missions=text)).missions) == ["likes", "collector", "hopper", "crowd"]


# =========================================================================== prerequisites


def test_prerequisite_badge_that_nothing_awards(pack: Pack) -> None:
    """A mission requiring a badge tier that no mission, journey or fan club level awards never unlocks."""
    text = missions(
        "id: vip", "title: VIP", "counts: {event: like}", "target: 1", "requires: {badge: {badge: star, tier: gold}}"
    )
    problem = only_problem(pack(missions=text))
    assert where(problem) == ("missions.yaml", 11, column(text, 11, "{badge: star"), "missions[1].requires.badge")
    assert problem.message == (
        "nothing awards badge 'star' at tier 'gold' or higher (no mission, journey or fan club level but this "
        "one), so mission 'vip' never unlocks; award that tier somewhere or remove the prerequisite"
    )


def test_prerequisite_met_by_a_higher_tier_or_a_fan_club_level(pack: Pack) -> None:
    """A lower tier is met by the silver the base mission awards; a fan club level's badge counts too."""
    text = missions(
        "id: vip", "title: VIP", "counts: {event: like}", "target: 1", "requires: {badge: {badge: star, tier: bronze}}"
    )
    assert "vip" in load_fest(pack(missions=text)).missions
    fan_club = "fan_club:\n  levels: [{level: 1, points: 0, badge: {badge: star, tier: gold}}]\n"
    text = missions(
        "id: vip", "title: VIP", "counts: {event: like}", "target: 1", "requires: {badge: {badge: star, tier: gold}}"
    )
    assert "vip" in load_fest(pack(missions=text, fan_club=fan_club)).missions


def test_prerequisite_badge_awarded_only_by_the_mission_itself(pack: Pack) -> None:
    """A mission cannot award itself the badge it requires to unlock."""
    text = missions(
        "id: vip", "title: VIP", "counts: {event: like}", "target: 1", "requires: {badge: {badge: star, tier: gold}}",
        "rewards: [{badge: star, tier: gold}]",
    )  # fmt: skip
    problem = only_problem(pack(missions=text))
    assert problem.path == "missions[1].requires.badge"


def test_fan_club_level_prerequisite_without_any_points(pack: Pack) -> None:
    """The sibling: level 2 needs points, and a fan club without tasks or point rewards gives none."""
    fan_club = "fan_club:\n  levels: [{level: 1, points: 0}, {level: 2, points: 10}]\n"
    text = missions("id: vip", "title: VIP", "counts: {event: like}", "target: 1", "requires: {fan_club_level: 2}")
    problem = only_problem(pack(missions=text, fan_club=fan_club))
    assert where(problem) == ("missions.yaml", 11, column(text, 11, "2}"), "missions[1].requires.fan_club_level")
    assert problem.message.startswith("fan club members earn no points (the fan club has no tasks")
