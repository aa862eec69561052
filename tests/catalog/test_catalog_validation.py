"""Every validation rule of a fest pack: its message, and the file, line and column it points at.

Each test writes a small pack as YAML text into ``tmp_path`` (one file per section, so line
numbers are small and exact) and checks the problems that :func:`festengine.load_fest` reports.
The base pack below is valid; a test replaces one or more of its files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from festengine import FestValidationError, Problem, load_fest

FEST = """\
fest:
  id: spring_fest
  name: Spring Fest
  timezone: UTC
  starts_at: "2026-06-01T00:00:00Z"
  ends_at: "2026-06-22T00:00:00Z"
  phases:
    - {id: week1, name: Week 1, starts_at: "2026-06-01T00:00:00Z", ends_at: "2026-06-08T00:00:00Z"}
"""

ECONOMY = """\
economy:
  currency: USD
  coin_value: {app: "0.0143"}
  default_channel: app
  split: {creator: "0.5", platform: "0.5"}
  gifts:
    - {id: rose, name: Rose, coins: 1}
  budgets:
    - {id: pool, amount: "100.00"}
"""

BADGES = """\
badges:
  - {id: star, name: Star, tiers: [bronze, silver]}
"""

MISSIONS = """\
missions:
  - id: likes
    title: Likes
    counts: {event: like}
    target: 3
"""

CONVERSION = (
    '    - {{id: {id}, valid_from: "2026-06-{start:02d}T00:00:00Z", valid_to: "2026-06-{end:02d}T00:00:00Z",'
    " budget: {budget}{extra}}}\n"
)


def conversions(*rows: tuple[str, int, int], budget: str = "pool", extra: str = "") -> str:
    """The base economy with conversions ``(id, first day, end day)`` in June 2026."""
    return (
        ECONOMY
        + "  conversions:\n"
        + "".join(CONVERSION.format(id=i, start=s, end=e, budget=budget, extra=extra) for i, s, e in rows)
    )


Pack = Callable[..., Path]


@pytest.fixture
def pack(tmp_path: Path) -> Pack:
    """Writes the base pack with some files replaced (``name=text``; ``None`` leaves a file out)."""

    def write(**files: str | None) -> Path:
        texts = {"fest": FEST, "economy": ECONOMY, "badges": BADGES, "missions": MISSIONS, **files}
        for name, text in texts.items():
            if text is not None:
                (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
        return tmp_path

    return write


def problems_of(path: Path) -> tuple[Problem, ...]:
    with pytest.raises(FestValidationError) as raised:
        load_fest(path)
    return raised.value.problems


def only_problem(path: Path) -> Problem:
    problems = problems_of(path)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def pointed_at(problem: Problem) -> str:
    """The source text from the problem's line and column on (to read in a failed assertion)."""
    if problem.line is None:
        return ""
    line = Path(problem.file).read_text(encoding="utf-8").splitlines()[problem.line - 1]
    return line[(problem.column or 1) - 1 :]


def assert_problem(problem: Problem, file: str, line: int, column: int, path: str, *says: str) -> None:
    """The problem is in ``file`` at ``line:column``, at document ``path``, and its message has every ``says``."""
    where = (Path(problem.file).name, problem.line, problem.column, problem.path)
    assert where == (file, line, column, path), f"{problem}\n  points at: {pointed_at(problem)!r}"
    for fragment in says:
        assert fragment in problem.message, f"{fragment!r} not in {problem.message!r}"


def test_base_pack_is_valid(pack: Pack) -> None:
    """The base pack the other tests start from loads without problems."""
    fest = load_fest(pack())
    assert list(fest.missions) == ["likes"]


# =========================================================================== types and keys


def test_unknown_key_with_did_you_mean(pack: Pack) -> None:
    """An unknown key points at the key itself, suggests the closest allowed key and lists them all."""
    missions = """\
missions:
  - id: likes
    title: Likes
    countz: {event: like}
    target: 3
"""
    problems = problems_of(pack(missions=missions))
    assert len(problems) == 2  # the misspelt key, and the required key it was meant to be
    assert_problem(problems[0], "missions.yaml", 2, 5, "missions[0].counts", "missing required key 'counts'")
    assert_problem(
        problems[1],
        "missions.yaml",
        4,
        5,
        "missions[0].countz",
        "unknown key 'countz' (did you mean 'counts'?)",
        "allowed keys here: id, title, description, subject, counts, measure, target, window",
    )


def test_unknown_top_level_key(pack: Pack) -> None:
    """A misspelt section name is an unknown key of the document, with a suggestion."""
    problem = only_problem(pack(missions=MISSIONS.replace("missions:", "mision: []\nmissions:")))
    assert_problem(
        problem, "missions.yaml", 1, 1, "mision", "unknown key 'mision' (did you mean 'missions'?)", "fest, economy"
    )


def test_unknown_key_in_flow_mapping(pack: Pack) -> None:
    """An unknown operator inside a flow mapping is located at its own column."""
    missions = """\
missions:
  - id: likes
    title: Likes
    counts: {event: like, where: {count: {atleast: 3}}}
    target: 3
"""
    problem = only_problem(pack(missions=missions))
    assert_problem(
        problem,
        "missions.yaml",
        4,
        43,
        "missions[0].counts.where.count.atleast",
        "unknown key 'atleast' (did you mean 'at_least'?)",
        "allowed keys here: equals, one_of, at_least, at_most, between, contains",
    )


def test_missing_key_points_at_its_mapping(pack: Pack) -> None:
    """A missing required key is named after its mapping and located where that mapping starts."""
    missions = """\
missions:
  - id: likes
    title: Likes
    counts: {event: like}
"""
    problem = only_problem(pack(missions=missions))
    assert_problem(problem, "missions.yaml", 2, 5, "missions[0].target", "missing required key 'target'")


def test_missing_section(pack: Pack) -> None:
    """A pack without a fest section says so, naming the first file of the pack."""
    problem = only_problem(pack(fest=None))
    assert_problem(problem, "badges.yaml", 1, 1, "fest", "missing required key 'fest'")


@pytest.mark.parametrize(
    ("line", "column", "path", "says"),
    [
        pytest.param(4, 13, "missions[0].counts", "expected a mapping of keys, got str 'like'", id="mapping"),
        pytest.param(5, 13, "missions[0].target", "expected a number, got 'lots'", id="number"),
        pytest.param(6, 13, "missions[0].repeat", "expected a whole number, got 1.5", id="whole-number"),
        pytest.param(7, 14, "missions[0].rewards", "expected a list (items starting with '- '), got dict", id="list"),
        pytest.param(8, 26, "missions[0].requires.missions", "expected a list", id="list-of-ids"),
    ],
)
def test_wrong_types(pack: Pack, line: int, column: int, path: str, says: str) -> None:
    """A value of the wrong type says what type is expected and what was written, at the value."""
    missions = """\
missions:
  - id: likes
    title: Likes
    counts: like
    target: lots
    repeat: 1.5
    rewards: {points: 1}
    requires: {missions: other}
"""
    problems = {p.path: p for p in problems_of(pack(missions=missions))}
    assert len(problems) == 5
    assert_problem(problems[path], "missions.yaml", line, column, path, says)


def test_bad_literal_with_suggestion(pack: Pack) -> None:
    """A word outside a fixed set suggests the closest one and lists them all."""
    missions = """\
missions:
  - id: likes
    title: Likes
    subject: veiwer
    counts: {event: like}
    target: 3
"""
    problem = only_problem(pack(missions=missions))
    assert_problem(
        problem,
        "missions.yaml",
        4,
        14,
        "missions[0].subject",
        "'veiwer' is not allowed here (did you mean 'viewer'?); write one of: viewer, creator, stream",
    )


def test_bad_week_start_with_suggestion(pack: Pack) -> None:
    """week_starts_on takes a full weekday name; an abbreviation gets the full name suggested."""
    fest = FEST.replace("  timezone: UTC\n", "  timezone: UTC\n  week_starts_on: mon\n")
    problem = only_problem(pack(fest=fest))
    assert_problem(
        problem, "fest.yaml", 5, 19, "fest.week_starts_on", "'mon' is not allowed here (did you mean 'monday'?)"
    )


@pytest.mark.parametrize(
    ("line", "column", "path", "says"),
    [
        pytest.param(5, 14, "missions[0].measure", "unknown kind 'summ' (did you mean 'sum'?)", id="measure"),
        pytest.param(6, 13, "missions[0].window", "unknown kind 'daly' (did you mean 'daily'?)", id="window"),
    ],
)
def test_bad_kind_with_suggestion(pack: Pack, line: int, column: int, path: str, says: str) -> None:
    """An unknown kind of measure or window suggests the closest kind and lists them all."""
    missions = """\
missions:
  - id: likes
    title: Likes
    counts: {event: like}
    measure: {kind: summ, field: count}
    window: {kind: daly}
    target: 3
"""
    problems = {p.path: p for p in problems_of(pack(missions=missions))}
    assert len(problems) == 2
    assert_problem(problems[path], "missions.yaml", line, column, path, says, "write one of: ")
    assert "count, sum, distinct, streak" in problems["missions[0].measure"].message
    assert "fest, phase, daily, weekly, stream, between" in problems["missions[0].window"].message


def test_bad_trigger_kind(pack: Pack) -> None:
    """An unknown promotion trigger kind suggests the closest one."""
    promotions = """\
promotions:
  - id: sale
    title: Sale
    trigger: {kind: schedul, starts_at: "2026-06-02T00:00:00Z", ends_at: "2026-06-03T00:00:00Z"}
    discount: {percent: "10"}
"""
    problem = only_problem(pack(promotions=promotions))
    assert_problem(
        problem,
        "promotions.yaml",
        4,
        14,
        "promotions[0].trigger",
        "unknown kind 'schedul' (did you mean 'schedule'?); write one of: schedule, mission, goal",
    )


