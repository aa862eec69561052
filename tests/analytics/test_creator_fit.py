"""Creator fit on a generated fest where the answer is known: each creator's audience is drawn from a
known mix of regions, ages and categories, the events go through the engine, and the ranking must
name the creator built to match each target, with the figures behind it exact."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from festengine import Engine, Event, load_fest
from festengine.analytics.audience import AgeRange, AudienceProjection, FitQuery, ViewerProfile
from festengine.analytics.rows import load_key, load_value
from festengine.catalog.model import Fest
from festengine.engine.core import Step

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"
START = datetime(2026, 6, 15, 18, 0, tzinfo=UTC)

#: creator -> (region, (lowest age, highest age), category bought, buyers who buy twice)
AUDIENCES = {
    "c_us_young_beauty": ("US", (18, 34), "beauty", 0.5),
    "c_us_older_home": ("US", (45, 60), "home", 0.0),
    "c_de_young_beauty": ("DE", (18, 34), "beauty", 0.2),
    "c_br_teen_games": ("BR", (13, 17), "games", 0.0),
}
VIEWERS_EACH = 30


@cache
def _fest() -> Fest:
    """The bundled pack without its eligibility rules: these audiences include regions and ages (DE, BR,
    13-17) that the bundled pack refuses, and fit must rank them all."""
    return attrs.evolve(load_fest(PACK), eligibility=None)


def _born(age: int) -> date:
    """A birth date giving ``age`` on the fest's first local day (15 June 2026)."""
    return date(2026 - age, 1, 1)


def _profile(event_id: str, user: str, profile: ViewerProfile) -> Event:
    return Event(event_id, "viewer_profile", START, user, birth_date=profile.birth_date,
                 age_verified=profile.age_verified, region=profile.region)  # fmt: skip


def _generated() -> tuple[list[Event], dict[str, dict[str, int]]]:
    """Events (every viewer's profile first, then views and purchases) and per creator the true counts."""
    rng = random.Random(20)
    events: list[Event] = []
    profiles: dict[str, ViewerProfile] = {}
    truth: dict[str, dict[str, int]] = {}
    clock = START
    for creator, (region, (low, high), category, repeat) in AUDIENCES.items():
        counts = truth[creator] = {"audience": 0, "buyers": 0, "repeat": 0}
        for n in range(VIEWERS_EACH):
            user = f"{creator}-v{n}"
            profiles[user] = ViewerProfile(region=region, birth_date=_born(rng.randint(low, high)))
            clock += timedelta(seconds=7)
            events.append(Event(f"e{len(events)}", "view", clock, user, creator, f"{creator}-s1", seconds=120))
            counts["audience"] += 1
            if n % 2:
                continue
            counts["buyers"] += 1
            orders = 2 if rng.random() < repeat else 1
            counts["repeat"] += orders == 2
            for k in range(orders):
                clock += timedelta(seconds=3)
                events.append(
                    Event(f"e{len(events)}", "purchase", clock, user, creator, product_id="p1",
                          order_id=f"o-{user}-{k}", category=category, seller_id="s1", quantity=1,
                          price=Decimal("20.00"), currency="USD", amount=Decimal("20.00"))
                )  # fmt: skip
    first = [_profile(f"profile-{user}", user, profile) for user, profile in sorted(profiles.items())]
    return first + events, truth


@cache
def _projection() -> tuple[AudienceProjection, dict[str, dict[str, int]]]:
    events, truth = _generated()
    audience = AudienceProjection(_fest())
    engine = Engine(_fest())
    for event in events:
        step = engine.apply(event)
        assert step.accepted, step
        audience.observe(event, step)
    return audience, truth


