"""Viewer profiles and who may take part: the facts a platform sends about a viewer, and the gate they open.

A ``viewer_profile`` event says what the platform knows about a viewer: the birth date, whether the
age is verified, the region (ISO 3166-1 alpha-2). It is kept on the viewer's key; a later profile
replaces the earlier one whole (a field it leaves out is no longer known).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar, cast

import attrs

from festengine._codes import is_region
from festengine.catalog.model import Fest
from festengine.engine.component import Component, Handler, StepContext
from festengine.engine.shapes import BOOL, STR, Bad, Shape, dict_of, optional, record
from festengine.events import Event

__all__ = ["Eligibility", "ViewerProfile"]


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
    def from_plain(cls, data: Mapping[str, Any]) -> ViewerProfile:
        """Read what :meth:`to_plain` wrote (checked by :func:`_profile_shape` first)."""
        birth = data["birth_date"]
        return cls(None if birth is None else date.fromisoformat(birth), data["age_verified"], data["region"])


class Eligibility(Component):
    """Keeps each viewer's latest profile."""

    name: ClassVar[str] = "eligibility"

    def __init__(self, fest: Fest) -> None:
        super().__init__(fest)
        self._profiles: dict[str, ViewerProfile] = {}

    def handlers(self) -> Mapping[str, Handler]:
        return {"viewer_profile": self._record_profile}

    def _record_profile(self, event: Event, ctx: StepContext) -> None:
        self._profiles[event.user_id] = ViewerProfile.of(event)

    # ------------------------------------------------------------------ queries

    def profile(self, user_id: str) -> ViewerProfile | None:
        """A viewer's latest profile, or ``None`` if none came."""
        return self._profiles.get(user_id)

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> object:
        return {"profiles": {user: profile.to_plain() for user, profile in self._profiles.items()}}

    def snapshot_shape(self) -> Shape:
        return record(profiles=dict_of(_profile_shape))

    def load(self, data: Any) -> None:
        profiles = cast(dict[str, dict[str, Any]], data["profiles"])
        self._profiles = {user: ViewerProfile.from_plain(plain) for user, plain in profiles.items()}


_fields_shape: Shape = record(birth_date=optional(STR), age_verified=optional(BOOL), region=optional(STR))


def _profile_shape(value: object) -> None:
    """A profile as :meth:`ViewerProfile.to_plain` writes it: a real day, a real region code."""
    _fields_shape(value)
    plain = cast(dict[str, Any], value)
    birth, region = plain["birth_date"], plain["region"]
    if birth is not None:
        try:
            date.fromisoformat(birth)
        except ValueError:
            raise Bad(f"expected a date YYYY-MM-DD, got {birth!r}") from None
    if region is not None and not is_region(region):
        raise Bad(f"expected an ISO 3166-1 alpha-2 code, got {region!r}")