def test_missing_kind(pack: Pack) -> None:
    """A window without kind asks for the key that says which kind it is."""
    missions = """\
missions:
  - id: likes
    title: Likes
    counts: {event: like}
    target: 3
    window: {phase: week1}
"""
    problem = only_problem(pack(missions=missions))
    assert_problem(problem, "missions.yaml", 6, 13, "missions[0].window", "missing key 'kind' that says which kind")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        pytest.param('"3 days"', "'3 days' is not a duration; write it like '15m', '2h', '7d' or '1h30m'", id="words"),
        pytest.param("-60", "-60 is negative", id="negative-seconds"),
        pytest.param("true", "a duration is written like", id="boolean"),
        pytest.param("99999999999d", "'99999999999d' is too long for a duration", id="too-long"),
        pytest.param("99999999999999999999", "is too long for a duration", id="too-many-seconds"),
    ],
)
def test_bad_duration(pack: Pack, value: str, says: str) -> None:
    """A duration must be written like '15m', '2h', '7d' or '1h30m' (or whole seconds, not negative)."""
    missions = f"""\
missions:
  - id: likes
    title: Likes
    counts: {{event: like}}
    target: 3
    claim: {{mode: manual, within: {value}}}
"""
    problem = only_problem(pack(missions=missions))
    assert_problem(problem, "missions.yaml", 6, 35, "missions[0].claim.within", says)


def test_bad_duration_in_fest(pack: Pack) -> None:
    """allowed_lateness is a duration too."""
    fest = FEST.replace("  timezone: UTC\n", "  timezone: UTC\n  allowed_lateness: 10 minutes\n")
    problem = only_problem(pack(fest=fest))
    assert_problem(problem, "fest.yaml", 5, 21, "fest.allowed_lateness", "'10 minutes' is not a duration")


def test_naive_datetimes(pack: Pack) -> None:
    """A time without a time zone (or a bare date) is refused, with an example of an aware time."""
    fest = FEST.replace(
        'starts_at: "2026-06-01T00:00:00Z"\n  ends_at: "2026-06-22T00:00:00Z"',
        'starts_at: "2026-06-01T00:00:00"\n  ends_at: 2026-06-22',
    )
    problems = problems_of(pack(fest=fest))
    assert len(problems) == 2
    assert_problem(
        problems[0],
        "fest.yaml",
        5,
        14,
        "fest.starts_at",
        "'2026-06-01T00:00:00' has no time zone; add one, e.g. 2026-06-15T00:00:00-07:00 or …Z for UTC",
    )
    assert_problem(problems[1], "fest.yaml", 6, 12, "fest.ends_at", "'2026-06-22' has no time zone")


def test_not_a_datetime(pack: Pack) -> None:
    """Words where a time is expected say how to write a time."""
    missions = """\
missions:
  - id: likes
    title: Likes
    counts: {event: like}
    target: 3
    window: {kind: between, starts_at: next monday, ends_at: "2026-06-03T00:00:00Z"}
"""
    problem = only_problem(pack(missions=missions))
    assert_problem(
        problem,
        "missions.yaml",
        6,
        40,
        "missions[0].window.starts_at",
        "'next monday' is not a date and time; write it like 2026-06-15T00:00:00-07:00",
    )


def test_unknown_time_zone_with_suggestion(pack: Pack) -> None:
    """The fest's time zone must be an IANA name; a misspelt one gets the closest suggested."""
    problem = only_problem(pack(fest=FEST.replace("timezone: UTC", "timezone: Europe/Pariss")))
    assert_problem(
        problem,
        "fest.yaml",
        4,
        13,
        "fest.timezone",
        "unknown time zone 'Europe/Pariss' (did you mean 'Europe/Paris'?); write an IANA name such as",
    )


@pytest.mark.parametrize(
    ("line", "column", "path", "says"),
    [
        pytest.param(5, 13, "missions[0].target", "-3 is negative; write a number greater than 0", id="target"),
        pytest.param(
            7, 18, "missions[0].rewards[0].credit", "-1.00 is negative; write a number greater than 0", id="credit"
        ),
        pytest.param(8, 18, "missions[0].rewards[1].points", "0 is too small; write 1 or more", id="points"),
    ],
)
def test_negative_amounts(pack: Pack, line: int, column: int, path: str, says: str) -> None:
    """Targets, credits and points must be positive; the message says what to write instead."""
    missions = """\
missions:
  - id: likes
    title: Likes
    counts: {event: like}
    target: -3
    rewards:
      - {credit: "-1.00", budget: pool}
      - {points: 0}
"""
    problems = {p.path: p for p in problems_of(pack(missions=missions))}
    assert len(problems) == 3
    assert_problem(problems[path], "missions.yaml", line, column, path, says)


def test_negative_budget(pack: Pack) -> None:
    """A budget amount may be 0 but not negative."""
    problem = only_problem(pack(economy=ECONOMY.replace('amount: "100.00"', 'amount: "-1"')))
    assert_problem(problem, "economy.yaml", 9, 26, "economy.budgets[0].amount", "-1 is negative; write 0 or more")


@pytest.mark.parametrize(
    ("economy", "line", "column", "path"),
    [
        pytest.param(ECONOMY.replace('creator: "0.5"', 'creator: "1.5"'), 5, 20, "economy.split.creator", id="split"),
        pytest.param(
            ECONOMY
            + '  conversions:\n    - {id: c, valid_from: "2026-06-01T00:00:00Z", valid_to: "2026-06-02T00:00:00Z",'
            ' budget: pool, viewer_credit_rate: "2"}\n',
            11,
            119,
            "economy.conversions[0].viewer_credit_rate",
            id="conversion",
        ),
    ],
)
def test_rate_above_one(pack: Pack, economy: str, line: int, column: int, path: str) -> None:
    """A rate is a fraction between 0 and 1."""
    problem = only_problem(pack(economy=economy))
    assert_problem(problem, "economy.yaml", line, column, path, "is too large; write 1 or less")


def test_commission_boost_and_rule_rates_above_one(pack: Pack) -> None:
    """A commission boost and a commission rule's rate are fractions between 0 and 1 too."""
    missions = MISSIONS + '    rewards:\n      - {commission_boost: "1.5", duration: 1d}\n'
    commission = 'commission:\n  rules:\n    - {id: open, rate: "1.2"}\n'
    problems = problems_of(pack(missions=missions, commission=commission))
    assert len(problems) == 2
    assert_problem(
        problems[0], "commission.yaml", 3, 24, "commission.rules[0].rate", "1.2 is too large; write 1 or less"
    )
    assert_problem(
        problems[1],
        "missions.yaml",
        7,
        28,
        "missions[0].rewards[0].commission_boost",
        "1.5 is too large; write 1 or less",
    )


def test_reward_with_unknown_key(pack: Pack) -> None:
    """A reward is named by its key: a misspelt key gets the closest reward suggested."""
    missions = MISSIONS + "    rewards:\n      - {badges: star, tier: bronze}\n"
    problem = only_problem(pack(missions=missions))
    assert_problem(
        problem,
        "missions.yaml",
        7,
        9,
        "missions[0].rewards[0]",
        "unknown reward 'badges' (did you mean 'badge'?)",
        "a reward names one of: badge (with tier), points, credit (with budget), fan_club_points, promotion,"
        " commission_boost (with duration)",
    )


def test_reward_with_extra_key(pack: Pack) -> None:
    """A key that does not belong to the reward is named, at the key, with the keys this reward allows."""
    missions = (
        MISSIONS + "    rewards:\n      - {points: 3, extra: 1}\n      - {credit: '1.00', budget: pool, points: 3}\n"
    )
    problems = problems_of(pack(missions=missions))
    assert len(problems) == 2
    assert_problem(
        problems[0],
        "missions.yaml",
        7,
        21,
        "missions[0].rewards[0].extra",
        "unknown key 'extra'",
        "allowed keys here: points",
    )
    assert_problem(
        problems[1],
        "missions.yaml",
        8,
        40,
        "missions[0].rewards[1].points",
        "unknown key 'points'",
        "allowed keys here: credit, budget",
    )


def test_reward_missing_its_partner_key(pack: Pack) -> None:
    """A badge reward needs a tier, a credit a budget, a boost a duration: named at the reward."""
    missions = MISSIONS + (
        "    rewards:\n      - {badge: star}\n      - {credit: '1.00'}\n      - {commission_boost: '0.1'}\n      - 7\n"
    )
    problems = problems_of(pack(missions=missions))
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (7, 9, "missions[0].rewards[0].tier", "missing required key 'tier'"),
        (8, 9, "missions[0].rewards[1].budget", "missing required key 'budget'"),
        (9, 9, "missions[0].rewards[2].duration", "missing required key 'duration'"),
        (
            10,
            9,
            "missions[0].rewards[3]",
            "a reward names one of: badge (with tier), points, credit (with budget), fan_club_points, promotion,"
            " commission_boost (with duration)",
        ),
    ]


@pytest.mark.parametrize(
    ("file", "text", "line", "column", "path", "says"),
    [
        pytest.param(
            "missions",
            MISSIONS.replace("id: likes", "id: Daily Likes"),
            2,
            9,
            "missions[0].id",
            "'Daily Likes' is not an id; write lower-case letters, digits, '_' and '-'",
            id="id",
        ),
        pytest.param(
            "economy",
            ECONOMY.replace("currency: USD", "currency: usd"),
            2,
            13,
            "economy.currency",
            "'usd' is not a currency code; write three capital letters, e.g. 'USD'",
            id="currency",
        ),
        pytest.param(
            "scoring",
            'scoring:\n  multipliers:\n    - {from_time: "25:00", to_time: "23:59", factor: "2"}\n',
            3,
            19,
            "scoring.multipliers[0].from_time",
            "'25:00' is not a time of day; write HH:MM from 00:00 to 23:59",
            id="time-of-day",
        ),
    ],
)
def test_text_of_the_wrong_form(pack: Pack, file: str, text: str, line: int, column: int, path: str, says: str) -> None:
    """Ids, currency codes and times of day have a fixed form; the message says it in words, not as a regex."""
    problem = only_problem(pack(**{file: text}))
    assert_problem(problem, f"{file}.yaml", line, column, path, says)


