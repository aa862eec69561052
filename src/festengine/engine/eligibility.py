"""Viewer profiles and who may take part: the facts a platform sends about a viewer, and the gate they open.

A ``viewer_profile`` event says what the platform knows about a viewer: the birth date, whether the
age is verified, the region (ISO 3166-1 alpha-2). It is kept on the viewer's key; a later profile
replaces the earlier one whole (a field it leaves out is no longer known).

The gate: when the fest has an ``eligibility`` section, every viewer action (``VIEWER_ACTIONS``) is
checked before any other component's checks run, and an action of a viewer who may not take part is
refused with ``Rejected(code="not_eligible")``, changing nothing. The rules, in this order:

1. ``eligibility.excluded_users``: the viewer is not excluded.
2. ``eligibility.regions``: the viewer's region is one of them (when the pack names any).
3. ``eligibility.minimum_age.<action>``: the viewer has reached that age on the day of the action,
   in the fest's time zone (a birthday on 29 February is reached on 1 March in other years). The
   birth date decides; without one, ``age_verified: true`` meets every minimum age.

A rule that needs a fact the viewer's profile does not give (no profile, no region, no birth date
and no ``age_verified: true``) refuses the action unless the pack says ``unknown: allow``. The
reason of a refusal starts with the rule's place in the pack (``eligibility.minimum_age.gift: …``),
so a report can count refusals by rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import ClassVar, Final, cast

import attrs

from festengine._codes import is_region
from festengine._vocab import VIEWER_ACTIONS
from festengine.catalog.model import EligibilityRules, Fest
from festengine.engine.component import Check, Component, Handler, Rejection, StepContext
from festengine.engine.keys import Owner
from festengine.engine.shapes import BOOL, STR, Bad, Shape, dict_of, optional, record
from festengine.events import Event

__all__ = ["NOT_ELIGIBLE", "Eligibility", "ViewerProfile", "age_on", "rule_of"]

#: The code of every refusal by an eligibility rule.
NOT_ELIGIBLE: Final = "not_eligible"


@attrs.frozen(slots=True)
class ViewerProfile:
    """What is known about a viewer (``None``: not known)."""

    birth_date: date | None = None
    age_verified: bool | None = None
    region: str | None = None

    @classmethod
    def of(cls, event: Event) -> ViewerProfile:
        """The profile a ``viewer_profile`` event carries."""
        return cls(event.birth_date, event.age_verified, event.region)

    def to_plain(self) -> dict[str, object]:
        """The snapshot's form: JSON-ready values, every field named."""
        birth = None if self.birth_date is None else self.birth_date.isoformat()
        return {"birth_date": birth, "age_verified": self.age_verified, "region": self.region}

    @classmethod
    def from_plain(cls, data: Mapping[str, object]) -> ViewerProfile:
        """Read what :meth:`to_plain` wrote (checked by :func:`_profile_shape` first)."""
        birth, verified, region = data["birth_date"], data["age_verified"], data["region"]
        born = date.fromisoformat(birth) if isinstance(birth, str) else None
        return cls(born, verified if isinstance(verified, bool) else None, region if isinstance(region, str) else None)


