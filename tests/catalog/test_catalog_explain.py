"""``explain``: missions in plain language, for designers checking what their YAML says.

Each test loads a small hand-made pack (America/Los_Angeles, USD) with the missions under test
and compares the explanation word for word.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from festengine import Fest, load_fest
from festengine.catalog.explain import explain_fest, explain_mission

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"

BASE = """\
fest:
  id: spring_fest
  name: Spring Fest
  timezone: America/Los_Angeles
  starts_at: "2026-06-15T00:00:00-07:00"
  ends_at: "2026-07-06T00:00:00-07:00"
  week_starts_on: {week_starts_on}
  phases:
    - id: week1
      name: "Week 1: Warm-up"
      starts_at: "2026-06-15T00:00:00-07:00"
      ends_at: "2026-06-22T00:00:00-07:00"
economy:
  currency: USD
  coin_value: {{app: "0.0143"}}
  default_channel: app
  split: {{creator: "0.5", platform: "0.5"}}
  gifts:
    - {{id: rose, name: Rose, coins: 1}}
    - {{id: love_bang, name: Love bang, coins: 25}}
    - {{id: sun_cream, name: Sun cream, coins: 50}}
  budgets:
    - {{id: fest_rewards, amount: "1000.00"}}
    - {{id: week_pool, amount: "100.00", valid_for: 7d}}
    - {{id: july_pool, amount: "100.00", valid_until: "2026-07-13T00:00:00-07:00", lapsed_to: expired}}
badges:
  - {{id: fest_supporter, name: Fest Supporter, tiers: [bronze, silver, gold]}}
fan_club:
  levels: [{{level: 1, points: 0}}, {{level: 2, points: 100}}, {{level: 3, points: 300}}]
promotions:
  - id: thanks
    title: Thank-you coupon
    trigger: {{kind: mission, mission: first}}
    discount: {{percent: "10"}}
    duration: 24h
missions:
  - {{id: first, title: First steps, counts: {{event: comment}}, target: 1}}
"""

Explain = Callable[..., str]


@pytest.fixture
def explain(tmp_path: Path) -> Explain:
    """Explains one mission, written as YAML lines of a mission (indented as list items of missions:)."""

    def run(mission: str, week_starts_on: str = "monday") -> str:
        file = tmp_path / "pack.yaml"
        file.write_text(BASE.format(week_starts_on=week_starts_on) + mission, encoding="utf-8")
        fest = load_fest(file)
        mission_id = list(fest.missions)[-1]
        return explain_mission(fest, fest.missions[mission_id])

    return run


def test_the_example_of_the_issue(explain: Explain) -> None:
    """The sentence of the issue, exactly: count with a condition, daily window, badge and credit rewards."""
    text = explain(
        """\
  - id: daily_supporter
    title: Daily supporter
    counts:
      event: gift
      where:
        coins: {at_least: 100}
    target: 5
    window: {kind: daily}
    rewards:
      - {badge: fest_supporter, tier: bronze}
      - {credit: "0.50", budget: fest_rewards}