# =========================================================================== duplicates


DUPLICATES = [
    # (kind, file, text, line, column, path, first use)
    (
        "phase",
        "fest",
        FEST + '    - {id: week1, name: W, starts_at: "2026-06-08T00:00:00Z", ends_at: "2026-06-15T00:00:00Z"}\n',
        9,
        12,
        "fest.phases[1].id",
        "fest.phases[0]",
    ),
    ("gift", "economy", ECONOMY.replace("  budgets:", "    - {id: rose, name: Red rose, coins: 2}\n  budgets:"), 8, 12,
     "economy.gifts[1].id", "economy.gifts[0]"),
    ("budget", "economy", ECONOMY + '    - {id: pool, amount: "5.00"}\n', 10, 12, "economy.budgets[1].id",
     "economy.budgets[0]"),
    (
        "conversion",
        "economy",
        conversions(("c", 1, 2), ("c", 2, 3)),
        12,
        12,
        "economy.conversions[1].id",
        "economy.conversions[0]",
    ),
    ("badge", "badges", BADGES + "  - {id: star, name: Star 2, tiers: [gold]}\n", 3, 10, "badges[1].id", "badges[0]"),
    ("mission", "missions", MISSIONS + "  - {id: likes, title: L2, counts: {event: like}, target: 1}\n", 6, 10,
     "missions[1].id", "missions[0]"),
    ("journey", "journeys", "journeys:\n  - {id: j, title: J, steps: [mission: likes]}\n"
     "  - {id: j, title: J2, steps: [mission: likes]}\n", 3, 10, "journeys[1].id", "journeys[0]"),
    (
        "promotion",
        "promotions",
        "promotions:\n"
        + '  - {id: p, title: P, trigger: {kind: mission, mission: likes}, discount: {percent: "5"}, duration: 1h}\n'
        + '  - {id: p, title: Q, trigger: {kind: mission, mission: likes}, discount: {percent: "5"}, duration: 1h}\n',
        3,
        10,
        "promotions[1].id",
        "promotions[0]",
    ),
    ("leaderboard", "leaderboards", "leaderboards:\n" + "  - {id: top, title: Top, ranks: viewers, by: points}\n" * 2,
     3, 10, "leaderboards[1].id", "leaderboards[0]"),
    ("commission rule", "commission", 'commission:\n  rules:\n' + '    - {id: r, rate: "0.1"}\n' * 2, 4, 12,
     "commission.rules[1].id", "commission.rules[0]"),
    (
        "bonus window",
        "commission",
        "commission:\n  bonus_windows:\n"
        + '    - {id: b, starts_at: "2026-06-02T00:00:00Z", ends_at: "2026-06-03T00:00:00Z", extra_rate: "0.01"}\n' * 2,
        4,
        12,
        "commission.bonus_windows[1].id",
        "commission.bonus_windows[0]",
    ),
    ("fan club task", "fan_club", "fan_club:\n  levels: [{level: 1, points: 0}]\n  tasks:\n"
     + "    - {id: t, counts: {event: like}, points: 1}\n" * 2, 5, 12, "fan_club.tasks[1].id", "fan_club.tasks[0]"),
    ("scoring rule", "scoring", "scoring:\n  rules:\n" + "    - {id: s, counts: {event: like}, points: 1}\n" * 2, 4, 12,
     "scoring.rules[1].id", "scoring.rules[0]"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "file", "text", "line", "column", "path", "first"), DUPLICATES, ids=[d[0] for d in DUPLICATES]
)
def test_duplicate_ids(
    pack: Pack, kind: str, file: str, text: str, line: int, column: int, path: str, first: str
) -> None:
    """Two items of one kind with the same id: the second is reported, naming the first by its full path."""
    problem = only_problem(pack(**{file: text}))
    assert_problem(
        problem,
        f"{file}.yaml",
        line,
        column,
        path,
        f"duplicate {kind} id",
        f"(first used by {first}); give each {kind} its own id",
    )


def test_duplicate_tiers(pack: Pack) -> None:
    """A badge's tiers must all differ."""
    problem = only_problem(pack(badges="badges:\n  - {id: star, name: Star, tiers: [bronze, silver, bronze]}\n"))
    assert_problem(problem, "badges.yaml", 2, 35, "badges[0].tiers", "a badge's tiers must all differ")


def test_duplicate_tiktok_gift_ids(pack: Pack) -> None:
    """Two gifts with the same ``tiktok_gift_id``: the second is reported, naming the first gift."""
    gifts = "    - {id: rose, name: Rose, coins: 1, tiktok_gift_id: 5655}\n"
    gifts += "    - {id: red_rose, name: Red rose, coins: 1, tiktok_gift_id: 5655}\n"
    economy = ECONOMY.replace("    - {id: rose, name: Rose, coins: 1}\n", gifts)
    problem = only_problem(pack(economy=economy))
    assert_problem(
        problem,
        "economy.yaml",
        8,
        64,
        "economy.gifts[1].tiktok_gift_id",
        "tiktok_gift_id 5655 is also the id of gift 'rose'; each TikTok gift maps to one gift of the catalogue",
    )


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("0", "0 is too small; write 1 or more"),
        ("9223372036854775808", "is too large; write 9223372036854775807 or less"),
        ("true", "expected a whole number, got true"),
    ],
)
def test_tiktok_gift_id_is_a_positive_64_bit_whole_number(pack: Pack, value: str, says: str) -> None:
    """``tiktok_gift_id`` is a whole number from 1 to 2^63 - 1 (TikTok's ids are signed 64-bit numbers)."""
    gift = f"    - {{id: rose, name: Rose, coins: 1, tiktok_gift_id: {value}}}\n"
    problem = only_problem(pack(economy=ECONOMY.replace("    - {id: rose, name: Rose, coins: 1}\n", gift)))
    assert problem.path == "economy.gifts[0].tiktok_gift_id"
    assert says in problem.message


def test_tiktok_gift_ids_compiled(pack: Pack) -> None:
    """Distinct ``tiktok_gift_id`` values are accepted and reach the compiled gift; a gift without one has None."""
    gifts = "    - {id: rose, name: Rose, coins: 1, tiktok_gift_id: 5655}\n"
    gifts += "    - {id: panda, name: Panda, coins: 5, tiktok_gift_id: 37}\n    - {id: star, name: Star, coins: 2}\n"
    fest = load_fest(pack(economy=ECONOMY.replace("    - {id: rose, name: Rose, coins: 1}\n", gifts)))
    assert {g.id: g.tiktok_gift_id for g in fest.economy.gifts.values()} == {"rose": 5655, "panda": 37, "star": None}


# =========================================================================== references


def test_unknown_badge_and_tier_in_rewards(pack: Pack) -> None:
    """A badge reward names a known badge (with suggestion) and one of its tiers (listing them)."""
    missions = MISSIONS + "    rewards:\n      - {badge: stars, tier: bronze}\n      - {badge: star, tier: gold}\n"
    problems = problems_of(pack(missions=missions))
    assert len(problems) == 2
    assert_problem(
        problems[0],
        "missions.yaml",
        7,
        17,
        "missions[0].rewards[0].badge",
        "unknown badge 'stars' (did you mean 'star'?)",
    )
    assert_problem(
        problems[1],
        "missions.yaml",
        8,
        29,
        "missions[0].rewards[1].tier",
        "badge 'star' has no tier 'gold'; its tiers are bronze, silver",
    )


def test_unknown_tier_with_suggestion(pack: Pack) -> None:
    """A misspelt tier gets the closest tier of that badge suggested."""
    missions = MISSIONS + "    rewards:\n      - {badge: star, tier: silvr}\n"
    problem = only_problem(pack(missions=missions))
    assert_problem(
        problem, "missions.yaml", 7, 29, "missions[0].rewards[0].tier", "no tier 'silvr' (did you mean 'silver'?)"
    )


def test_unknown_badge_without_close_match_lists_known(pack: Pack) -> None:
    """An unknown id with nothing close lists the known ids instead."""
    missions = MISSIONS + "    requires: {badge: {badge: zebra, tier: bronze}}\n"
    problem = only_problem(pack(missions=missions))
    assert_problem(
        problem, "missions.yaml", 6, 31, "missions[0].requires.badge.badge", "unknown badge 'zebra'; known ones: star"
    )


def test_unknown_budget_and_promotion(pack: Pack) -> None:
    """Credit rewards draw on a known budget; promotion rewards name a known promotion."""
    missions = MISSIONS + "    rewards:\n      - {credit: '1.00', budget: pol}\n      - {promotion: flash}\n"
    problems = problems_of(pack(missions=missions))
    assert len(problems) == 2
    assert_problem(
        problems[0],
        "missions.yaml",
        7,
        34,
        "missions[0].rewards[0].budget",
        "unknown budget 'pol' (did you mean 'pool'?)",
    )
    assert_problem(
        problems[1],
        "missions.yaml",
        8,
        21,
        "missions[0].rewards[1].promotion",
        "unknown promotion 'flash'; define the promotion first",
    )


