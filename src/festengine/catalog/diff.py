"""What changed between two compiled fests, and whether a running fest can take the change.

:func:`diff_fests` compares an old and a new :class:`~festengine.catalog.model.Fest` section by
section and lists every difference as a :class:`Change`: which section and item, which field, the
value before and after, and the rule an upgrade follows for it (its :class:`ChangeKind`). A change
that can never be applied to a running fest (the currency, the time zone, a Fan Club's levels…)
carries the reason in ``refused``; changes whose safety depends on the live state (a window that
already closed, a badge already awarded, a budget below what it granted) are judged by the engine's
components when the upgrade runs (see :mod:`festengine.engine.upgrade`).

The rule for each section (also in the documentation's upgrades page):

* eligibility: the new rules judge the actions that arrive from now on (accepted ones stay);
* fest: the name is text; the id, time zone, dates, allowed lateness, week start and phases' dates are refused
  (a phase's name is text);
* economy: currency, minor unit and rounding refused; shares, coin values and channel apply from now on;
  gifts added or re-valued apply from now on, removed or made (non-)streakable refused; budgets added
  are funded now, changed amounts post the difference, removed refused; conversions added or changed
  apply from now on, removed refused;
* badges: added free, names text; removed or re-tiered refused once awarded (judged on the state);
* fan club, journeys' steps, commission: any change refused (journeys' titles are text, rewards from now on);
* scoring: every change applies from now on;
* missions: added start now; removed end (viewer missions; a started community goal is refused);
  titles text; target kept progress and re-checked; an explicit window's dates may move while it has
  not ended; filters and rewards from now on; repeat may rise; anything else refused;
* promotions: added, or extended (a later end, a longer duration); anything else refused;
* leaderboards: added start now, removed are dropped, titles text, sizes from now on; the rest refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar, cast

import attrs

from festengine.catalog.model import Fest, Mission, Promotion, Subject, WindowKind

if TYPE_CHECKING:
    from attrs import AttrsInstance

__all__ = ["Change", "ChangeKind", "PackDiff", "diff_fests"]

_T = TypeVar("_T")


class ChangeKind(StrEnum):
    """How an upgrade treats a change (the documented rule)."""

    #: titles, names, descriptions: nothing else moves
    TEXT = "text"
    #: a new item: it starts at the engine's current time (a budget is funded then)
    ADDED = "added"
    #: an item gone: viewer missions' instances end with ``MissionWithdrawn``; boards are dropped
    REMOVED = "removed"
    #: a mission's target: progress kept, completion re-checked at once, never taken back
    TARGET = "target"
    #: an explicit window's dates: only while it has not ended
    WINDOW = "window"
    #: a budget's amount: the difference posted as one balanced entry, never below what it granted
    AMOUNT = "amount"
    #: a promotion's later end or longer duration
    EXTENDED = "extended"
    #: rates, values, filters, rewards, sizes: they apply to what happens from now on
    FROM_NOW_ON = "from_now_on"
    #: a change that cannot be applied to a running fest (see ``Change.refused``)
    REFUSED = "refused"


@attrs.frozen(slots=True)
class Change:
    """One difference between two packs."""

    section: str
    #: the item's id (``""`` for the section as a whole)
    item: str
    field: str
    kind: ChangeKind
    before: str | None = None
    after: str | None = None
    #: why it is refused, for a refused change
    refused: str | None = None

    def describe(self) -> str:
        """One line: ``missions daily_like_tapper: target 100 → 150``."""
        where = f"{self.section} {self.item}".strip()
        if self.kind is ChangeKind.ADDED:
            return f"{where}: added"
        if self.kind is ChangeKind.REMOVED:
            return f"{where}: removed"
        if self.refused and not self.field:
            return f"{where}: {self.after}: {self.refused}"
        field = f"{self.field} " if self.field else ""
        text = f"{where}: {field}{self.before} → {self.after}"
        return f"{text}: {self.refused}" if self.refused else text


@attrs.frozen(slots=True)
class PackDiff:
    """Every change between two fests, in section order."""

    changes: tuple[Change, ...]

    @property
    def empty(self) -> bool:
        return not self.changes

    @property
    def refused(self) -> tuple[Change, ...]:
        """The changes refused whatever the state."""
        return tuple(c for c in self.changes if c.kind is ChangeKind.REFUSED)

    def of(self, section: str, *kinds: ChangeKind) -> Iterator[Change]:
        """The changes of one section (of the given kinds, if any)."""
        return (c for c in self.changes if c.section == section and (not kinds or c.kind in kinds))


def diff_fests(old: Fest, new: Fest) -> PackDiff:
    """Every change from ``old`` to ``new``, each with the rule an upgrade follows for it."""
    changes: list[Change] = []
    _fest(old, new, changes)
    _economy(old, new, changes)
    _badges(old, new, changes)
    _whole("fan_club", old.fan_club, new.fan_club, changes, "a Fan Club's levels and tasks decided members' state")
    if old.scoring != new.scoring:
        changes.append(Change("scoring", "", "rules", ChangeKind.FROM_NOW_ON, "changed", "changed"))
    _missions(old, new, changes)
    _journeys(old, new, changes)
    _promotions(old, new, changes)
    _whole("commission", old.commission, new.commission, changes, "accrued commissions were computed under them")
    _leaderboards(old, new, changes)
    return PackDiff(tuple(changes))


def _refused(section: str, item: str, field: str, before: object, after: object, why: str) -> Change:
    return Change(section, item, field, ChangeKind.REFUSED, _show(before), _show(after), why)


def _show(value: object) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _whole(section: str, before: object, after: object, changes: list[Change], why: str) -> None:
    if before != after:
        changes.append(_refused(section, "", "settings", "as before", "changed", why))


def _fields(
    section: str,
    item: str,
    old: object,
    new: object,
    rules: Mapping[str, ChangeKind | str],
    changes: list[Change],
    handled: frozenset[str] = frozenset(),
) -> None:
    """Compare the fields of two values: a kind is the rule, a text is why it is refused. A field
    neither in ``rules`` nor ``handled`` (compared by the caller) has no rule: a change to it is refused."""
    for field, rule in rules.items():
        before, after = getattr(old, field), getattr(new, field)
        if before == after:
            continue
        if isinstance(rule, ChangeKind):
            changes.append(Change(section, item, field, rule, _show(before), _show(after)))
        else:
            changes.append(_refused(section, item, field, before, after, rule))
    for attribute in attrs.fields(cast("type[AttrsInstance]", type(old))):  # every value compared is attrs
        field = attribute.name
        if field in rules or field in handled or field == "id":
            continue
        before, after = getattr(old, field), getattr(new, field)
        if before != after:
            changes.append(_refused(section, item, field, "as before", "changed", _NO_RULE))


#: why a change to a field no rule covers is refused
_NO_RULE = "no upgrade rule covers this field"


def _items(
    section: str,
    old: Mapping[str, _T],
    new: Mapping[str, _T],
    changes: list[Change],
    compare: Callable[[str, _T, _T, list[Change]], None],
    removed: str | None = None,
    added: str | None = None,
) -> None:
    """Items added, removed (refused with ``removed`` as the reason, if given) and compared."""
    for item, value in old.items():
        if item not in new:
            kind = ChangeKind.REFUSED if removed else ChangeKind.REMOVED
            changes.append(Change(section, item, "", kind, "present", "removed", removed))
        elif value != new[item]:
            compare(item, value, new[item], changes)
    for item in new:
        if item not in old:
            kind = ChangeKind.REFUSED if added else ChangeKind.ADDED
            changes.append(Change(section, item, "", kind, "absent", "added", added))


_FEST_RULES: dict[str, ChangeKind | str] = {
    "id": "the fest's id names its snapshots and stores",
    "name": ChangeKind.TEXT,
    "timezone": "fest days and weeks already counted in the old time zone",
    "starts_at": "the fest's dates decide its calendar and every window",
    "ends_at": "the fest's dates decide its calendar and every window",
    "allowed_lateness": "the lateness decides which event ids are remembered and when windows close",
    "eligibility": ChangeKind.FROM_NOW_ON,
}


#: the fest's fields compared section by section, or derived from the others
_FEST_SECTIONS = frozenset(
    {
        "phases", "calendar", "economy", "badges", "fan_club", "scoring", "missions", "journeys", "promotions",
        "commission", "leaderboards", "missions_by_event", "dependents", "fingerprint", "sources",
    }
)  # fmt: skip


def _fest(old: Fest, new: Fest, changes: list[Change]) -> None:
    _fields("fest", "", old, new, _FEST_RULES, changes, _FEST_SECTIONS)
    if old.calendar != new.calendar and not any(c.section == "fest" for c in changes):
        changes.append(_refused("fest", "", "week_starts_on", "as before", "changed", "weeks already counted"))

    def phase(item: str, before: object, after: object, found: list[Change]) -> None:
        rules: dict[str, ChangeKind | str] = {
            "name": ChangeKind.TEXT,
            "starts_at": "a phase's dates decide its windows; move a mission's own dates instead",
            "ends_at": "a phase's dates decide its windows; move a mission's own dates instead",
        }
        _fields("phases", item, before, after, rules, found)

    why = "missions and promotions may name the phase"
    _items("phases", old.phases, new.phases, changes, phase, removed=why, added=why)


_ECONOMY_RULES: dict[str, ChangeKind | str] = {
    "currency": "every amount in the ledger is in the old currency",
    "minor_unit": "amounts were rounded to the old currency's unit",
    "rounding": "amounts were rounded by the old rule",
    "coin_value": ChangeKind.FROM_NOW_ON,
    "default_channel": ChangeKind.FROM_NOW_ON,
    "creator_share": ChangeKind.FROM_NOW_ON,
    "platform_share": ChangeKind.FROM_NOW_ON,
}


def _economy(old: Fest, new: Fest, changes: list[Change]) -> None:
    handled = frozenset({"gifts", "budgets", "conversions"})
    _fields("economy", "", old.economy, new.economy, _ECONOMY_RULES, changes, handled)

    def gift(item: str, before: object, after: object, found: list[Change]) -> None:
        rules: dict[str, ChangeKind | str] = {
            "name": ChangeKind.TEXT,
            "coins": ChangeKind.FROM_NOW_ON,
            "tiktok_gift_id": ChangeKind.FROM_NOW_ON,
            "streakable": "gift streaks already counted under the old rule",
        }
        _fields("gifts", item, before, after, rules, found)

    def budget(item: str, before: object, after: object, found: list[Change]) -> None:
        rules: dict[str, ChangeKind | str] = {
            "name": ChangeKind.TEXT,
            "amount": ChangeKind.AMOUNT,
            "allow_partial": ChangeKind.FROM_NOW_ON,
        }
        _fields("budgets", item, before, after, rules, found)

    def conversion(item: str, before: object, after: object, found: list[Change]) -> None:
        rules: dict[str, ChangeKind | str] = {
            "valid_from": ChangeKind.FROM_NOW_ON,
            "valid_to": ChangeKind.FROM_NOW_ON,
            "viewer_credit_rate": ChangeKind.FROM_NOW_ON,
            "creator_bonus_rate": ChangeKind.FROM_NOW_ON,
            "daily_cap_per_viewer": ChangeKind.FROM_NOW_ON,
            "budget": ChangeKind.FROM_NOW_ON,
        }
        _fields("conversions", item, before, after, rules, found)

    gifts_old, gifts_new = old.economy.gifts, new.economy.gifts
    _items("gifts", gifts_old, gifts_new, changes, gift, removed="events already logged name the gift")
    budgets_old, budgets_new = old.economy.budgets, new.economy.budgets
    _items("budgets", budgets_old, budgets_new, changes, budget, removed="the budget's account holds its balance")
    conv_old = {c.id: c for c in old.economy.conversions}
    conv_new = {c.id: c for c in new.economy.conversions}
    why = "viewers' daily caps were counted under it"
    _items("conversions", conv_old, conv_new, changes, conversion, removed=why)


def _badges(old: Fest, new: Fest, changes: list[Change]) -> None:
    def badge(item: str, before: object, after: object, found: list[Change]) -> None:
        rules: dict[str, ChangeKind | str] = {
            "name": ChangeKind.TEXT,
            "description": ChangeKind.TEXT,
            "tiers": ChangeKind.FROM_NOW_ON,  # judged on the state: refused once the badge was awarded
        }
        _fields("badges", item, before, after, rules, found)

    _items("badges", old.badges, new.badges, changes, badge)


def _missions(old: Fest, new: Fest, changes: list[Change]) -> None:
    _items("missions", old.missions, new.missions, changes, _mission)


_MISSION_RULES: dict[str, ChangeKind | str] = {
    "title": ChangeKind.TEXT,
    "description": ChangeKind.TEXT,
    "subject": "a mission's instances belong to its subject",
    "requires": "viewers' prerequisites were already decided",
    "claim": "completions waiting for a claim have their deadlines",
    "rewards": ChangeKind.FROM_NOW_ON,
}


#: a mission's fields compared one by one below (``order``: its place in the pack, not a change)
_MISSION_HANDLED = frozenset({"counts", "measure", "target", "community", "window", "repeat", "order"})


def _mission(item: str, before: Mission, after: Mission, changes: list[Change]) -> None:
    _fields("missions", item, before, after, _MISSION_RULES, changes, _MISSION_HANDLED)
    community = before.subject is not Subject.VIEWER
    if before.counts != after.counts:
        changes.append(Change("missions", item, "counts", ChangeKind.FROM_NOW_ON, "changed", "changed"))
    if before.measure != after.measure:
        why = "progress was measured the old way"
        changes.append(_refused("missions", item, "measure", before.measure.kind, after.measure.kind, why))
    if before.target != after.target:
        if community:
            why = "a community goal's levels decide its state"
            changes.append(_refused("missions", item, "target", before.target, after.target, why))
        else:
            changes.append(
                Change("missions", item, "target", ChangeKind.TARGET, _show(before.target), _show(after.target))
            )
    if before.community != after.community:
        changes.append(_refused("missions", item, "community", "as before", "changed", "goals were reached under them"))
    _mission_window(item, before, after, community, changes)
    if before.repeat != after.repeat:
        rule = ChangeKind.FROM_NOW_ON if after.repeat > before.repeat else None
        if rule is None:
            why = "completions already made may exceed it"
            changes.append(_refused("missions", item, "repeat", before.repeat, after.repeat, why))
        else:
            changes.append(Change("missions", item, "repeat", rule, str(before.repeat), str(after.repeat)))


def _mission_window(item: str, before: Mission, after: Mission, community: bool, changes: list[Change]) -> None:
    old_w, new_w = before.window, after.window
    if old_w == new_w:
        return
    shown_old = f"{_show(old_w.starts_at)}..{_show(old_w.ends_at)}"
    shown_new = f"{_show(new_w.starts_at)}..{_show(new_w.ends_at)}"
    if old_w.kind is not WindowKind.BETWEEN or new_w.kind is not WindowKind.BETWEEN:
        why = "only an explicit window's dates can move"
        changes.append(_refused("missions", item, "window", old_w.kind, new_w.kind, why))
    elif community:
        why = "a community goal's windows are its goals"
        changes.append(_refused("missions", item, "window", shown_old, shown_new, why))
    else:
        changes.append(Change("missions", item, "window", ChangeKind.WINDOW, shown_old, shown_new))


def _journeys(old: Fest, new: Fest, changes: list[Change]) -> None:
    def journey(item: str, before: object, after: object, found: list[Change]) -> None:
        rules: dict[str, ChangeKind | str] = {
            "title": ChangeKind.TEXT,
            "description": ChangeKind.TEXT,
            "rewards": ChangeKind.FROM_NOW_ON,
            "steps": "viewers' paths were already taken",
        }
        _fields("journeys", item, before, after, rules, found)

    why = "journeys are reached from missions completed before"
    _items("journeys", old.journeys, new.journeys, changes, journey, removed=why, added=why)


def _promotions(old: Fest, new: Fest, changes: list[Change]) -> None:
    def promotion(item: str, before: Promotion, after: Promotion, found: list[Change]) -> None:
        why = "activations were made under it; only a later end or a longer duration can change"
        rules: dict[str, ChangeKind | str] = {
            "title": ChangeKind.TEXT,
            "trigger_kind": why,
            "trigger_mission": why,
            "trigger_level": why,
            "starts_at": why,
            "percent": why,
            "amount": why,
            "products": why,
            "categories": why,
            "audience": why,
        }
        _fields("promotions", item, before, after, rules, found, frozenset({"ends_at", "duration"}))
        for field in ("ends_at", "duration"):
            was, now = getattr(before, field), getattr(after, field)
            if was == now:
                continue
            if was is not None and now is not None and now > was:
                found.append(Change("promotions", item, field, ChangeKind.EXTENDED, _show(was), _show(now)))
            else:
                found.append(_refused("promotions", item, field, was, now, "a promotion can only be extended"))

    why = "viewers were offered it"
    _items("promotions", old.promotions, new.promotions, changes, promotion, removed=why)


def _leaderboards(old: Fest, new: Fest, changes: list[Change]) -> None:
    def board(item: str, before: object, after: object, found: list[Change]) -> None:
        why = "the board's entries were ranked under it"
        rules: dict[str, ChangeKind | str] = {
            "title": ChangeKind.TEXT,
            "size": ChangeKind.FROM_NOW_ON,
            "ranks": why,
            "by": why,
            "scope": why,
            "period": why,
        }
        _fields("leaderboards", item, before, after, rules, found)

    _items("leaderboards", old.leaderboards, new.leaderboards, changes, board)