@pytest.mark.parametrize(
    ("region", "age", "category", "best"),
    [
        ("US", "18-34", "beauty", "c_us_young_beauty"),
        ("US", "45+", None, "c_us_older_home"),
        ("DE", None, "beauty", "c_de_young_beauty"),
        (None, "13-17", None, "c_br_teen_games"),
        (None, None, "home", "c_us_older_home"),
    ],
)
def test_the_creator_built_for_the_target_ranks_first(
    region: str | None, age: str | None, category: str | None, best: str
) -> None:
    """Every target names the creator whose audience was drawn from it, with a fit of 1."""
    audience, _truth = _projection()
    ranking = audience.fit(FitQuery(region=region, age=None if age is None else AgeRange.parse(age), category=category))
    first = ranking.creators[0]
    assert first.creator_id == best
    assert first.rank == 1
    assert first.fit == 1.0
    assert all(c.fit == 0.0 for c in ranking.creators[1:] if not (category == "beauty" and region is None))


def test_the_figures_behind_a_rank_are_exact() -> None:
    """Audience, profiled and matching viewers, buyers, category buyers and the shares are the true counts."""
    audience, truth = _projection()
    ranking = audience.fit(FitQuery(region="US", age=AgeRange.parse("18-34"), category="beauty"))
    by_id = {c.creator_id: c for c in ranking.creators}
    young = by_id["c_us_young_beauty"]
    assert (young.audience, young.profiled, young.matching) == (VIEWERS_EACH, VIEWERS_EACH, VIEWERS_EACH)
    assert (young.buyers, young.category_buyers) == (truth["c_us_young_beauty"]["buyers"],) * 2
    assert (young.audience_match, young.category_share) == (1.0, 1.0)
    german = by_id["c_de_young_beauty"]
    assert (german.matching, german.audience_match, german.category_share, german.fit) == (0, 0.0, 1.0, 0.0)
    assert ranking.too_few == ()


def test_a_mixed_audience_scores_the_product_of_its_shares() -> None:
    """Half of a creator's profiled audience in the target and a third of its buyers in the category: 1/6."""
    fest = _fest()
    profiles = {f"v{n}": ViewerProfile(region="US" if n < 6 else "FR", birth_date=_born(25)) for n in range(12)}
    audience = AudienceProjection(fest)
    for user, profile in profiles.items():
        audience.observe(_profile(f"p-{user}", user, profile), Step(f"p-{user}", ()))
        audience.observe(Event(f"w-{user}", "view", START, user, "c1", "s1", seconds=60), Step(f"w-{user}", ()))
    for n in range(6):
        purchase = Event(f"o{n}", "purchase", START, f"v{n}", "c1", order_id=f"o{n}",
                         category="beauty" if n < 2 else "home")  # fmt: skip
        audience.observe(purchase, Step(purchase.event_id, ()))
    (only,) = audience.fit(FitQuery(region="US", age=AgeRange.parse("18-34"), category="beauty")).creators
    assert (only.profiled, only.matching, only.audience_match) == (12, 6, 0.5)
    assert (only.buyers, only.category_buyers, only.category_share) == (6, 2, 0.333333)
    assert only.fit == round(0.5 * 2 / 6, 6)


def test_the_composition_shows_regions_age_bands_categories_and_repeat_buyers() -> None:
    audience, truth = _projection()
    composition = audience.composition("c_us_young_beauty")
    assert composition is not None
    assert composition["audience"] == VIEWERS_EACH
    assert composition["regions"] == {"US": {"viewers": VIEWERS_EACH, "share": 1.0}}
    assert set(composition["age_bands"]) <= {"18-24", "25-34"}
    assert sum(b["viewers"] for b in composition["age_bands"].values()) == VIEWERS_EACH
    assert composition["categories"] == {"beauty": {"buyers": truth["c_us_young_beauty"]["buyers"], "share": 1.0}}
    assert composition["repeat_buyers"] == truth["c_us_young_beauty"]["repeat"] > 0
    assert audience.composition("nobody") is None


def test_too_small_audiences_are_not_ranked_but_named() -> None:
    audience, _truth = _projection()
    ranking = audience.fit(FitQuery(region="US", min_sample=VIEWERS_EACH + 1))
    assert ranking.creators == ()
    assert set(ranking.too_few) == set(AUDIENCES)