def test_unknown_mission_in_prerequisites(pack: Pack) -> None:
    """A prerequisite names a known mission."""
    missions = MISSIONS + "    requires: {missions: [like]}\n"
    problem = only_problem(pack(missions=missions))
    assert_problem(
        problem,
        "missions.yaml",
        6,
        27,
        "missions[0].requires.missions[0]",
        "unknown mission 'like' (did you mean 'likes'?)",
    )


def test_unknown_gift(pack: Pack) -> None:
    """The Fan Club's join gift is a gift of the catalogue."""
    fan_club = "fan_club:\n  join_gift: roses\n  levels: [{level: 1, points: 0}]\n"
    problem = only_problem(pack(fan_club=fan_club))
    assert_problem(problem, "fan_club.yaml", 2, 14, "fan_club.join_gift", "unknown gift 'roses' (did you mean 'rose'?)")


def test_unknown_phase(pack: Pack) -> None:
    """A phase window names a phase of the fest."""
    missions = MISSIONS + "    window: {kind: phase, phase: week2}\n"
    problem = only_problem(pack(missions=missions))
    assert_problem(problem, "missions.yaml", 6, 34, "missions[0].window.phase", "unknown phase 'week2'")


def test_unknown_event_type(pack: Pack) -> None:
    """A filter names an event type of the vocabulary, with suggestion."""
    problem = only_problem(pack(missions=MISSIONS.replace("event: like", "event: lik")))
    assert_problem(
        problem, "missions.yaml", 4, 21, "missions[0].counts.event", "unknown event type 'lik' (did you mean 'like'?)"
    )


def test_unknown_coin_channel(pack: Pack) -> None:
    """The default channel has a coin value."""
    problem = only_problem(pack(economy=ECONOMY.replace("default_channel: app", "default_channel: ap")))
    assert_problem(
        problem, "economy.yaml", 4, 20, "economy.default_channel", "unknown coin channel 'ap' (did you mean 'app'?)"
    )


def test_fan_club_references_without_fan_club(pack: Pack) -> None:
    """fan_club_points rewards and fan_club_level prerequisites need a fan_club section."""
    missions = MISSIONS + "    requires: {fan_club_level: 2}\n    rewards:\n      - {fan_club_points: 5}\n"
    problems = problems_of(pack(missions=missions))
    assert len(problems) == 2
    assert_problem(
        problems[0],
        "missions.yaml",
        6,
        32,
        "missions[0].requires.fan_club_level",
        "a fan_club_level prerequisite needs a fan_club section in the pack",
    )
    assert_problem(
        problems[1],
        "missions.yaml",
        8,
        9,
        "missions[0].rewards[0]",
        "a fan_club_points reward needs a fan_club section in the pack",
    )


def test_fan_club_level_above_the_top(pack: Pack) -> None:
    """A fan_club_level prerequisite cannot exceed the Fan Club's highest level."""
    fan_club = "fan_club:\n  levels: [{level: 1, points: 0}, {level: 2, points: 10}]\n"
    missions = MISSIONS + "    requires: {fan_club_level: 3}\n"
    problem = only_problem(pack(fan_club=fan_club, missions=missions))
    assert_problem(
        problem, "missions.yaml", 6, 32, "missions[0].requires.fan_club_level", "the fan club's highest level is 2"
    )


# =========================================================================== event filters and measures


def test_filter_on_unknown_field(pack: Pack) -> None:
    """A condition names a field of its event type (with suggestion), listing the fields."""
    missions = MISSIONS.replace("{event: like}", "{event: like, where: {cont: {at_least: 5}}}")
    problem = only_problem(pack(missions=missions))
    assert_problem(
        problem,
        "missions.yaml",
        4,
        41,
        "missions[0].counts.where.cont",
        "a like event has no field 'cont' (did you mean 'count'?); "
        "its fields are count, creator_id, stream_id, user_id",
    )


@pytest.mark.parametrize(
    ("condition", "column", "path", "says"),
    [
        pytest.param(
            "gift_id: {at_least: 3}",
            55,
            "missions[0].counts.where.gift_id.at_least",
            "at_least compares numbers, but 'gift_id' is text; use equals or one_of",
            id="at_least-on-text",
        ),
        pytest.param(
            "channel: {between: [1, 2]}",
            54,
            "missions[0].counts.where.channel.between",
            "between compares numbers, but 'channel' is text",
            id="between-on-text",
        ),
        pytest.param(
            "coins: {contains: x}",
            53,
            "missions[0].counts.where.coins.contains",
            "contains looks inside text, but 'coins' is number",
            id="contains-on-number",
        ),
        pytest.param(
            "coins: {between: [100, 10]}",
            52,
            "missions[0].counts.where.coins.between",
            "between takes [low, high] with low <= high",
            id="between-reversed",
        ),
        pytest.param(
            "coins: {at_least: 1, at_most: 5}",
            42,
            "missions[0].counts.where.coins",
            "write exactly one of: equals, one_of, at_least, at_most, between, contains",
            id="two-operators",
        ),
        pytest.param(
            "coins: {}",
            42,
            "missions[0].counts.where.coins",
            "write exactly one of",
            id="no-operator",
        ),
        pytest.param(
            "gift_id: {equals: 7}",
            53,
            "missions[0].counts.where.gift_id.equals",
            "'gift_id' is text, so 7 never matches it; put the value in quotes: '7'",
            id="number-for-text",
        ),
        pytest.param(
            "coins: {one_of: [5, lots]}",
            51,
            "missions[0].counts.where.coins.one_of",
            "'coins' is a number, so 'lots' never matches it; write a number, unquoted",
            id="text-for-number",
        ),
    ],
)
def test_wrong_operator_for_the_field_kind(pack: Pack, condition: str, column: int, path: str, says: str) -> None:
    """Operators must fit the field's kind (numbers compare, text contains) and values its type."""
    missions = MISSIONS.replace("{event: like}", "{event: gift, where: {" + condition + "}}")
    problem = only_problem(pack(missions=missions))
    assert_problem(problem, "missions.yaml", 4, column, path, says)


def test_user_id_is_a_field_of_every_event(pack: Pack) -> None:
    """user_id may be filtered and measured on any event (e.g. distinct contributors)."""
    missions = MISSIONS.replace("{event: like}", "{event: like, where: {user_id: {one_of: [u1, u2, u3]}}}")
    missions += "    subject: creator\n    measure: {kind: distinct, field: user_id}\n"
    assert load_fest(pack(missions=missions)).missions["likes"].measure.field == "user_id"


def test_measure_on_unknown_field(pack: Pack) -> None:
    """A distinct or sum measure names a field of the event, with suggestion."""
    missions = MISSIONS + "    measure: {kind: distinct, field: stream}\n"
    problem = only_problem(pack(missions=missions))
    assert_problem(
        problem,
        "missions.yaml",
        6,
        38,
        "missions[0].measure.field",
        "a like event has no field 'stream' (did you mean 'stream_id'?)",
    )


def test_sum_of_a_text_field(pack: Pack) -> None:
    """A sum adds numbers: summing a text field is refused."""
    missions = MISSIONS + "    measure: {kind: sum, field: creator_id}\n"
    problem = only_problem(pack(missions=missions))
    assert_problem(
        problem,
        "missions.yaml",
        6,
        33,
        "missions[0].measure.field",
        "sum needs a number field, but 'creator_id' is text",
    )


def test_fractional_target_of_a_count(pack: Pack) -> None:
    """Count, distinct and streak targets are whole numbers (a sum's need not be), never suggesting 0."""
    missions = MISSIONS.replace("target: 3", "target: 2.5") + (
        "  - {id: half, title: H, counts: {event: like}, target: 0.5}\n"
        "  - {id: coins, title: C, counts: {event: gift}, measure: {kind: sum, field: coins}, target: 2.5}\n"
    )
    problems = problems_of(pack(missions=missions))
    assert len(problems) == 2
    assert_problem(
        problems[0], "missions.yaml", 5, 13, "missions[0].target", "a count target is a whole number; write 2"
    )
    assert_problem(
        problems[1], "missions.yaml", 6, 57, "missions[1].target", "a count target is a whole number; write 1"
    )


def test_points_rule_per_field(pack: Pack) -> None:
    """A points rule's per field names a number field of its event."""
    fan_club = """\
fan_club:
  levels: [{level: 1, points: 0}]
  tasks:
    - {id: watch, counts: {event: view}, points: 1, per: {field: secs, amount: 60}}
    - {id: who, counts: {event: view}, points: 1, per: {field: creator_id, amount: 1}}
"""
    problems = problems_of(pack(fan_club=fan_club))
    assert len(problems) == 2
    assert_problem(
        problems[0],
        "fan_club.yaml",
        4,
        66,
        "fan_club.tasks[0].per.field",
        "a view event has no field 'secs' (did you mean 'seconds'?)",
    )
    assert_problem(
        problems[1],
        "fan_club.yaml",
        5,
        64,
        "fan_club.tasks[1].per.field",
        "needs a number field, but 'creator_id' is text",
    )


# =========================================================================== windows and time


def test_fest_ends_before_it_starts(pack: Pack) -> None:
    """The fest's end must be after its start."""
    fest = (
        FEST.replace('ends_at: "2026-06-22T00:00:00Z"', 'ends_at: "2026-05-22T00:00:00Z"')
        .replace(
            '    - {id: week1, name: Week 1, starts_at: "2026-06-01T00:00:00Z", ends_at: "2026-06-08T00:00:00Z"}\n', ""
        )
        .replace("  phases:\n", "")
    )
    problem = only_problem(pack(fest=fest))
    assert_problem(
        problem, "fest.yaml", 6, 12, "fest.ends_at", "the fest ends before it starts; ends_at must be after starts_at"
    )