"""
    )
    assert text == (
        "Send 5 gifts worth at least 100 coins, daily (resets 00:00 America/Los_Angeles). "
        "Reward: Fest Supporter badge (bronze) and 0.50 USD shopping credit from budget fest_rewards."
    )


# =========================================================================== measures


@pytest.mark.parametrize(
    ("mission", "says"),
    [
        pytest.param("counts: {event: gift}, target: 5", "Send 5 gifts", id="count"),
        pytest.param("counts: {event: gift}, target: 1", "Send 1 gift", id="count-one"),
        pytest.param("counts: {event: check_in}, target: 1", "Check in once", id="count-once"),
        pytest.param("counts: {event: check_in}, target: 3", "Check in 3 times", id="count-times"),
        pytest.param("counts: {event: like}, target: 2500", "Give 2,500 likes", id="thousands"),
        pytest.param("counts: {event: follow}, target: 2", "Follow 2 creators", id="follow"),
        pytest.param("counts: {event: link_click}, target: 1", "Click 1 shoppable link", id="click"),
        pytest.param(
            "counts: {event: view}, measure: {kind: sum, field: seconds}, target: 900",
            "Watch LIVE streams for 15 minutes in total",
            id="sum-seconds",
        ),
        pytest.param(
            "counts: {event: view}, measure: {kind: sum, field: seconds}, target: 10800",
            "Watch LIVE streams for 3 hours in total",
            id="sum-hours",
        ),
        pytest.param(
            "counts: {event: view}, measure: {kind: sum, field: seconds}, target: 5400",
            "Watch LIVE streams for 1 h 30 min in total",
            id="sum-hours-and-minutes",
        ),
        pytest.param(
            "counts: {event: view}, measure: {kind: sum, field: seconds}, target: 172800",
            "Watch LIVE streams for 2 days in total",
            id="sum-days",
        ),
        pytest.param(
            "counts: {event: view}, measure: {kind: sum, field: seconds}, target: 45",
            "Watch LIVE streams for 45 seconds in total",
            id="sum-seconds-only",
        ),
        pytest.param(
            "counts: {event: gift}, measure: {kind: sum, field: coins}, target: 3500",
            "Send gifts worth 3,500 coins in total",
            id="sum-coins",
        ),
        pytest.param(
            'counts: {event: purchase}, measure: {kind: sum, field: amount}, target: "99.50"',
            "Make purchases worth 99.50 USD in total",
            id="sum-money",
        ),
        pytest.param(
            "counts: {event: like}, measure: {kind: sum, field: count}, target: 500",
            "Give 500 likes",
            id="sum-count",
        ),
        pytest.param(
            "counts: {event: purchase}, measure: {kind: sum, field: quantity}, target: 3",
            "Make purchases worth 3 items in total",
            id="sum-quantity",
        ),
        pytest.param(
            "counts: {event: view}, measure: {kind: distinct, field: creator_id}, target: 5",
            "Watch LIVE streams across 5 different creators",
            id="distinct-creators",
        ),
        pytest.param(
            "counts: {event: product_view}, measure: {kind: distinct, field: product_id}, target: 8",
            "View products across 8 different products",
            id="distinct-products",
        ),
        pytest.param(
            "counts: {event: check_in}, measure: {kind: distinct, field: stream_id}, target: 4",
            "Check in across 4 different LIVE streams",
            id="distinct-without-noun",
        ),
        pytest.param(
            "counts: {event: check_in}, measure: {kind: streak}, target: 7",
            "Check in on 7 days in a row",
            id="streak",
        ),
        pytest.param(
            "counts: {event: check_in}, measure: {kind: streak, grace: 1}, target: 7",
            "Check in on 7 days in a row, 1 missed day forgiven",
            id="streak-grace",
        ),
        pytest.param(
            "counts: {event: gift}, measure: {kind: streak, period: week, min_per_period: 5, grace: 2}, target: 3",
            "Send gifts (5 a week) on 3 weeks in a row, 2 missed weeks forgiven",
            id="streak-weeks",
        ),
    ],
)
def test_measure_phrases(explain: Explain, mission: str, says: str) -> None:
    """Each measure kind reads as the goal: how many, how much, how many different, how many in a row."""
    text = explain(f"  - {{id: m, title: M, {mission}}}\n")
    assert text == f"{says}, during the fest."


# =========================================================================== conditions


@pytest.mark.parametrize(
    ("counts", "says"),
    [
        pytest.param("{event: gift, where: {gift_id: {equals: rose}}}", "Send 2 gifts of Rose", id="gift"),
        pytest.param(
            "{event: gift, where: {gift_id: {one_of: [love_bang, sun_cream]}}}",
            "Send 2 gifts of Love bang or Sun cream",
            id="gifts",
        ),
        pytest.param("{event: gift, where: {coins: {at_most: 5}}}", "Send 2 gifts worth at most 5 coins", id="coins"),
        pytest.param(
            "{event: gift, where: {coins: {between: [10, 100]}}}",
            "Send 2 gifts worth between 10 and 100 coins",
            id="coins-between",
        ),
        pytest.param(
            '{event: purchase, where: {amount: {at_least: "5.00"}}}',
            "Make 2 purchases worth at least 5 USD",
            id="amount",
        ),
        pytest.param(
            '{event: purchase, where: {amount: {between: ["5.00", "499.99"]}}}',
            "Make 2 purchases worth between 5 and 499.99 USD",
            id="amount-between",
        ),
        pytest.param(
            "{event: purchase, where: {category: {equals: beauty}}}",
            "Make 2 purchases with category beauty",
            id="equals",
        ),
        pytest.param(
            "{event: purchase, where: {seller_id: {one_of: [glow_lab, tech_hub]}}}",
            "Make 2 purchases with seller glow_lab or tech_hub",
            id="one_of",
        ),
        pytest.param(
            "{event: like, where: {count: {at_most: 50}}}", "Give 2 likes with count at most 50", id="at_most"
        ),
        pytest.param(
            "{event: view, where: {seconds: {at_least: 60}}}",
            "Watch 2 LIVE streams with seconds at least 60",
            id="at_least",
        ),
        pytest.param(
            "{event: purchase, where: {quantity: {between: [2, 5]}}}",
            "Make 2 purchases with quantity between 2 and 5",
            id="between",
        ),
        pytest.param(
            '{event: comment, where: {text: {contains: "#fest"}}}',
            "Post 2 comments with text containing “#fest”",
            id="contains",
        ),
        pytest.param(
            "{event: gift, where: {gift_id: {equals: rose}, channel: {equals: app}}}",
            "Send 2 gifts of Rose and with channel app",
            id="two-conditions",
        ),
    ],
)
def test_condition_phrases(explain: Explain, counts: str, says: str) -> None:
    """Filter conditions read as qualifiers of what is counted: gifts by name, coins and money as worth."""
    text = explain(f"  - {{id: m, title: M, counts: {counts}, target: 2}}\n")
    assert text == f"{says}, during the fest."


def test_condition_phrase_of_a_gift_not_in_the_catalogue(explain: Explain, tmp_path: Path) -> None:
    """A gift id missing from the catalogue (a pack refuses it, a fest built otherwise may hold it) reads as its id."""
    explain("  - {id: m, title: M, counts: {event: gift, where: {gift_id: {equals: rose}}}, target: 2}\n")
    fest = load_fest(tmp_path / "pack.yaml")
    gifts = {gift_id: gift for gift_id, gift in fest.economy.gifts.items() if gift_id != "rose"}
    fest = attrs.evolve(fest, economy=attrs.evolve(fest.economy, gifts=gifts))
    assert explain_mission(fest, fest.missions["m"]) == "Send 2 gifts of rose, during the fest."


# =========================================================================== windows


@pytest.mark.parametrize(
    ("window", "says"),
    [
        pytest.param("{kind: fest}", "during the fest", id="fest"),
        pytest.param("{kind: phase, phase: week1}", "during Week 1: Warm-up", id="phase"),
        pytest.param("{kind: daily}", "daily (resets 00:00 America/Los_Angeles)", id="daily"),
        pytest.param("{kind: weekly}", "weekly (resets Monday 00:00 America/Los_Angeles)", id="weekly"),
        pytest.param("{kind: stream}", "within a single LIVE stream", id="stream"),
        pytest.param(
            '{kind: between, starts_at: "2026-06-27T01:00:00Z", ends_at: "2026-06-27T05:00:00Z"}',
            "between 2026-06-26 18:00 and 2026-06-26 22:00 (America/Los_Angeles)",
            id="between-in-fest-time",
        ),
    ],
)
def test_window_phrases(explain: Explain, window: str, says: str) -> None:
    """Each window kind says when progress counts, in the fest's time zone."""
    text = explain(f"  - {{id: m, title: M, counts: {{event: share}}, target: 2, window: {window}}}\n")
    assert text == f"Share 2 LIVE streams, {says}."


