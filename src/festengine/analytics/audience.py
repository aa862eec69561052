"""Creator fit: each creator's audience (regions, age bands, categories bought, repeat buyers) and how
well it matches a brand's target.

A creator's **audience** is every viewer with at least one accepted event naming the creator (a view,
like, gift, click, purchase…). What is known of a viewer comes from their latest ``viewer_profile``
event (``region``; ``birth_date``, from which the age on the fest's first local day is counted;
``age_verified``, which says 18 or older without an age). A creator's **buyers** are the viewers whose
purchases are credited to the creator (the economy's ``order_recorded`` attribution, as the dashboard
does); a **repeat buyer** bought from the creator at least twice; **categories bought** count each
buyer once per category (the purchase's ``category``).

The fit of a creator to a target (any of: a region, an age range, a category) is a share, from 0 to 1:

* ``audience_match`` (region and/or age asked): of the creator's audience whose profile says what is
  asked (the *profiled* viewers), the share matching every asked attribute at once;
* ``category_share`` (category asked): of the creator's buyers, the share who bought the category;
* ``fit`` = the product of the asked shares (the chance that a profiled viewer of the creator is in the
  target, times the chance that a buyer buys the category).

Creators are ranked by ``fit``, then by ``matching`` (how many profiled viewers match: the reach), then
by id. A creator with fewer than ``min_sample`` profiled viewers (or buyers, for the category) is not
ranked but counted as ``too_few``: a share of three viewers says little.

Only accepted steps count; nothing reads the clock; the state is written as rows, one per key (see
:mod:`festengine.analytics.rows`), so that a store can keep it with its snapshots and write only the
rows a batch changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any, Final

import attrs

from festengine.analytics.rows import Part, Row, part_rows
from festengine.catalog.model import Fest
from festengine.engine.core import Step
from festengine.events import Event

__all__ = [
    "AGE_BANDS",
    "AgeRange",
    "AudienceProjection",
    "CreatorFit",
    "FitQuery",
    "FitRanking",
    "ViewerProfile",
    "profile_of",
]

#: The age bands an audience is broken into: (label, lowest age, highest age or None).
AGE_BANDS: Final = (
    ("13-17", 13, 17), ("18-24", 18, 24), ("25-34", 25, 34), ("35-44", 35, 44), ("45-54", 45, 54), ("55+", 55, None),
)  # fmt: skip
#: The band of a viewer known only to be 18 or older (``age_verified`` without a birth date).
ADULT: Final = "18+"
_UNKNOWN: Final = "unknown"
_RANGE: Final = re.compile(r"^(\d{1,3})(?:-(\d{1,3})|\+)$")


@attrs.frozen(slots=True)
class ViewerProfile:
    """What a ``viewer_profile`` event says about a viewer (each part may be missing)."""

    region: str | None = None
    birth_date: date | None = None
    age_verified: bool | None = None


def profile_of(event: Event) -> ViewerProfile | None:
    """The profile a ``viewer_profile`` event carries (``None`` for other events): the default port.

    A later profile replaces the earlier one whole, as in the engine: a field it leaves out is no
    longer known.
    """
    if event.type != "viewer_profile":
        return None
    return ViewerProfile(region=event.region, birth_date=event.birth_date, age_verified=event.age_verified)


@attrs.frozen(slots=True)
class AgeRange:
    """Ages from ``low`` to ``high`` inclusive (``high`` None: no upper end); parsed from ``18-34`` or ``55+``."""

    low: int
    high: int | None

    @classmethod
    def parse(cls, text: str) -> AgeRange:
        """``18-34`` or ``55+`` (``ValueError`` with the reason otherwise)."""
        found = _RANGE.match(text.strip())
        if found is None:
            raise ValueError(f"age range {text!r}: write it as LOW-HIGH (e.g. 18-34) or LOW+ (e.g. 55+)")
        low, high = int(found.group(1)), found.group(2)
        if high is not None and int(high) < low:
            raise ValueError(f"age range {text!r}: the upper age is below the lower one")
        return cls(low, None if high is None else int(high))

    def holds(self, age: int) -> bool:
        return self.low <= age and (self.high is None or age <= self.high)

    def __str__(self) -> str:
        return f"{self.low}+" if self.high is None else f"{self.low}-{self.high}"


@attrs.frozen(slots=True)
class FitQuery:
    """A brand's target: any of a region, an age range and a category (at least one)."""

    region: str | None = None
    age: AgeRange | None = None
    category: str | None = None
    min_sample: int = 5

    def __attrs_post_init__(self) -> None:
        if self.region is None and self.age is None and self.category is None:
            raise ValueError("name a target: a region, an age range or a category (or several)")
        if self.min_sample < 1:
            raise ValueError("min_sample must be at least 1")

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "age": None if self.age is None else str(self.age),
            "category": self.category,
            "min_sample": self.min_sample,
        }