def age_on(birth_date: date, day: date) -> int:
    """Whole years from ``birth_date`` to ``day`` (29 February birthdays come on 1 March in other years)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def rule_of(reason: str) -> str:
    """The rule a ``not_eligible`` reason names (``eligibility.minimum_age.gift``)."""
    return reason.partition(":")[0]


_NO_PROFILE: Final = ViewerProfile()


class Eligibility(Component):
    """Keeps each viewer's latest profile, and refuses the actions of viewers the fest's rules leave out."""

    name: ClassVar[str] = "eligibility"
    owner: ClassVar[Owner | None] = Owner.VIEWER

    def __init__(self, fest: Fest) -> None:
        super().__init__(fest)
        self._rules = fest.eligibility
        self._profiles: dict[str, ViewerProfile] = {}

    def handlers(self) -> Mapping[str, Handler]:
        return {"viewer_profile": self._record_profile}

    def checks(self) -> Mapping[str, Check]:
        rules = self._rules
        if rules is None:
            return {}
        return {action: self._gate(rules, action) for action in VIEWER_ACTIONS}

    def _record_profile(self, event: Event, ctx: StepContext) -> None:
        self._profiles[event.user_id] = ViewerProfile.of(event)

    # ------------------------------------------------------------------ the gate

    def _gate(self, rules: EligibilityRules, action: str) -> Check:
        """The check of one action: the rules in order, the first that refuses decides."""
        minimum = rules.minimum_age.get(action)

        def check(event: Event) -> Rejection | None:
            user = event.user_id
            if user in rules.excluded_users:
                return Rejection(NOT_ELIGIBLE, f"eligibility.excluded_users: viewer {user!r} is excluded from the fest")
            profile = self._profiles.get(user, _NO_PROFILE)
            if rules.regions:
                refusal = self._region_refusal(rules, user, profile)
                if refusal is not None:
                    return refusal
            if minimum is None:
                return None
            return self._age_refusal(rules, event, action, minimum, profile)

        return check

    @staticmethod
    def _region_refusal(rules: EligibilityRules, user: str, profile: ViewerProfile) -> Rejection | None:
        region = profile.region
        if region in rules.regions:
            return None
        allowed = ", ".join(sorted(rules.regions))
        if region is not None:
            reason = f"viewer {user!r} is in {region}, not in a region the fest runs in ({allowed})"
        elif rules.refuse_unknown:
            reason = (
                f"the region of viewer {user!r} is not known (no viewer_profile gave one); the fest runs in {allowed}"
            )
        else:
            return None
        return Rejection(NOT_ELIGIBLE, f"eligibility.regions: {reason}")

    def _age_refusal(
        self, rules: EligibilityRules, event: Event, action: str, minimum: int, profile: ViewerProfile
    ) -> Rejection | None:
        rule = f"eligibility.minimum_age.{action}"
        user = event.user_id
        born = profile.birth_date
        if born is None:
            if profile.age_verified or not rules.refuse_unknown:
                return None
            return Rejection(
                NOT_ELIGIBLE,
                f"{rule}: the age of viewer {user!r} is not known (no birth_date and no age_verified: true in a "
                f"viewer_profile); a {action} needs {minimum} or older",
            )
        day = event.occurred_at.astimezone(self.fest.timezone).date()
        age = age_on(born, day)
        if age >= minimum:
            return None
        return Rejection(
            NOT_ELIGIBLE,
            f"{rule}: viewer {user!r} is {age} on {day.isoformat()} (in the fest's time zone); "
            f"a {action} needs {minimum} or older",
        )

    # ------------------------------------------------------------------ queries

    def profile(self, user_id: str) -> ViewerProfile | None:
        """A viewer's latest profile, or ``None`` if none came."""
        return self._profiles.get(user_id)

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> object:
        return {"profiles": {user: profile.to_plain() for user, profile in self._profiles.items()}}

    def snapshot_shape(self) -> Shape:
        return record(profiles=dict_of(_profile_shape))

    def load(self, data: object) -> None:
        profiles = cast(dict[str, dict[str, dict[str, object]]], data)["profiles"]
        self._profiles = {user: ViewerProfile.from_plain(plain) for user, plain in profiles.items()}


_fields_shape: Shape = record(birth_date=optional(STR), age_verified=optional(BOOL), region=optional(STR))


def _profile_shape(value: object) -> None:
    """A profile as :meth:`ViewerProfile.to_plain` writes it: a real day, a real region code."""
    _fields_shape(value)
    plain = cast(dict[str, object], value)
    birth, region = plain["birth_date"], plain["region"]
    if isinstance(birth, str):
        try:
            date.fromisoformat(birth)
        except ValueError:
            raise Bad(f"expected a date YYYY-MM-DD, got {birth!r}") from None
    if isinstance(region, str) and not is_region(region):
        raise Bad(f"expected an ISO 3166-1 alpha-2 code, got {region!r}")