@pytest.mark.parametrize("weekday", ["monday", "wednesday", "sunday"])
def test_weekly_window_names_the_week_start(explain: Explain, weekday: str) -> None:
    """A weekly window resets on the fest's week_starts_on day."""
    text = explain("  - {id: m, title: M, counts: {event: share}, target: 2, window: {kind: weekly}}\n", weekday)
    assert text == f"Share 2 LIVE streams, weekly (resets {weekday.title()} 00:00 America/Los_Angeles)."


# =========================================================================== rewards


@pytest.mark.parametrize(
    ("reward", "says"),
    [
        pytest.param("{badge: fest_supporter, tier: gold}", "Fest Supporter badge (gold)", id="badge"),
        pytest.param("{points: 1500}", "1,500 fest points", id="points"),
        pytest.param(
            '{credit: "2.00", budget: fest_rewards}', "2.00 USD shopping credit from budget fest_rewards", id="credit"
        ),
        pytest.param(
            '{credit: "1.00", budget: week_pool}',
            "1.00 USD shopping credit from budget week_pool, valid for 7 days",
            id="credit-valid-for",
        ),
        pytest.param(
            '{credit: "1.00", budget: july_pool}',
            "1.00 USD shopping credit from budget july_pool, valid until 2026-07-13 00:00 America/Los_Angeles",
            id="credit-valid-until",
        ),
        pytest.param("{fan_club_points: 15}", "15 Fan Club points", id="fan-club-points"),
        pytest.param("{promotion: thanks}", "the promotion “Thank-you coupon”", id="promotion"),
        pytest.param('{commission_boost: "0.02", duration: 7d}', "+2% commission for 7 days", id="boost-days"),
        pytest.param('{commission_boost: "0.025", duration: 36h}', "+2.5% commission for 36 hours", id="boost-hours"),
    ],
)
def test_reward_phrases(explain: Explain, reward: str, says: str) -> None:
    """Each reward kind is named with its amount and, where it has one, its source."""
    text = explain(f"  - {{id: m, title: M, counts: {{event: share}}, target: 2, rewards: [{reward}]}}\n")
    assert text == f"Share 2 LIVE streams, during the fest. Reward: {says}."