@attrs.frozen(slots=True)
class CreatorFit:
    """One ranked creator and the figures behind the rank."""

    rank: int
    creator_id: str
    fit: float
    audience: int
    profiled: int
    matching: int
    audience_match: float | None
    buyers: int
    category_buyers: int
    category_share: float | None

    def to_dict(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in attrs.fields(CreatorFit)}


@attrs.frozen(slots=True)
class FitRanking:
    query: FitQuery
    creators: tuple[CreatorFit, ...]
    #: creators left unranked: fewer than ``min_sample`` profiled viewers (or buyers)
    too_few: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query.to_dict(),
            "creators": [c.to_dict() for c in self.creators],
            "too_few": list(self.too_few),
        }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _band(age: int | None, adult: bool) -> str:
    if age is None:
        return ADULT if adult else _UNKNOWN
    for label, low, high in AGE_BANDS:
        if low <= age and (high is None or age <= high):
            return label
    return _UNKNOWN


class AudienceProjection:
    """Folds steps into who watched and bought from each creator, and what each viewer's profile says."""

    def __init__(self, fest: Fest, *, profile: Callable[[Event], ViewerProfile | None] = profile_of) -> None:
        self._profile = profile
        #: with the default port only ``viewer_profile`` events carry a profile, so others skip the call
        self._profiles_by_type = profile is profile_of
        self._first_day = fest.calendar.local_date(0)
        self._ids: dict[str, int] = {}
        #: viewer -> (region, age, known adult)
        self._profiles: dict[int, tuple[str | None, int | None, bool]] = {}
        self._audience: dict[str, set[int]] = {}
        #: creator -> buyer -> orders
        self._buyers: dict[str, dict[int, int]] = {}
        #: creator -> category -> buyers
        self._categories: dict[str, dict[str, set[int]]] = {}
        self._parts = self._make_parts()

    def _viewer(self, user_id: str) -> int:
        ids = self._ids
        viewer = ids.get(user_id)
        if viewer is None:
            viewer = ids[user_id] = len(ids)
            self._changed_ids.add(user_id)
        return viewer

    def observe(self, event: Event, step: Step) -> None:
        """Fold one applied event and its step (ignored unless the step was accepted)."""
        if step.accepted:
            self.fold(event, step)

    def fold(self, event: Event, step: Step) -> None:
        """Fold one event whose step the caller knows was accepted (every viewer an accepted event names
        is numbered, so :meth:`knows` answers for all of them)."""
        viewer = self._viewer(event.user_id)
        if event.type == "viewer_profile" or not self._profiles_by_type:
            profile = self._profile(event)
            if profile is not None:
                age = None if profile.birth_date is None else _age_on(profile.birth_date, self._first_day)
                adult = bool(profile.age_verified) or (age is not None and age >= 18)
                self._profiles[viewer] = (profile.region, age, adult)
                self._changed_profiles.add(viewer)
                return
        creator = event.creator_id
        if creator:
            self._join(creator, viewer)
        if event.type == "purchase":
            self._purchase(event, step, viewer)

    def knows(self, user_id: str) -> bool:
        """Whether an accepted event named this viewer."""
        return user_id in self._ids

    def _join(self, creator: str, viewer: int) -> None:
        """The viewer is in the creator's audience (a change only the first time)."""
        audience = self._audience.get(creator)
        if audience is None:
            audience = self._audience[creator] = set()
        if viewer not in audience:
            audience.add(viewer)
            self._changed_audience.add(creator)

    def _purchase(self, event: Event, step: Step, viewer: int) -> None:
        creator = event.creator_id
        for outcome in step.outcomes:
            if outcome.kind == "order_recorded" and getattr(outcome, "creator_id", None):
                creator = str(getattr(outcome, "creator_id", ""))
        if not creator:
            return
        self._join(creator, viewer)
        buyers = self._buyers.setdefault(creator, {})
        buyers[viewer] = buyers.get(viewer, 0) + 1
        self._changed_buyers.add(creator)
        if event.category:
            self._categories.setdefault(creator, {}).setdefault(event.category, set()).add(viewer)
            self._changed_categories.add(creator)

    # ------------------------------------------------------------------ queries

    def creators(self) -> list[str]:
        return sorted(self._audience)

    def composition(self, creator_id: str) -> dict[str, Any] | None:
        """A creator's audience: size, regions and age bands (viewers and share of the profiled ones),
        categories bought (buyers and share of buyers), buyers, repeat buyers and their share."""
        audience = self._audience.get(creator_id)
        if audience is None:
            return None
        regions: dict[str, int] = {}
        bands: dict[str, int] = {}
        profiled = 0
        for viewer in audience:
            profile = self._profiles.get(viewer)
            if profile is None:
                continue
            profiled += 1
            regions[profile[0] or _UNKNOWN] = regions.get(profile[0] or _UNKNOWN, 0) + 1
            band = _band(profile[1], profile[2])
            bands[band] = bands.get(band, 0) + 1
        buyers = self._buyers.get(creator_id, {})
        repeat = sum(1 for orders in buyers.values() if orders >= 2)
        categories = self._categories.get(creator_id, {})
        return {
            "creator_id": creator_id,
            "audience": len(audience),
            "profiled": profiled,
            "regions": {r: {"viewers": n, "share": _share(n, profiled)} for r, n in sorted(regions.items())},
            "age_bands": {b: {"viewers": n, "share": _share(n, profiled)} for b, n in sorted(bands.items())},
            "categories": {
                c: {"buyers": len(who), "share": _share(len(who), len(buyers))} for c, who in sorted(categories.items())
            },
            "buyers": len(buyers),
            "repeat_buyers": repeat,
            "repeat_share": _share(repeat, len(buyers)),
        }

    def fit(self, query: FitQuery) -> FitRanking:
        """Every creator ranked by how well their audience matches ``query`` (see the module's description)."""
        scored: list[tuple[float, int, str, dict[str, Any]]] = []
        too_few: list[str] = []
        for creator in sorted(self._audience):
            figures = self._figures(creator, query)
            if figures is None:
                too_few.append(creator)
                continue
            scored.append((-figures["fit"], -figures["matching"], creator, figures))
        scored.sort(key=lambda item: item[:3])
        ranked = tuple(
            CreatorFit(rank=rank, creator_id=creator, **figures)
            for rank, (_fit, _reach, creator, figures) in enumerate(scored, start=1)
        )
        return FitRanking(query, ranked, tuple(too_few))

    def _figures(self, creator: str, query: FitQuery) -> dict[str, Any] | None:
        audience = self._audience[creator]
        profiled = matching = 0
        fit = 1.0
        audience_match = category_share = None
        if query.region is not None or query.age is not None:
            for viewer in audience:
                known, matches = self._matches(viewer, query)
                profiled += known
                matching += matches
            if profiled < query.min_sample:
                return None
            audience_match = _share(matching, profiled)
            fit *= matching / profiled
        buyers = self._buyers.get(creator, {})
        category_buyers = 0
        if query.category is not None:
            category_buyers = len(self._categories.get(creator, {}).get(query.category, ()))
            if len(buyers) < query.min_sample:
                return None
            category_share = _share(category_buyers, len(buyers))
            fit *= category_buyers / len(buyers)
        return {
            "fit": round(fit, 6),
            "audience": len(audience),
            "profiled": profiled,
            "matching": matching,
            "audience_match": audience_match,
            "buyers": len(buyers),
            "category_buyers": category_buyers,
            "category_share": category_share,
        }

    def _matches(self, viewer: int, query: FitQuery) -> tuple[int, int]:
        """(1 if the viewer's profile says every asked attribute else 0, 1 if it also matches them all)."""
        profile = self._profiles.get(viewer)
        if profile is None:
            return 0, 0
        region, age, _adult = profile
        if (query.region is not None and region is None) or (query.age is not None and age is None):
            return 0, 0
        ok = (query.region is None or region == query.region) and (query.age is None or query.age.holds(age or 0))
        return 1, int(ok)

    # ------------------------------------------------------------------ state as rows (for a store to keep)

    def _make_parts(self) -> tuple[Part, ...]:
        """The maps of the state, each a part of rows, with the sets of keys changed since the last write."""
        self._changed_ids: set[str] = set()
        self._changed_profiles: set[int] = set()
        self._changed_audience: set[str] = set()
        self._changed_buyers: set[str] = set()
        self._changed_categories: set[str] = set()
        return (
            Part("viewer", self._ids, _same, self._changed_ids),
            Part("profile", self._profiles, list, self._changed_profiles),
            Part("audience", self._audience, sorted, self._changed_audience),
            Part("buyers", self._buyers, _sorted_items, self._changed_buyers),
            Part("categories", self._categories, _sorted_sets, self._changed_categories),
        )

    def rows(self, *, changed_only: bool = False) -> Iterator[Row]:
        """The state as rows (see :mod:`festengine.analytics.rows`): all, or those changed since
        :meth:`forget_changes`."""
        for part in self._parts:
            yield from part_rows(part, list(part.changed if changed_only else part.data))

    def row_count(self) -> int:
        """How many rows :meth:`rows` gives in full."""
        return sum(len(part.data) for part in self._parts)

    def forget_changes(self) -> None:
        """The rows were written: count changes from here."""
        for part in self._parts:
            part.changed.clear()

    def load_rows(self, rows: Iterable[tuple[str, Any, Any]]) -> None:
        """Fill this new projection from decoded rows ``(part, key, value)`` as :meth:`rows` wrote them."""
        for part, key, value in rows:
            if part == "viewer":
                self._ids[str(key)] = int(value)
            elif part == "profile":
                region, age, adult = value
                known_region = None if region is None else str(region)
                self._profiles[int(key)] = (known_region, None if age is None else int(age), bool(adult))
            elif part == "audience":
                self._audience[str(key)] = {int(v) for v in value}
            elif part == "buyers":
                self._buyers[str(key)] = {int(v): int(n) for v, n in value}
            elif part == "categories":
                self._categories[str(key)] = {str(k): {int(v) for v in vs} for k, vs in value}
            else:
                raise KeyError(f"unknown row {part}/{key}")
        if sorted(self._ids.values()) != list(range(len(self._ids))):
            raise ValueError("the viewers' numbers are not 0, 1, 2…")


def _same(value: object) -> object:
    return value


def _sorted_items(value: dict[Any, Any]) -> list[tuple[Any, Any]]:
    return sorted(value.items())


def _sorted_sets(value: dict[str, set[int]]) -> list[tuple[str, list[int]]]:
    return [(key, sorted(members)) for key, members in sorted(value.items())]
