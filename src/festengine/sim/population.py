"""The simulated people and things: creators with niches and audiences, viewers with interests and
propensities, and a product catalogue with categories, sellers and exact prices.

Everything is drawn once, up front, from the simulator's ``random.Random`` (so the same seed gives
the same population) and kept in small per-agent tables: memory grows with the number of agents,
never with the number of events. Ids come from the pack where it names them (product ids, sellers
and categories of commission rules and promotions), so simulated purchases meet the pack's rules.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Sequence
from decimal import Decimal
from itertools import accumulate

import attrs

from festengine.catalog.model import Fest

__all__ = ["NICHES", "Creator", "Population", "Product", "Viewer", "build_population"]

#: Creator niches and the product categories their shops carry.
NICHES: dict[str, tuple[str, ...]] = {
    "beauty": ("beauty",),
    "fashion": ("fashion",),
    "tech": ("electronics",),
    "gaming": ("electronics", "gaming"),
    "cooking": ("groceries", "home"),
    "fitness": ("sports",),
    "music": ("merch",),
    "lifestyle": ("home", "fashion"),
}

#: Price ranges per category in whole currency units (a price is ``units - 1 minor unit``, e.g. 24.99).
_PRICE_UNITS: dict[str, tuple[int, int]] = {
    "beauty": (8, 60),
    "fashion": (15, 120),
    "electronics": (20, 400),
    "gaming": (10, 80),
    "groceries": (5, 40),
    "home": (10, 150),
    "sports": (15, 150),
    "merch": (10, 35),
}
_DEFAULT_UNITS = (10, 100)


@attrs.frozen(slots=True)
class Product:
    """A product a creator can show: its id, category, seller and unit price."""

    id: str
    category: str
    seller: str
    price: Decimal


@attrs.define(slots=True)
class Creator:
    """A creator: niche, audience weight (how many viewers they draw), habits and shop."""

    index: int
    id: str
    niche: str
    #: relative pull on viewers (heavy-tailed: a few big creators, many small ones)
    audience: float
    #: chance of going LIVE on a weekday (weekends a little more)
    live_chance: float
    #: the local hour the creator likes to start at
    start_hour: int
    #: typical stream length in minutes
    minutes: float
    products: tuple[Product, ...]


@attrs.define(slots=True)
class Viewer:
    """A viewer: interests, how active they are and how likely they do each thing, plus a little memory."""

    index: int
    id: str
    interests: tuple[str, ...]
    activity: float
    stickiness: float
    like_rate: float
    comment_rate: float
    share_chance: float
    follow_chance: float
    club_chance: float
    gift_rate: float
    gift_taste: float
    shop_rate: float
    buy_chance: float
    check_in_chance: float
    claim_chance: float
    channel: str | None
    busy_until: int = 0
    last_check_in_day: int = -(10**6)
    follows: set[int] | None = None
    clubs: set[int] | None = None


@attrs.frozen(slots=True)
class Pool:
    """Viewers to draw from, weighted by activity (cumulative weights for ``random.choices``)."""

    viewers: tuple[int, ...]
    cumulative: tuple[float, ...]

    def draw(self, rng: random.Random) -> int:
        """One viewer index, more active viewers more often."""
        position = bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        return self.viewers[min(position, len(self.viewers) - 1)]


@attrs.frozen(slots=True)
class Population:
    """Everyone in the simulation, and the pools that creators draw their audiences from."""

    creators: tuple[Creator, ...]
    viewers: tuple[Viewer, ...]
    products: tuple[Product, ...]
    #: niche -> viewers interested in it
    by_niche: dict[str, Pool]
    everyone: Pool


def _pack_catalogue(fest: Fest) -> tuple[list[str], list[str], list[tuple[str, str, str]]]:
    """Categories, sellers and (product, category, seller) rows that the pack itself names."""
    categories: set[str] = set()
    sellers: set[str] = set()
    named: list[tuple[str, str, str]] = []
    for rule in fest.commission.rules:
        categories |= rule.categories
        sellers |= rule.sellers
        rule_categories = sorted(rule.categories) or ["merch"]
        rule_sellers = sorted(rule.sellers) or ["fest_store"]
        named += [(product, rule_categories[0], rule_sellers[0]) for product in sorted(rule.products)]
        if rule.sellers and not rule.products:
            named += [(f"{s}_{c}_{n}", c, s) for s in rule_sellers for c in rule_categories for n in (1, 2)]
    for promotion in fest.promotions.values():
        categories |= promotion.categories
        named += [(product, "merch", "fest_store") for product in sorted(promotion.products)]
    for window in fest.commission.bonus_windows:
        categories |= window.categories
    return sorted(categories), sorted(sellers), named


def _price(rng: random.Random, category: str, minor_unit: int) -> Decimal:
    low, high = _PRICE_UNITS.get(category, _DEFAULT_UNITS)
    units = rng.randint(low, high)
    if minor_unit == 0:
        return Decimal(units * 100)
    return (Decimal(units) - Decimal(1).scaleb(-minor_unit)).quantize(Decimal(1).scaleb(-minor_unit))


def build_products(fest: Fest, rng: random.Random) -> tuple[Product, ...]:
    """The catalogue: the pack's named products first, then ten products per category."""
    pack_categories, pack_sellers, named = _pack_catalogue(fest)
    categories = sorted({c for cs in NICHES.values() for c in cs} | set(pack_categories))
    minor = fest.economy.minor_unit
    seen: set[str] = set()
    products: list[Product] = []
    for product_id, category, seller in named:
        if product_id not in seen:
            seen.add(product_id)
            products.append(Product(product_id, category, seller, _price(rng, category, minor)))
    sellers = [f"seller_{n}" for n in range(1, 13)] + pack_sellers
    for category in categories:
        for n in range(1, 11):
            product_id = f"{category}_{n:02d}"
            if product_id not in seen:
                seen.add(product_id)
                seller = sellers[rng.randrange(len(sellers))]
                products.append(Product(product_id, category, seller, _price(rng, category, minor)))
    return tuple(products)