@pytest.mark.parametrize(
    ("phase", "says"),
    [
        pytest.param(
            '{id: late, name: Late, starts_at: "2026-06-15T00:00:00Z", ends_at: "2026-06-23T00:00:00Z"}',
            "phase 'late' (2026-06-15T00:00:00+00:00 to 2026-06-23T00:00:00+00:00) is outside the fest "
            "(2026-06-01T00:00:00+00:00 to 2026-06-22T00:00:00+00:00); keep it inside",
            id="outside",
        ),
        pytest.param(
            '{id: back, name: Back, starts_at: "2026-06-15T00:00:00Z", ends_at: "2026-06-14T00:00:00Z"}',
            "phase 'back' ends (2026-06-14T00:00:00+00:00) before it starts (2026-06-15T00:00:00+00:00)",
            id="backwards",
        ),
    ],
)
def test_phase_windows(pack: Pack, phase: str, says: str) -> None:
    """A phase lies inside the fest and ends after it starts."""
    problem = only_problem(pack(fest=FEST + f"    - {phase}\n"))
    assert_problem(problem, "fest.yaml", 9, 7, "fest.phases[1]", says)


@pytest.mark.parametrize(
    ("window", "says"),
    [
        pytest.param(
            'starts_at: "2026-05-31T23:00:00Z", ends_at: "2026-06-02T00:00:00Z"',
            "the window of mission 'likes' (2026-05-31T23:00:00+00:00 to 2026-06-02T00:00:00+00:00) is outside the "
            "fest (2026-06-01T00:00:00+00:00 to 2026-06-22T00:00:00+00:00); keep it inside",
            id="outside",
        ),
        pytest.param(
            'starts_at: "2026-06-03T00:00:00Z", ends_at: "2026-06-02T00:00:00Z"',
            "the window of mission 'likes' ends (2026-06-02T00:00:00+00:00) before it starts",
            id="backwards",
        ),
    ],
)
def test_between_windows(pack: Pack, window: str, says: str) -> None:
    """A mission's explicit window lies inside the fest and ends after it starts."""
    missions = MISSIONS + f"    window: {{kind: between, {window}}}\n"
    problem = only_problem(pack(missions=missions))
    assert_problem(problem, "missions.yaml", 6, 13, "missions[0].window", says)


def test_windows_in_other_time_zones_compare_as_instants(pack: Pack) -> None:
    """A window written in another UTC offset is inside the fest when its instants are."""
    missions = (
        MISSIONS
        + '    window: {kind: between, starts_at: "2026-05-31T20:00:00-04:00", ends_at: "2026-06-01T20:00:00-04:00"}\n'
    )
    assert load_fest(pack(missions=missions)).missions["likes"].window.starts_at is not None


def test_conversion_promotion_and_bonus_windows(pack: Pack) -> None:
    """Conversions, scheduled promotions and bonus windows lie inside the fest and end after they start."""
    economy = conversions(("c", 1, 30))
    promotions = (
        "promotions:\n  - id: sale\n    title: Sale\n"
        '    trigger: {kind: schedule, starts_at: "2026-06-02T00:00:00Z", ends_at: "2026-06-01T12:00:00Z"}\n'
        '    discount: {percent: "10"}\n'
    )
    commission = (
        "commission:\n  bonus_windows:\n"
        '    - {id: late, starts_at: "2026-06-21T00:00:00Z", ends_at: "2026-06-23T00:00:00Z", extra_rate: "0.01"}\n'
    )
    problems = problems_of(pack(economy=economy, promotions=promotions, commission=commission))
    assert [(Path(p.file).name, p.line, p.column, p.path) for p in problems] == [
        ("commission.yaml", 3, 7, "commission.bonus_windows[0]"),
        ("economy.yaml", 11, 7, "economy.conversions[0]"),
        ("promotions.yaml", 4, 14, "promotions[0].trigger"),
    ]
    assert problems[0].message.startswith("bonus window 'late' (2026-06-21T00:00:00+00:00 to 2026-06-23T00:00:00")
    assert "is outside the fest" in problems[0].message
    assert problems[1].message.startswith("conversion 'c' (")
    assert "is outside the fest" in problems[1].message
    assert problems[2].message.startswith("promotion 'sale' ends (2026-06-01T12:00:00+00:00) before it starts")


def test_stream_window_needs_events_with_a_stream(pack: Pack) -> None:
    """A per-stream window counts only events that carry a stream."""
    missions = MISSIONS.replace("event: like", "event: refund") + "    window: {kind: stream}\n"
    problem = only_problem(pack(missions=missions))
    assert_problem(
        problem,
        "missions.yaml",
        6,
        13,
        "missions[0].window",
        "a per-stream window needs events with a stream, and refund has none",
    )


STREAK = """\
missions:
  - id: streak
    title: Streak
    counts: {{event: check_in}}
    measure: {{kind: streak, period: {period}}}
    target: {target}
    window: {window}
"""


@pytest.mark.parametrize(
    ("period", "target", "window", "available"),
    [
        pytest.param("day", 8, "{kind: phase, phase: week1}", "7 days", id="days-in-a-phase"),
        pytest.param("day", 22, "{kind: fest}", "21 days", id="days-in-the-fest"),
        # 2026-06-01 is a Monday: the 21-day fest covers exactly 3 weeks that start on Monday
        pytest.param("week", 4, "{kind: fest}", "3 weeks", id="weeks-in-the-fest"),
        pytest.param("week", 2, "{kind: phase, phase: week1}", "1 weeks", id="weeks-in-a-phase"),
        # a daily window starts a new instance every day, a weekly one every week
        pytest.param("day", 2, "{kind: daily}", "1 days", id="days-in-a-daily-window"),
        pytest.param("day", 8, "{kind: weekly}", "7 days", id="days-in-a-weekly-window"),
        pytest.param("week", 2, "{kind: weekly}", "1 weeks", id="weeks-in-a-weekly-window"),
    ],
)
def test_streak_that_cannot_fit(pack: Pack, period: str, target: int, window: str, available: str) -> None:
    """A streak longer than the local days or weeks one window instance can hold is refused."""
    problem = only_problem(pack(missions=STREAK.format(period=period, target=target, window=window)))
    limit = available.split(maxsplit=1)[0]
    assert_problem(
        problem,
        "missions.yaml",
        6,
        13,
        "missions[0].target",
        f"a streak of {target} {period}s cannot fit in a window of {available}; lower the target to at most {limit}",
    )


@pytest.mark.parametrize(
    ("period", "target", "window"),
    [
        pytest.param("day", 7, "{kind: phase, phase: week1}", id="days-in-a-phase"),
        pytest.param("week", 3, "{kind: fest}", id="weeks-in-the-fest"),
        pytest.param("day", 7, "{kind: weekly}", id="days-in-a-weekly-window"),
        # 36 hours from 18:00 touch 3 calendar days
        pytest.param(
            "day", 3, '{kind: between, starts_at: "2026-06-02T18:00:00Z", ends_at: "2026-06-04T06:00:00Z"}', id="days"
        ),
        # Saturday to the next Tuesday: 4 days in 2 weeks
        pytest.param(
            "week", 2, '{kind: between, starts_at: "2026-06-06T00:00:00Z", ends_at: "2026-06-10T00:00:00Z"}', id="weeks"
        ),
    ],
)
def test_streak_that_fits(pack: Pack, period: str, target: int, window: str) -> None:
    """A streak as long as the local days or weeks its window touches is accepted (no false alarm)."""
    fest = load_fest(pack(missions=STREAK.format(period=period, target=target, window=window)))
    assert fest.missions["streak"].target == target


def test_streak_counts_days_in_the_fest_time_zone(pack: Pack) -> None:
    """Days are local days: a 7 x 24 h fest from noon Los Angeles time touches 8 local days."""
    fest = """\
fest:
  id: spring_fest
  name: Spring Fest
  timezone: America/Los_Angeles
  starts_at: "2026-06-01T12:00:00-07:00"
  ends_at: "2026-06-08T12:00:00-07:00"
  week_starts_on: sunday
"""
    assert load_fest(pack(fest=fest, missions=STREAK.format(period="day", target=8, window="{kind: fest}")))
    problem = only_problem(pack(fest=fest, missions=STREAK.format(period="day", target=9, window="{kind: fest}")))
    assert_problem(problem, "missions.yaml", 6, 13, "missions[0].target", "cannot fit in a window of 8 days")
    # Monday 1 June to Monday 8 June touch two weeks that start on Sunday (31 May and 7 June)
    assert load_fest(pack(fest=fest, missions=STREAK.format(period="week", target=2, window="{kind: fest}")))
    problem = only_problem(pack(fest=fest, missions=STREAK.format(period="week", target=3, window="{kind: fest}")))
    assert "cannot fit in a window of 2 weeks" in problem.message


# =========================================================================== claims and prerequisites


def test_manual_claim_needs_a_deadline(pack: Pack) -> None:
    """A manual claim needs within; within needs a manual claim."""
    missions = MISSIONS + (
        "    claim: {mode: manual}\n  - {id: auto, title: A, counts: {event: like}, target: 1, claim: {within: 2h}}\n"
    )
    problems = problems_of(pack(missions=missions))
    assert len(problems) == 2
    assert_problem(
        problems[0],
        "missions.yaml",
        6,
        12,
        "missions[0].claim",
        "a manual claim needs a deadline: add within, e.g. within: 48h",
    )
    assert_problem(
        problems[1],
        "missions.yaml",
        7,
        76,
        "missions[1].claim.within",
        "within is the deadline of a manual claim; add mode: manual or remove it",
    )


def test_prerequisite_cycle_is_named(pack: Pack) -> None:
    """Missions requiring each other form a cycle; the message names it, a → b → a."""
    missions = """\
missions:
  - id: a
    title: A
    counts: {event: like}
    target: 1
    requires: {missions: [b]}
  - id: b
    title: B
    counts: {event: like}
    target: 1
    requires: {missions: [a]}
"""
    problem = only_problem(pack(missions=missions))
    assert_problem(
        problem,
        "missions.yaml",
        6,
        15,
        "missions[0].requires",
        "these missions form a prerequisite cycle: a → b → a; break it",
    )


