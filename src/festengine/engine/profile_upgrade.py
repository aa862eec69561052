"""Badges when the pack of a running fest changes (see :mod:`festengine.engine.upgrade`).

A badge added, renamed or re-described is free. A badge removed, or given other tiers, is refused
once any viewer holds it (a badge already awarded is never taken back nor re-ranked); before
that, the change is free.
"""

from __future__ import annotations

from typing import cast

from festengine.catalog.diff import ChangeKind, PackDiff
from festengine.engine.component import Component
from festengine.engine.profile import Profiles
from festengine.engine.upgrade import ComponentUpgrade

__all__ = ["ProfilesUpgrade"]


class ProfilesUpgrade(ComponentUpgrade):
    """The upgrade hook of the viewers' profiles (badges and points)."""

    def refusals(self, diff: PackDiff, component: Component, now: float) -> list[str]:
        profiles = cast(Profiles, component)
        found = []
        for change in diff.of("badges", ChangeKind.REMOVED, ChangeKind.FROM_NOW_ON):
            holders = profiles.holders(change.item)
            if holders:
                what = "removing it" if change.kind is ChangeKind.REMOVED else "changing its tiers"
                found.append(
                    f"badges {change.item}: {what} is refused, {holders:,} viewers hold it "
                    "(a badge already awarded is never taken back)"
                )
        return found