def _shop_of(rng: random.Random, niche: str, products: Sequence[Product]) -> tuple[Product, ...]:
    """A creator's shop: 3-8 products of the niche's categories, sometimes the fest merch too."""
    wanted = set(NICHES[niche])
    fitting = [p for p in products if p.category in wanted]
    shop = rng.sample(fitting, min(len(fitting), rng.randint(3, 8))) if fitting else []
    merch = [p for p in products if p.category == "merch" and p not in shop]
    if merch and rng.random() < 0.4:
        shop.append(merch[rng.randrange(len(merch))])
    return tuple(shop)


#: Preferred start hours: mostly evenings, some lunchtime and afternoon creators.
_START_HOURS = (12, 13, 15, 16, 17, 18, 18, 19, 19, 19, 20, 20, 20, 20, 21, 21, 21, 22)


def build_creators(rng: random.Random, count: int, products: Sequence[Product]) -> tuple[Creator, ...]:
    """``count`` creators ``c0001``…, with Pareto-distributed audiences."""
    niches = list(NICHES)
    creators = []
    for index in range(count):
        niche = niches[rng.randrange(len(niches))]
        creators.append(
            Creator(
                index=index,
                id=f"c{index + 1:04d}",
                niche=niche,
                audience=min(rng.paretovariate(1.3), 60.0),
                live_chance=rng.uniform(0.35, 0.9),
                start_hour=_START_HOURS[rng.randrange(len(_START_HOURS))],
                minutes=rng.uniform(50, 180),
                products=_shop_of(rng, niche, products),
            )
        )
    return tuple(creators)


def _maybe(rng: random.Random, chance_zero: float, mean: float) -> float:
    """Zero with probability ``chance_zero``, else an exponential draw around ``mean``."""
    return 0.0 if rng.random() < chance_zero else rng.expovariate(1.0 / mean)


def _viewer(rng: random.Random, index: int, niches: Sequence[str], channels: Sequence[str]) -> Viewer:
    interests = tuple(sorted(rng.sample(niches, rng.randint(1, 3))))
    channel = channels[rng.randrange(len(channels))] if channels and rng.random() < 0.25 else None
    return Viewer(
        index=index,
        id=f"u{index + 1:06d}",
        interests=interests,
        activity=rng.lognormvariate(0.0, 1.0),
        stickiness=rng.lognormvariate(0.0, 0.6),
        like_rate=_maybe(rng, 0.35, 0.4),
        comment_rate=_maybe(rng, 0.45, 0.25),
        share_chance=rng.uniform(0.0, 0.12),
        follow_chance=rng.uniform(0.0, 0.15),
        club_chance=rng.uniform(0.0, 0.06),
        gift_rate=_maybe(rng, 0.65, 0.06),
        gift_taste=1.2 if rng.random() < 0.02 else rng.uniform(0.3, 0.9),
        shop_rate=_maybe(rng, 0.45, 0.08),
        buy_chance=rng.uniform(0.03, 0.25),
        check_in_chance=rng.uniform(0.0, 0.9),
        claim_chance=rng.uniform(0.5, 1.0),
        channel=channel,
    )


def _pool(viewers: Sequence[Viewer]) -> Pool:
    indexes = tuple(v.index for v in viewers)
    return Pool(indexes, tuple(accumulate(v.activity for v in viewers)))


def build_viewers(rng: random.Random, count: int, fest: Fest) -> tuple[Viewer, ...]:
    """``count`` viewers ``u000001``…; a quarter buy their coins on a non-default channel."""
    economy = fest.economy
    channels = sorted(c for c in economy.coin_value if c != economy.default_channel)
    niches = list(NICHES)
    return tuple(_viewer(rng, index, niches, channels) for index in range(count))


def build_population(fest: Fest, rng: random.Random, *, viewers: int, creators: int) -> Population:
    """Products, creators and viewers, in that order of draws (so each seed gives one population)."""
    products = build_products(fest, rng)
    creator_table = build_creators(rng, creators, products)
    viewer_table = build_viewers(rng, viewers, fest)
    by_niche = {}
    for niche in NICHES:
        members = [v for v in viewer_table if niche in v.interests]
        by_niche[niche] = _pool(members) if members else _pool(viewer_table)
    return Population(creator_table, viewer_table, products, by_niche, _pool(viewer_table))


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method for small means, a rounded normal for large ones)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit = math.exp(-mean)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
