"""docs/economy.md, "Eligibility: a purchase refused, then taken a day later", number for number."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import attrs
from economy_fests import Feed, make_fest, run, trial_balance_is_zero, usd

from festengine.assembly import Engine
from festengine.economy.outcomes import CommissionAccrued, OrderRecorded


def test_a_purchase_before_the_local_birthday_is_refused_and_taken_after_it() -> None:
    """17 on the local 6 March (though 7 March in UTC): refused, nothing changes; 18 at local midnight: taken."""
    feed = Feed()
    engine = Engine(make_fest(eligibility={"minimum_age": {"purchase": 18}, "regions": ["US"]}))
    run(
        engine,
        feed.event("viewer_profile", "2026-03-06T18:00:00Z", "u5", birth_date="2008-03-07", region="US"),
        feed.click("2026-03-06T19:00:00Z", "u5", "c1"),
    )
    profile = engine.viewer_profile("u5")
    assert profile is not None
    assert (str(profile.birth_date), profile.region) == ("2008-03-07", "US")
    before = engine.snapshot()
    purchase = feed.purchase("2026-03-07T07:30:00Z", "u5", "o9", "25.00")
    refused = engine.apply(purchase)
    assert refused.rejected is not None
    assert refused.rejected.code == "not_eligible"
    assert refused.rejected.reason == (
        "eligibility.minimum_age.purchase: viewer 'u5' is 17 on 2026-03-06 (in the fest's time zone); "
        "a purchase needs 18 or older"
    )
    assert engine.snapshot() == before
    assert engine.entries("viewer:u5") == ()
    resent = attrs.evolve(purchase, occurred_at=datetime(2026, 3, 7, 8, 30, tzinfo=UTC))  # the same event id
    later = engine.apply(resent)
    assert later.accepted
    assert [o.order_id for o in later.of(OrderRecorded)] == ["o9"]
    assert [(a.base, a.amount) for a in later.of(CommissionAccrued)] == [(usd("25.00"), usd("2.50"))]
    unknown = engine.apply(feed.purchase("2026-03-07T09:00:00Z", "u6", "o10", "10.00"))
    assert unknown.rejected is not None
    assert unknown.rejected.reason == (
        "eligibility.regions: the region of viewer 'u6' is not known (no viewer_profile gave one); the fest runs in US"
    )
    assert engine.balance("creator:c1:commission_pending").amount == Decimal("2.50")
    assert trial_balance_is_zero(engine)
