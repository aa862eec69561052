"""Eligibility: minimum ages per action, allowed regions, excluded viewers; refusals change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fests import ev, make_fest, mission, run

from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.engine.eligibility import NOT_ELIGIBLE, age_on, rule_of
from festengine.engine.outcomes import Rejected
from festengine.events import Event

RULES: dict[str, Any] = {
    "minimum_age": {"gift": 18, "purchase": 18, "fan_club_join": 16},
    "regions": ["US", "CA"],
    "excluded_users": ["banned"],
}


def fest(**rules: Any) -> Fest:
    return make_fest(
        mission("likes", "like", 3),
        mission("gifts", "gift", 1),
        eligibility={**RULES, **rules},
        fan_club={"levels": [{"level": 1, "points": 0}], "tasks": []},
    )


def profile(user: str, at: str = "2026-03-02T10:00:00Z", **fields: Any) -> Event:
    return ev(f"profile-{user}-{at}", "viewer_profile", at, user=user, **fields)


def refused(engine: Engine, event: Event) -> Rejected:
    """The refusal of an event, checked to change nothing: the snapshot is the same bytes before and after."""
    before = engine.snapshot()
    step = engine.apply(event)
    rejection = step.rejected
    assert rejection is not None, step.outcomes
    assert rejection.code == NOT_ELIGIBLE
    assert engine.snapshot() == before
    return rejection


def test_an_adult_in_an_allowed_region_may_do_everything() -> None:
    """A viewer of 18 in the US sends gifts, buys and likes as without eligibility rules."""
    engine = Engine(fest())
    run(engine, profile("u1", birth_date="2000-01-01", region="US"))
    for event in (
        ev("g1", "gift", "2026-03-02T11:00:00Z"),
        ev("l1", "like", "2026-03-02T11:00:01Z"),
        ev("p1", "purchase", "2026-03-02T11:00:02Z", order_id="o1", product_id="p1", price="5.00", currency="USD"),
    ):
        assert engine.apply(event).accepted


def test_a_viewer_under_the_minimum_age_is_refused_with_the_rule_named() -> None:
    """A gift by a 16-year-old is refused naming eligibility.minimum_age.gift; a like (no minimum) is not."""
    engine = Engine(fest())
    run(engine, profile("u1", birth_date="2010-01-10", region="US"))
    rejection = refused(engine, ev("g1", "gift", "2026-03-02T11:00:00Z"))
    assert rejection.reason == (
        "eligibility.minimum_age.gift: viewer 'u1' is 16 on 2026-03-02 (in the fest's time zone); "
        "a gift needs 18 or older"
    )
    assert rule_of(rejection.reason) == "eligibility.minimum_age.gift"
    assert engine.apply(ev("l1", "like", "2026-03-02T11:00:01Z")).accepted
    joined = engine.apply(ev("j1", "fan_club_join", "2026-03-02T11:00:02Z"))
    assert joined.accepted  # 16 may join (minimum_age.fan_club_join: 16)


def test_age_is_counted_on_the_local_day_of_the_fest() -> None:
    """Born 2008-03-05, the viewer is 18 from 00:00 on 2026-03-05 in the fest's zone (Los Angeles), not in UTC."""
    engine = Engine(fest())
    run(engine, profile("u1", birth_date="2008-03-05", region="US"))
    # 2026-03-05T07:00Z is 23:00 on the 4th in Los Angeles: still 17 there
    rejection = refused(engine, ev("g1", "gift", "2026-03-05T07:00:00Z"))
    assert "is 17 on 2026-03-04" in rejection.reason
    assert engine.apply(ev("g2", "gift", "2026-03-05T08:00:00Z")).accepted  # 00:00 on the 5th in Los Angeles


def test_a_leap_day_birthday_comes_on_the_first_of_march() -> None:
    """29 February birthdays are reached on 1 March in years without one."""
    from datetime import date

    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18
    assert age_on(date(2008, 2, 29), date(2028, 2, 29)) == 20


def test_a_viewer_outside_the_allowed_regions_is_refused_for_every_action() -> None:
    """A viewer in FR is refused for a like too, naming eligibility.regions and the regions allowed."""
    engine = Engine(fest())
    run(engine, profile("u1", birth_date="1990-01-01", region="FR"))
    rejection = refused(engine, ev("l1", "like", "2026-03-02T11:00:00Z"))
    assert rejection.reason == "eligibility.regions: viewer 'u1' is in FR, not in a region the fest runs in (CA, US)"
    refused(engine, ev("c1", "claim", "2026-03-02T11:00:01Z", mission_id="likes"))