def test_a_later_profile_replaces_the_earlier_one_and_unknown_ages_do_not_count() -> None:
    """Only the latest profile counts; a viewer whose age is unknown is left out of an age target's
    profiled viewers (an age_verified viewer is in the 18+ band of the composition)."""
    fest = _fest()
    table = {
        "p1": ViewerProfile(region="FR", birth_date=_born(40)),
        "p2": ViewerProfile(region="US", birth_date=_born(20)),
        "p3": ViewerProfile(region="US", age_verified=True),
    }
    audience = AudienceProjection(fest)
    for event_id, user in (("p1", "a"), ("p2", "a"), ("p3", "b")):
        audience.observe(_profile(event_id, user, table[event_id]), Step(event_id, ()))
    for user in ("a", "b"):
        audience.observe(Event(f"w{user}", "view", START, user, "c1", "s1", seconds=5), Step(f"w{user}", ()))
    (only,) = audience.fit(FitQuery(region="US", age=AgeRange.parse("18-24"), min_sample=1)).creators
    assert (only.profiled, only.matching) == (1, 1)
    composition = audience.composition("c1")
    assert composition is not None
    assert composition["age_bands"] == {"18+": {"viewers": 1, "share": 0.5}, "18-24": {"viewers": 1, "share": 0.5}}


@given(st.lists(st.sampled_from([*AUDIENCES, "x"]), min_size=0, max_size=30))
def test_property_state_rows_round_trip(creators: list[str]) -> None:
    """A projection rebuilt from its rows gives the same rows and ranks the same."""
    fest = _fest()
    adult = ViewerProfile(region="US", birth_date=_born(30))
    audience = AudienceProjection(fest)
    for n, creator in enumerate(creators):
        user = f"u{n % 7}"
        audience.observe(_profile(f"p{n}", user, adult), Step(f"p{n}", ()))
        audience.observe(Event(f"b{n}", "purchase", START, user, creator, order_id=f"o{n}", category="beauty"),
                         Step(f"b{n}", ()))  # fmt: skip
    again = AudienceProjection(fest)
    again.load_rows((part, load_key(key), load_value(value or b"")) for part, key, value in audience.rows())
    assert sorted(again.rows()) == sorted(audience.rows())
    query = FitQuery(region="US", category="beauty", min_sample=1)
    assert again.fit(query) == audience.fit(query)
    assert len(audience.fit(query).creators) == len(set(creators))


@pytest.mark.parametrize("text", ["", "18", "34-18", "a-b", "18-", "-5", "1000-2000"])
def test_malformed_age_ranges_are_refused_with_the_reason(text: str) -> None:
    with pytest.raises(ValueError, match="age range"):
        AgeRange.parse(text)


def test_age_ranges_parse() -> None:
    assert AgeRange.parse("18-34") == AgeRange(18, 34)
    assert AgeRange.parse(" 55+ ") == AgeRange(55, None)
    assert str(AgeRange(55, None)) == "55+"
    with pytest.raises(ValueError, match="name a target"):
        FitQuery()


def test_the_profile_port_can_be_given() -> None:
    """A backend whose profiles come from elsewhere passes its own reader (the port) instead of profile_of."""
    known = {"a": ViewerProfile(region="JP", birth_date=_born(22))}
    audience = AudienceProjection(_fest(), profile=lambda e: known.get(e.user_id) if e.type == "check_in" else None)
    audience.observe(Event("k", "check_in", START, "a"), Step("k", ()))
    audience.observe(Event("w", "view", START, "a", "c1", "s1", seconds=5), Step("w", ()))
    (only,) = audience.fit(FitQuery(region="JP", age=AgeRange.parse("18-24"), min_sample=1)).creators
    assert (only.creator_id, only.matching, only.fit) == ("c1", 1, 1.0)