def test_longer_cycle_reported_once(pack: Pack) -> None:
    """A three-mission cycle is reported once, naming every mission in it."""
    missions = "missions:\n" + "".join(
        f"  - {{id: {me}, title: T, counts: {{event: like}}, target: 1, requires: {{missions: [{other}]}}}}\n"
        for me, other in (("a", "c"), ("b", "a"), ("c", "b"))
    )
    problem = only_problem(pack(missions=missions))
    assert_problem(problem, "missions.yaml", 2, 67, "missions[0].requires", "prerequisite cycle: a → c → b → a")


def test_mission_requiring_itself(pack: Pack) -> None:
    """A mission cannot require itself (reported as such and as the smallest cycle)."""
    missions = MISSIONS + "    requires: {missions: [likes]}\n"
    problems = problems_of(pack(missions=missions))
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (6, 15, "missions[0].requires", "these missions form a prerequisite cycle: likes → likes; break it"),
        (6, 27, "missions[0].requires.missions[0]", "mission 'likes' cannot require itself"),
    ]


def test_mission_that_can_never_unlock(pack: Pack) -> None:
    """A mission whose window closes before its prerequisite's opens can never unlock."""
    missions = """\
missions:
  - id: early
    title: Early
    counts: {event: like}
    target: 1
    window: {kind: phase, phase: week1}
    requires: {missions: [late]}
  - id: late
    title: Late
    counts: {event: like}
    target: 1
    window: {kind: between, starts_at: "2026-06-08T00:00:00Z", ends_at: "2026-06-12T00:00:00Z"}
"""
    problem = only_problem(pack(missions=missions))
    assert_problem(
        problem,
        "missions.yaml",
        7,
        27,
        "missions[0].requires.missions[0]",
        "mission 'early' can never unlock: its window closes (2026-06-08T00:00:00+00:00) before 'late' opens "
        "(2026-06-08T00:00:00+00:00)",
    )


# =========================================================================== amounts and money


@pytest.mark.parametrize(
    ("file", "text", "line", "column", "path", "value", "fixed"),
    [
        pytest.param("missions", MISSIONS + "    rewards:\n      - {credit: '0.505', budget: pool}\n", 7, 18,
                     "missions[0].rewards[0].credit", "0.505", "0.50", id="credit"),
        pytest.param("economy", ECONOMY.replace('"100.00"', '"100.001"'), 9, 26, "economy.budgets[0].amount",
                     "100.001", "100.00", id="budget"),
        pytest.param("economy", ECONOMY + '  conversions:\n    - {id: c, valid_from: "2026-06-01T00:00:00Z", valid_to: '
                     '"2026-06-02T00:00:00Z", budget: pool, daily_cap_per_viewer: "1.999"}\n', 11, 121,
                     "economy.conversions[0].daily_cap_per_viewer", "1.999", "2.00", id="daily-cap"),
        pytest.param("promotions", "promotions:\n  - {id: p, title: P, trigger: {kind: mission, mission: likes}, "
                     'duration: 1h, discount: {amount: "2.125"}}\n', 2, 98, "promotions[0].discount.amount", "2.125",
                     "2.12", id="discount"),
        pytest.param("commission", 'commission:\n  rules:\n    - {id: r, tiers: [{from_volume: "0", rate: "0.1"}, '
                     '{from_volume: "99.999", rate: "0.2"}]}\n', 3, 70, "commission.rules[0].tiers[1].from_volume",
                     "99.999", "100.00", id="tier"),
    ],
)  # fmt: skip
def test_amount_with_more_decimals_than_the_currency(
    pack: Pack, file: str, text: str, line: int, column: int, path: str, value: str, fixed: str
) -> None:
    """Money amounts have at most the currency's minor unit of decimals; the message shows the rounded amount."""
    problem = only_problem(pack(**{file: text}))
    assert_problem(
        problem,
        f"{file}.yaml",
        line,
        column,
        path,
        f"{value} has more decimals than USD allows (2); write it as {fixed}",
    )


def test_currency_without_minor_unit(pack: Pack) -> None:
    """A currency with minor unit 0 takes whole amounts only; trailing zeros are not decimals."""
    economy = ECONOMY.replace("currency: USD", "currency: JPY\n  minor_unit: 0").replace('"100.00"', '"100.0"')
    missions = MISSIONS + "    rewards:\n      - {credit: '1.5', budget: pool}\n"
    problem = only_problem(pack(economy=economy, missions=missions))
    assert_problem(
        problem,
        "missions.yaml",
        7,
        18,
        "missions[0].rewards[0].credit",
        "1.5 has more decimals than JPY allows (0); write it as 2",
    )


def test_huge_amounts_are_problems_not_crashes(pack: Pack) -> None:
    """Amounts beyond what the engine computes with are refused where they are written, as problems."""
    economy = ECONOMY.replace('"100.00"', '"123456789012345678901234567890.125"')
    missions = MISSIONS + "    rewards:\n      - {credit: 1e30, budget: pool}\n"
    first, second = problems_of(pack(economy=economy, missions=missions))
    assert_problem(
        first,
        "economy.yaml",
        9,
        26,
        "economy.budgets[0].amount",
        "123456789012345678901234567890.125 is too large; write a number less than 1,000,000,000,000",
    )
    assert_problem(second, "missions.yaml", 7, 18, "missions[0].rewards[0].credit", "1E+30 is too large")


def test_values_out_of_computable_range(pack: Pack) -> None:
    """Times near year 9999 and numbers of thousands of digits fail as problems where they are written."""
    fest = FEST.replace('ends_at: "2026-06-22T00:00:00Z"', 'ends_at: "9999-12-31T23:59:00Z"')
    problem = only_problem(pack(fest=fest))
    assert_problem(problem, "fest.yaml", 6, 12, "fest.ends_at", "outside the supported time range")
    missions = MISSIONS + "    rewards:\n      - {points: 1e5000}\n"
    problem = only_problem(pack(missions=missions))
    assert_problem(problem, "missions.yaml", 7, 18, "missions[0].rewards[0].points", "written with an exponent")


def test_split_must_add_up_to_one(pack: Pack) -> None:
    """The creator and platform shares of a gift add up to 1."""
    problem = only_problem(pack(economy=ECONOMY.replace('creator: "0.5"', 'creator: "0.6"')))
    assert_problem(
        problem, "economy.yaml", 5, 10, "economy.split", "creator and platform shares must add up to 1, not 1.1"
    )


# =========================================================================== economy: conversions


def test_conversion_unknown_budget_and_rates_above_platform_share(pack: Pack) -> None:
    """A conversion draws on a known budget, and its rates together stay within the platform's share."""
    economy = conversions(("c", 1, 2), budget="pol", extra=', viewer_credit_rate: "0.3", creator_bonus_rate: "0.3"')
    problems = problems_of(pack(economy=economy))
    assert len(problems) == 2
    assert_problem(
        problems[0],
        "economy.yaml",
        11,
        7,
        "economy.conversions[0]",
        "viewer credit and creator bonus rates together must not exceed the platform's share",
    )
    assert_problem(
        problems[1],
        "economy.yaml",
        11,
        93,
        "economy.conversions[0].budget",
        "unknown budget 'pol' (did you mean 'pool'?)",
    )


def test_overlapping_conversions(pack: Pack) -> None:
    """Only one conversion applies at a time: every overlap is reported, also with a non-neighbour."""
    economy = conversions(("long", 1, 10), ("short", 2, 3), ("later", 4, 5), ("after", 10, 12))
    problems = problems_of(pack(economy=economy))
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (12, 7, "economy.conversions[1]", "conversion 'short' overlaps 'long'; one conversion rule applies at a time"),
        (13, 7, "economy.conversions[2]", "conversion 'later' overlaps 'long'; one conversion rule applies at a time"),
    ]


def test_adjacent_conversions_do_not_overlap(pack: Pack) -> None:
    """A conversion may start exactly when the previous one ends, in any order in the file."""
    fest = load_fest(pack(economy=conversions(("second", 8, 15), ("first", 1, 8), ("third", 15, 22))))
    assert [c.id for c in fest.economy.conversions] == ["second", "first", "third"]


# =========================================================================== fan club


def test_fan_club_levels(pack: Pack) -> None:
    """Levels are numbered 1, 2, 3… from 0 points with increasing thresholds; level badges are known."""
    fan_club = """\
fan_club:
  levels:
    - {level: 1, points: 10}
    - {level: 3, points: 5, badge: {badge: star, tier: gold}}
"""
    problems = problems_of(pack(fan_club=fan_club))
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (3, 5, "fan_club.levels", "level 1 starts at 0 points (every member has it)"),
        (3, 5, "fan_club.levels", "number the levels 1, 2, 3… without gaps"),
        (4, 26, "fan_club.levels[1].points", "level 3 needs more points than level 1 (10)"),
        (4, 56, "fan_club.levels[1].badge.tier", "badge 'star' has no tier 'gold'; its tiers are bronze, silver"),
    ]


def test_fan_club_levels_in_any_order(pack: Pack) -> None:
    """Levels may be listed in any order; thresholds must increase with the level number."""
    fan_club = "fan_club:\n  levels:\n    - {level: 2, points: 50}\n    - {level: 1, points: 0}\n"
    assert load_fest(pack(fan_club=fan_club)).fan_club is not None
    fan_club = "fan_club:\n  levels:\n    - {level: 1, points: 0}\n    - {level: 3, points: 50}\n"
    fan_club += "    - {level: 2, points: 50}\n"
    problem = only_problem(pack(fan_club=fan_club))
    assert_problem(
        problem, "fan_club.yaml", 4, 26, "fan_club.levels[1].points", "level 3 needs more points than level 2 (50)"
    )