def test_an_excluded_viewer_is_refused_whatever_the_profile() -> None:
    """An excluded user id is refused first, naming eligibility.excluded_users."""
    engine = Engine(fest())
    run(engine, profile("banned", birth_date="1990-01-01", region="US"))
    rejection = refused(engine, ev("l1", "like", "2026-03-02T11:00:00Z", user="banned"))
    assert rejection.reason == "eligibility.excluded_users: viewer 'banned' is excluded from the fest"


def test_unknown_facts_are_refused_unless_the_pack_allows_them() -> None:
    """No profile: the region is unknown (refused); no birth date and no age_verified: the age is unknown."""
    engine = Engine(fest())
    rejection = refused(engine, ev("l1", "like", "2026-03-02T11:00:00Z"))
    assert rejection.reason == (
        "eligibility.regions: the region of viewer 'u1' is not known (no viewer_profile gave one); "
        "the fest runs in CA, US"
    )
    run(engine, profile("u1", region="US"))
    assert engine.apply(ev("l2", "like", "2026-03-02T11:00:01Z")).accepted
    rejection = refused(engine, ev("g1", "gift", "2026-03-02T11:00:02Z"))
    assert rejection.reason == (
        "eligibility.minimum_age.gift: the age of viewer 'u1' is not known (no birth_date and no "
        "age_verified: true in a viewer_profile); a gift needs 18 or older"
    )
    lenient = Engine(fest(unknown="allow"))
    assert lenient.apply(ev("g1", "gift", "2026-03-02T11:00:02Z")).accepted


def test_a_verified_age_meets_the_minimum_and_a_birth_date_decides_over_it() -> None:
    """age_verified: true without a birth date meets every minimum; with a minor's birth date it does not."""
    engine = Engine(fest())
    run(engine, profile("u1", age_verified=True, region="CA"))
    assert engine.apply(ev("g1", "gift", "2026-03-02T11:00:00Z")).accepted
    run(engine, profile("u1", "2026-03-02T11:00:01Z", age_verified=True, birth_date="2012-01-01", region="CA"))
    refused(engine, ev("g2", "gift", "2026-03-02T11:00:02Z"))


def test_a_later_profile_replaces_the_earlier_and_changes_the_answer() -> None:
    """A viewer who moves into an allowed region may take part from then on."""
    engine = Engine(fest())
    run(engine, profile("u1", birth_date="1990-01-01", region="FR"))
    refused(engine, ev("l1", "like", "2026-03-02T11:00:00Z"))
    run(engine, profile("u1", "2026-03-02T11:00:01Z", birth_date="1990-01-01", region="US"))
    assert engine.apply(ev("l1", "like", "2026-03-02T11:00:02Z")).accepted  # the same id, now accepted


def test_refusals_leave_the_state_and_the_snapshot_unchanged_and_restore_keeps_the_rules() -> None:
    """A restored engine refuses and accepts the same events (its profiles came along)."""
    fest_ = fest()
    engine = Engine(fest_)
    run(
        engine, profile("u1", birth_date="2011-05-05", region="US"), profile("u2", birth_date="1980-05-05", region="US")
    )
    restored = Engine.restore(fest_, engine.snapshot())
    refused(restored, ev("g1", "gift", "2026-03-02T11:00:00Z"))
    assert restored.apply(ev("g2", "gift", "2026-03-02T11:00:00Z", user="u2")).accepted
    assert restored.missions("u1") == engine.missions("u1")


def test_without_an_eligibility_section_nothing_is_refused() -> None:
    """A pack without eligibility lets a viewer without a profile do everything."""
    plain = make_fest(mission("gifts", "gift", 1))
    assert plain.eligibility is None
    engine = Engine(plain)
    assert engine.apply(ev("g1", "gift", "2026-03-02T11:00:00Z")).accepted


@pytest.mark.parametrize("kind", ["stream_started", "refund", "viewer_profile"])
def test_events_that_are_not_viewer_actions_are_never_refused(kind: str) -> None:
    """Creators' stream events, refunds of orders taken and profiles pass whatever the rules say."""
    engine = Engine(fest())
    if kind == "refund":
        run(engine, profile("u1", birth_date="1990-01-01", region="US"))
        buy = ev("p1", "purchase", "2026-03-02T10:30:00Z", order_id="o1", product_id="p1", price="5.00", currency="USD")
        assert engine.apply(buy).accepted
        run(engine, profile("u1", "2026-03-02T10:40:00Z", birth_date="1990-01-01", region="FR"))
        event = ev("r1", "refund", "2026-03-02T11:00:00Z", order_id="o1", amount="5.00")
    elif kind == "stream_started":
        event = ev("s1", "stream_started", "2026-03-02T11:00:00Z", user="c1")
    else:
        event = profile("nobody", region="FR")
    assert engine.apply(event).accepted