def test_several_rewards_are_joined(explain: Explain) -> None:
    """Rewards are listed with commas and a final 'and'."""
    rewards = "[{points: 5}, {fan_club_points: 1}, {badge: fest_supporter, tier: silver}]"
    text = explain(f"  - {{id: m, title: M, counts: {{event: share}}, target: 2, rewards: {rewards}}}\n")
    assert text.endswith("Reward: 5 fest points, 1 Fan Club points and Fest Supporter badge (silver).")


# =========================================================================== the rest of a mission


def test_repeat_prerequisites_and_claim(explain: Explain) -> None:
    """Repeats, prerequisites (missions, Fan Club level, badge) and a manual claim each get their sentence."""
    text = explain(
        """\
  - id: helper
    title: Helper (what makes the prerequisites reachable)
    counts: {event: like}
    target: 1
    rewards: [{badge: fest_supporter, tier: gold}, {fan_club_points: 5}]
  - id: loyal
    title: Loyal
    counts: {event: comment}
    target: 5
    window: {kind: daily}
    repeat: 3
    requires:
      missions: [first]
      fan_club_level: 2
      badge: {badge: fest_supporter, tier: silver}
    claim: {mode: manual, within: 48h}
    rewards: [{points: 10}]
"""
    )
    assert text == (
        "Post 5 comments, daily (resets 00:00 America/Los_Angeles), up to 3 times. "
        "Unlocks after mission 'First steps', Fan Club level 2 and Fest Supporter badge (silver). "
        "Claim it within 2 days of completing. Reward: 10 fest points."
    )


