"""The bundled Community Fest pack's own money example, checked against the engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from economy_fests import Feed, run, usd

from festengine.assembly import Engine
from festengine.economy.outcomes import GiftConverted

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"


@pytest.mark.skipif(not (PACK / "economy.yaml").exists(), reason="the bundled pack is not in this checkout")
def test_the_packs_worked_example_rainbow_puke_in_week_one() -> None:
    """economy.yaml: 100 coins x 0.0143 = 1.43; creator 0.715 -> 0.72; bonus 3% -> 0.04; credit 10% -> 0.14."""
    loader = pytest.importorskip("festengine.catalog.loader", reason="the pack reader has not landed yet")
    engine = Engine(loader.load_fest(PACK))
    gift = Feed().gift("2026-06-16T19:00:00Z", "u1", "c1", "rainbow_puke")
    (step,) = run(engine, gift)
    (converted,) = step.of(GiftConverted)
    assert converted.conversion_id == "week1_gift_credit"
    assert (converted.value, converted.creator, converted.creator_bonus, converted.viewer_credit) == (
        usd("1.4300"),
        usd("0.72"),
        usd("0.04"),
        usd("0.14"),
    )
    assert all(total == 0 for total in engine.ledger.trial_balance().values())