def test_fan_club_task_filter(pack: Pack) -> None:
    """A Fan Club task's filter is checked like a mission's."""
    fan_club = (
        "fan_club:\n  levels: [{level: 1, points: 0}]\n  tasks:\n    - {id: t, counts: {event: views}, points: 1}\n"
    )
    problem = only_problem(pack(fan_club=fan_club))
    assert_problem(
        problem,
        "fan_club.yaml",
        4,
        31,
        "fan_club.tasks[0].counts.event",
        "unknown event type 'views' (did you mean 'view'?)",
    )


# =========================================================================== community missions


def test_community_rules_on_a_viewer_mission(pack: Pack) -> None:
    """Community rules belong to creator or stream missions."""
    missions = MISSIONS + "    community: {cooldown: 1h}\n"
    problem = only_problem(pack(missions=missions))
    assert_problem(
        problem,
        "missions.yaml",
        6,
        16,
        "missions[0].community",
        "community rules apply to subject creator or stream; remove them or change subject",
    )


def test_community_goal_rules(pack: Pack) -> None:
    """A community goal counts events with a creator (and a stream), adds up contributions, rewards
    automatically and has no prerequisites."""
    missions = """\
missions:
  - id: likes
    title: Likes
    counts: {event: like}
    target: 3
  - id: goal
    title: Goal
    subject: stream
    counts: {event: refund}
    measure: {kind: streak}
    target: 10
    claim: {mode: manual, within: 1h}
    requires: {missions: [likes]}
"""
    problems = problems_of(pack(missions=missions))
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (9, 21, "missions[1].counts.event", "a community mission needs events with a creator; refund has none"),
        (9, 21, "missions[1].counts.event", "a stream community mission needs events with a stream; refund has none"),
        (10, 14, "missions[1].measure", "a community goal adds up contributions; use count, sum or distinct"),
        (12, 12, "missions[1].claim", "community goals reward contributors automatically; remove the manual claim"),
        (13, 15, "missions[1].requires", "community goals cannot have prerequisites (they belong to no single viewer)"),
    ]


def test_creator_goal_needs_events_with_a_creator(pack: Pack) -> None:
    """A creator goal counts events that carry a creator; purchases do, refunds do not."""
    goal = "  - {id: goal, title: G, subject: creator, counts: {event: EVENT}, target: 10}\n"
    assert load_fest(pack(missions=MISSIONS + goal.replace("EVENT", "purchase"))).missions["goal"].community
    problem = only_problem(pack(missions=MISSIONS + goal.replace("EVENT", "refund")))
    assert_problem(
        problem,
        "missions.yaml",
        6,
        60,
        "missions[1].counts.event",
        "a community mission needs events with a creator; refund has none",
    )


def test_community_levels(pack: Pack) -> None:
    """Level targets increase and do not exceed the goal's target."""
    missions = MISSIONS + (
        "  - id: goal\n    title: Goal\n    subject: creator\n    counts: {event: like}\n    target: 100\n"
        "    community:\n      levels: [{target: 50}, {target: 20}, {target: 200}]\n"
    )
    problems = problems_of(pack(missions=missions))
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (12, 15, "missions[1].community.levels", "level targets must increase from one level to the next"),
        (12, 15, "missions[1].community.levels", "level targets must not exceed the goal's target"),
    ]


# =========================================================================== journeys


def test_journey_steps(pack: Pack) -> None:
    """A step is a mission or a branch of at least two known missions, never both or neither."""
    journeys = """\
journeys:
  - id: j
    title: J
    steps:
      - {mission: likes, branch: [likes, likes]}
      - {}
      - branch: [likes]
      - mission: like
      - branch: [likes, nope]
    rewards:
      - {badge: star, tier: gold}
"""
    problems = problems_of(pack(journeys=journeys))
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (5, 9, "journeys[0].steps[0]", "a step is either mission: <id> or branch: [<id>, <id>…]"),
        (6, 9, "journeys[0].steps[1]", "a step is either mission: <id> or branch: [<id>, <id>…]"),
        (7, 17, "journeys[0].steps[2].branch", "a branch offers at least two missions; use mission: for one"),
        (8, 18, "journeys[0].steps[3].mission", "unknown mission 'like' (did you mean 'likes'?)"),
        (9, 25, "journeys[0].steps[4].branch[1]", "unknown mission 'nope'; known ones: likes"),
        (11, 29, "journeys[0].rewards[0].tier", "badge 'star' has no tier 'gold'; its tiers are bronze, silver"),
    ]


# =========================================================================== promotions


GOAL = """\
  - id: goal
    title: Goal
    subject: creator
    counts: {event: like}
    target: 100
    community:
      levels: [{target: 50}, {target: 100}]
"""


def test_promotion_rules(pack: Pack) -> None:
    """Triggered promotions name a known mission, goal triggers a community goal, and a duration is given;
    a discount is a percent or an amount."""
    promotions = """\
promotions:
  - id: p1
    title: P1
    trigger: {kind: mission, mission: like}
    discount: {percent: "10", amount: "1.00"}
  - id: p2
    title: P2
    trigger: {kind: goal, mission: likes}
    discount: {}
    duration: 1h
"""
    problems = problems_of(pack(promotions=promotions))
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (2, 5, "promotions[0].duration", "a triggered promotion needs a duration, e.g. duration: 1h"),
        (4, 39, "promotions[0].trigger.mission", "unknown mission 'like' (did you mean 'likes'?)"),
        (5, 15, "promotions[0].discount", "write exactly one of percent or amount"),
        (
            8,
            36,
            "promotions[1].trigger.mission",
            "mission 'likes' is a viewer mission, not a community goal; use kind: mission",
        ),
        (9, 15, "promotions[1].discount", "write exactly one of percent or amount"),
    ]


def test_goal_trigger_level_beyond_the_goals_levels(pack: Pack) -> None:
    """A goal trigger's level must be one the goal has, or the promotion never starts."""
    promotions = """\
promotions:
  - {id: p1, title: P1, trigger: {kind: goal, mission: goal, level: 2}, discount: {percent: "5"}, duration: 1h}
  - {id: p2, title: P2, trigger: {kind: goal, mission: goal, level: 3}, discount: {percent: "5"}, duration: 1h}
  - {id: p3, title: P3, trigger: {kind: goal, mission: bare, level: 1}, discount: {percent: "5"}, duration: 1h}
"""
    missions = MISSIONS + GOAL + "  - {id: bare, title: B, subject: creator, counts: {event: like}, target: 5}\n"
    problems = problems_of(pack(missions=missions, promotions=promotions))
    assert [(p.line, p.column, p.path) for p in problems] == [
        (3, 69, "promotions[1].trigger.level"),
        (4, 69, "promotions[2].trigger.level"),
    ]
    assert problems[0].message.startswith(
        "community goal 'goal' has 2 levels, so level 3 is never reached; write a level from 1 to 2"
    )
    assert problems[1].message.startswith(
        "community goal 'bare' has no levels, so level 1 is never reached; remove level"
    )


def test_percent_discount_at_most_100(pack: Pack) -> None:
    """A percent discount lies in (0, 100]."""
    promotions = "promotions:\n  - {id: p, title: P, trigger: {kind: mission, mission: likes}, duration: 1h, "
    promotions += "discount: {percent: '150'}}\n"
    problem = only_problem(pack(promotions=promotions))
    assert_problem(
        problem, "promotions.yaml", 2, 99, "promotions[0].discount.percent", "150 is too large; write 100 or less"
    )


# =========================================================================== commission and scoring


def test_commission_rule_rate_and_tiers(pack: Pack) -> None:
    """A commission rule has a rate or tiers (not both, not neither); tiers start at volume 0."""
    commission = """\
commission:
  rules:
    - {id: none}
    - {id: both, rate: "0.1", tiers: [{from_volume: "0", rate: "0.1"}]}
    - {id: late_start, tiers: [{from_volume: "10", rate: "0.1"}]}
"""
    problems = problems_of(pack(commission=commission))
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (3, 7, "commission.rules[0]", "a commission rule needs a rate or tiers"),
        (4, 7, "commission.rules[1]", "write either rate or tiers, not both"),
        (5, 46, "commission.rules[2].tiers[0].from_volume", "the first tier starts at from_volume: '0'"),
    ]


def test_scoring_rules_and_multiplier_time_zone(pack: Pack) -> None:
    """Scoring rules are checked like missions' filters; a multiplier's time zone is an IANA name, with suggestion."""
    scoring = """\
scoring:
  rules:
    - {id: s, counts: {event: likes}, points: 1}
  multipliers:
    - {from_time: "20:00", to_time: "23:59", factor: "2", timezone: Europe/Pariss}
"""
    problems = problems_of(pack(scoring=scoring))
    assert [(p.line, p.column, p.path) for p in problems] == [
        (3, 31, "scoring.rules[0].counts.event"),
        (5, 69, "scoring.multipliers[0].timezone"),
    ]
    assert problems[0].message == "unknown event type 'likes' (did you mean 'like'?)"
    assert problems[1].message.startswith("unknown time zone 'Europe/Pariss' (did you mean 'Europe/Paris'?)")


# =========================================================================== all at once, in order, per file