@pytest.mark.parametrize(
    ("subject", "levels", "says"),
    [
        pytest.param(
            "stream",
            "[{target: 1000, extend_by: 5m}, {target: 3000, extend_by: 5m}]",
            "Together, the viewers of one LIVE stream: send gifts worth 10,000 coins in total, within a single LIVE "
            "stream. 2 levels on the way, each extending the deadline.",
            id="stream-extending",
        ),
        pytest.param(
            "creator",
            "[{target: 1000, extend_by: 5m}, {target: 3000}]",
            "Together, a creator's viewers: send gifts worth 10,000 coins in total, within a single LIVE stream. "
            "2 levels on the way, 1 of them extending the deadline.",
            id="creator-some-extending",
        ),
        pytest.param(
            "creator",
            "[{target: 1000}, {target: 3000}, {target: 10000}]",
            "Together, a creator's viewers: send gifts worth 10,000 coins in total, within a single LIVE stream. "
            "3 levels on the way.",
            id="creator-none-extending",
        ),
    ],
)
def test_community_goals(explain: Explain, subject: str, levels: str, says: str) -> None:
    """A community goal says whose goal it is, its levels (and only extensions that exist) and who shares."""
    text = explain(
        f"""\
  - id: goal
    title: Goal
    subject: {subject}
    counts: {{event: gift}}
    measure: {{kind: sum, field: coins}}
    target: 10000
    window: {{kind: stream}}
    community:
      levels: {levels}
      min_contribution: 5
"""
    )
    assert text == f"{says} Contributors of at least 5 share the rewards."


def test_large_numbers_are_written_out(explain: Explain) -> None:
    """The largest target a pack may have is explained in full, with thousands separators."""
    text = explain("  - {id: m, title: M, counts: {event: like}, target: 999999999999}\n")
    assert text == "Give 999,999,999,999 likes, during the fest."
    text = explain(
        "  - {id: m, title: M, counts: {event: view}, measure: {kind: sum, field: seconds}, target: 8640000000}\n"
    )
    assert text == "Watch LIVE streams for 100000 days in total, during the fest."


# =========================================================================== the bundled pack


@pytest.fixture(scope="module")
def fest() -> Fest:
    return load_fest(PACK)


def test_explain_every_bundled_mission(fest: Fest) -> None:
    """explain_fest explains every mission in pack order, each as sentences ending with a full stop."""
    explained = explain_fest(fest)
    assert [mission_id for mission_id, _ in explained] == list(fest.missions)
    for mission_id, text in explained:
        assert text.endswith("."), mission_id
        assert "  " not in text, mission_id
        assert text[0].isupper(), mission_id


def test_explain_bundled_examples(fest: Fest) -> None:
    """A few bundled missions, word for word."""
    explained = dict(explain_fest(fest))
    assert (
        explained["daily_check_in"]
        == "Check in once, daily (resets 00:00 America/Los_Angeles). Reward: 10 fest points."
    )
    assert explained["fest_shopper_regular"] == (
        "Make 2 purchases worth between 5 and 500 USD, during the fest. Unlocks after mission 'First LIVE order'. "
        "Reward: LIVE Shopper badge (regular) and 2.00 USD shopping credit from budget mission_credit_pool, "
        "valid for 14 days."
    )
    assert explained["creator_week_goal"] == (
        "Together, a creator's viewers: send gifts worth 20,000 coins in total, weekly (resets Monday 00:00 "
        "America/Los_Angeles). 3 levels on the way. Contributors of at least 50 share the rewards. "
        "Reward: Gift Rush crew badge (champion) and 100 Fan Club points."
    )


def test_explain_one_and_unknown(fest: Fest) -> None:
    """explain_fest with an id explains that mission only; an unknown id is a KeyError."""
    assert explain_fest(fest, "daily_check_in") == [
        ("daily_check_in", "Check in once, daily (resets 00:00 America/Los_Angeles). Reward: 10 fest points.")
    ]
    with pytest.raises(KeyError):
        explain_fest(fest, "daily_check_inn")
