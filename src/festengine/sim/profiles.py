"""The simulated viewers' profiles: birth dates, verified ages and regions, some of them not eligible.

Every viewer's ``viewer_profile`` event comes at the start of the simulated stretch, before anything
else (a platform sends what it knows about its viewers when the fest starts). A share of viewers are
under 18, a share live outside the fest's allowed regions and a share have no profile at all, each
drawn from a generator of their own, seeded from the simulation's seed, so the rest of the
simulation (its draws and its events) is the same whatever the shares are.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Final

import attrs

from festengine.events import Event
from festengine.sim.feed import EventMaker

__all__ = ["ProfileRates", "home_regions", "profile_events"]

#: Regions the simulated viewers come from when the fest allows every region.
_HOME: Final = ("US", "GB", "DE", "FR", "BR", "JP", "KR", "ID", "MX", "CA")
#: Regions drawn for the viewers outside the fest's allowed ones (those not allowed, in this order).
_ABROAD: Final = ("CN", "IN", "RU", "NG", "EG", "AR", "TR", "VN", "PH", "PK", "US", "GB", "DE")


@attrs.frozen(slots=True)
class ProfileRates:
    """The shares of simulated viewers by what their profile says."""

    #: viewers under 18 (13 to 17 years old at the fest's start)
    under_18: float = 0.08
    #: viewers whose region is not one the fest allows (when it names allowed regions)
    outside_regions: float = 0.05
    #: viewers whose profile never comes (their age and region are unknown)
    no_profile: float = 0.02
    #: adults whose profile gives ``age_verified: true`` besides the birth date
    verified: float = 0.5

    def __attrs_post_init__(self) -> None:
        for name in ("under_18", "outside_regions", "no_profile", "verified"):
            share = getattr(self, name)
            if not 0 <= share <= 1:
                raise ValueError(f"ProfileRates.{name} is a share from 0 to 1, not {share!r}")


def home_regions(allowed: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The regions viewers come from: (allowed, not allowed). With no allowed regions named, every
    region is allowed and the second list is empty."""
    if not allowed:
        return _HOME, ()
    return tuple(sorted(allowed)), tuple(region for region in _ABROAD if region not in allowed)


def profile_events(
    allowed: frozenset[str], viewer_ids: Sequence[str], seed: int, rates: ProfileRates, start: int, maker: EventMaker
) -> Iterator[Event]:
    """One ``viewer_profile`` at POSIX second ``start`` for each viewer that has one, in viewer order;
    ``allowed``: the fest's allowed regions (empty: every region)."""
    rng = random.Random(f"festengine-profiles-{seed}")  # a generator of its own: the other draws stay the same
    inside, outside = home_regions(allowed)
    first_day = datetime.fromtimestamp(start, UTC).date()
    for user in viewer_ids:
        if rng.random() < rates.no_profile:
            continue
        minor = rng.random() < rates.under_18
        age = rng.randint(13, 17) if minor else rng.randint(18, 65)
        regions = outside if outside and rng.random() < rates.outside_regions else inside
        region = regions[rng.randrange(len(regions))]
        verified = True if not minor and rng.random() < rates.verified else None
        born = _birth_date(rng, first_day, age)
        yield maker.make("viewer_profile", start, user, birth_date=born, age_verified=verified, region=region)


def _birth_date(rng: random.Random, day: date, age: int) -> date:
    """A birth date of someone ``age`` years old on ``day`` (and on the following weeks, mostly)."""
    year = day.year - age - 1
    born = date(year, 1, 1).toordinal() + rng.randrange(365)
    while _age_on(date.fromordinal(born), day) > age:
        born += 30
    return date.fromordinal(born)


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