def test_all_problems_are_reported_at_once(pack: Pack) -> None:
    """Three independent mistakes in one file give three problems, in file order, all in str(error)."""
    missions = """\
missions:
  - id: likes
    title: Likes
    counts: {event: like}
    target: 3
    rewards:
      - {badge: star, tier: gold}
  - id: gifts
    title: Gifts
    counts: {event: gift, where: {gift_id: {equals: rose}, colour: {equals: red}}}
    target: 1
    window: {kind: phase, phase: week9}
"""
    with pytest.raises(FestValidationError) as raised:
        load_fest(pack(missions=missions))
    error = raised.value
    assert [(p.line, p.column, p.path) for p in error.problems] == [
        (7, 29, "missions[0].rewards[0].tier"),
        (10, 68, "missions[1].counts.where.colour"),
        (12, 34, "missions[1].window.phase"),
    ]
    text = str(error).splitlines()
    assert text[0] == "3 problems in the fest pack:"
    assert text[1:] == [str(p) for p in error.problems]
    file = str(pack() / "missions.yaml")
    assert (
        text[1]
        == f"{file}:7:29: missions[0].rewards[0].tier: badge 'star' has no tier 'gold'; its tiers are bronze, silver"
    )


def test_type_problems_of_several_files_are_reported_together(pack: Pack) -> None:
    """Problems found by the schema in different files come together, each naming its own file, files in order."""
    problems = problems_of(
        pack(
            missions=MISSIONS.replace("target: 3", "target: many"),
            economy=ECONOMY.replace("coins: 1}", "coins: one}"),
            fest=FEST.replace("timezone: UTC", "timezone: Mars/Olympus"),
        )
    )
    assert [(Path(p.file).name, p.line, p.column, p.path) for p in problems] == [
        ("economy.yaml", 7, 37, "economy.gifts[0].coins"),
        ("fest.yaml", 4, 13, "fest.timezone"),
        ("missions.yaml", 5, 13, "missions[0].target"),
    ]


def test_cross_check_problems_name_the_right_file(pack: Pack) -> None:
    """In a multi-file pack, each cross-check problem names the file its item was written in."""
    more = "missions:\n  - {id: more, title: M, counts: {event: like}, target: 1, requires: {missions: [nope]}}\n"
    journeys = "journeys:\n  - {id: j, title: J, steps: [{mission: lost}]}\n"
    problems = problems_of(pack(more_missions=more, journeys=journeys, badges=BADGES + BADGES.replace("badges:\n", "")))
    assert [(Path(p.file).name, p.line, p.column, p.path) for p in problems] == [
        ("badges.yaml", 3, 10, "badges[1].id"),
        ("journeys.yaml", 2, 41, "journeys[0].steps[0].mission"),
        ("more_missions.yaml", 2, 82, "missions[1].requires.missions[0]"),
    ]
    assert "unknown mission 'nope'" in problems[2].message


def test_problem_str_is_the_compiler_format(pack: Pack) -> None:
    """A problem prints as file:line:column: path: message."""
    problem = only_problem(pack(missions=MISSIONS.replace("target: 3", "target: 0")))
    assert (
        str(problem)
        == f"{pack() / 'missions.yaml'}:5:13: missions[0].target: 0 is too small; write a number greater than 0"
    )


def test_yaml_problems_through_load_fest(pack: Pack) -> None:
    """Unsafe tags and duplicate keys are refused by the safe YAML reader, located, with the other files read."""
    missions = """\
missions:
  - id: likes
    title: !!python/object/apply:os.system ["echo hacked"]
    counts: {event: like}
    target: 3
    target: 4
"""
    problems = problems_of(pack(missions=missions, economy=ECONOMY.replace("coins: 1}", "coins: 1, coins: 2}")))
    assert [(Path(p.file).name, p.line, p.column, p.path) for p in problems] == [
        ("economy.yaml", 7, 40, "economy.gifts[0].coins"),
        ("missions.yaml", 3, 12, "missions[0].title"),
        ("missions.yaml", 6, 5, "missions[0].target"),
    ]
    assert problems[0].message == "duplicate key 'coins' (first defined at line 7); remove one"
    assert problems[1].message.startswith("unsafe or unknown YAML tag '!!python/object/apply:os.system' is not allowed")
    assert problems[2].message == "duplicate key 'target' (first defined at line 5); remove one"


# =========================================================================== currencies and eligibility


@pytest.mark.parametrize(
    ("currency", "says"),
    [
        ("USX", "unknown currency 'USX': not an ISO 4217 code (did you mean 'USD'?)"),
        ("QQQ", "unknown currency 'QQQ': not an ISO 4217 code"),
        ("XAU", "XAU has no minor unit in ISO 4217"),
    ],
)
def test_the_currency_is_an_iso_4217_code_with_a_minor_unit(pack: Pack, currency: str, says: str) -> None:
    """An unknown code (with a suggestion) and a code without minor unit are refused where they are written."""
    economy = ECONOMY.replace("currency: USD", f"currency: {currency}")
    problem = only_problem(pack(economy=economy))
    assert_problem(problem, "economy.yaml", 2, 13, "economy.currency", says)


def test_a_written_minor_unit_must_be_the_currency_s(pack: Pack) -> None:
    """JPY with two minor digits is refused: ISO 4217 gives JPY none; left out, the currency's is used."""
    economy = ECONOMY.replace("currency: USD", "currency: JPY\n  minor_unit: 2").replace('"100.00"', '"100"')
    problem = only_problem(pack(economy=economy))
    assert_problem(
        problem, "economy.yaml", 3, 15, "economy.minor_unit",
        "JPY has 0 minor digits in ISO 4217, not 2; write minor_unit: 0 or leave it out",
    )  # fmt: skip
    fest = load_fest(pack(economy=ECONOMY.replace("currency: USD", "currency: KWD").replace('"100.00"', '"100.000"')))
    assert (fest.economy.currency, fest.economy.minor_unit) == ("KWD", 3)
    assert load_fest(pack()).economy.minor_unit == 2


def test_money_targets_keep_their_written_scale(pack: Pack) -> None:
    """target: "50.00" stays Decimal("50.00"); a whole target stays a whole number."""
    from decimal import Decimal

    missions = MISSIONS + (
        "  - id: spend\n    title: Spend\n    counts: {event: purchase}\n"
        '    measure: {kind: sum, field: amount}\n    target: "50.00"\n'
    )
    fest = load_fest(pack(missions=missions))
    assert repr(fest.missions["spend"].target) == repr(Decimal("50.00"))
    assert fest.missions["likes"].target == 3
    assert type(fest.missions["likes"].target) is int
    from festengine import Engine, outcome_to_dict, parse_event

    engine = Engine(fest)
    purchase = {"event_id": "e1", "type": "purchase", "occurred_at": "2026-06-02T10:00:00Z", "user_id": "u1",
                "order_id": "o1", "product_id": "p1", "price": "20", "currency": "USD"}  # fmt: skip
    shown = [outcome_to_dict(o) for o in engine.apply(parse_event(purchase)).outcomes]
    progressed = [o for o in shown if o["kind"] == "mission_progressed"]
    assert [(o["progress"], o["target"]) for o in progressed] == [("20", "50.00")]
    (status,) = [m for m in engine.missions("u1") if m.mission_id == "spend"]
    assert str(status.target) == "50.00"


ELIGIBILITY = """\
eligibility:
  minimum_age: {gift: 18, purchase: 18}
  regions: [US, CA]
  excluded_users: [u_banned]
"""


def test_an_eligibility_section_compiles_to_rules(pack: Pack) -> None:
    """Minimum ages, regions, excluded users and the unknown-facts rule (refuse by default)."""
    rules = load_fest(pack(eligibility=ELIGIBILITY)).eligibility
    assert rules is not None
    assert dict(rules.minimum_age) == {"gift": 18, "purchase": 18}
    assert rules.regions == frozenset({"US", "CA"})
    assert rules.excluded_users == frozenset({"u_banned"})
    assert rules.refuse_unknown


@pytest.mark.parametrize(
    ("text", "line", "column", "path", "says"),
    [
        pytest.param(ELIGIBILITY.replace("{gift: 18,", "{gifts: 18,"), 2, 24, "eligibility.minimum_age.gifts",
                     "unknown viewer action 'gifts' (did you mean 'gift'?)", id="action"),
        pytest.param(ELIGIBILITY.replace("{gift: 18,", "{refund: 18,"), 2, 25, "eligibility.minimum_age.refund",
                     "unknown viewer action 'refund'", id="not-an-action"),
        pytest.param(ELIGIBILITY.replace("[US, CA]", "[US, UK]"), 3, 17, "eligibility.regions[1]",
                     "'UK' is not an ISO 3166-1 alpha-2 region code (did you mean 'GB'?)", id="uk"),
        pytest.param(ELIGIBILITY.replace("[US, CA]", "[us, CA]"), 3, 13, "eligibility.regions[0]",
                     "'us' is not an ISO 3166-1 alpha-2 region code (did you mean 'US'?)", id="lower-case"),
        pytest.param(ELIGIBILITY.replace("[US, CA]", "[US, XX]"), 3, 17, "eligibility.regions[1]",
                     "'XX' is not an ISO 3166-1 alpha-2 region code; write two capital letters", id="unknown"),
        pytest.param(ELIGIBILITY.replace("[US, CA]", "[US, US]"), 3, 17, "eligibility.regions[1]",
                     "region 'US' is listed twice (first as regions[0])", id="twice"),
    ],
)  # fmt: skip
def test_eligibility_rules_name_viewer_actions_and_real_regions(
    pack: Pack, text: str, line: int, column: int, path: str, says: str
) -> None:
    """Each eligibility problem is reported at its file, line and column, with a suggestion where one fits."""
    problem = only_problem(pack(eligibility=text))
    assert_problem(problem, "eligibility.yaml", line, column, path, says)


def test_eligibility_ages_are_whole_numbers_in_range(pack: Pack) -> None:
    """A minimum age of 0 or above 130 is refused by the types, with the place."""
    problem = only_problem(pack(eligibility=ELIGIBILITY.replace("{gift: 18,", "{gift: 0,")))
    assert problem.path == "eligibility.minimum_age.gift"
    assert problem.line == 2
