"""Missions in plain language, for designers checking what their YAML says.

``explain_mission(fest, mission)`` gives, for example::

    Send 5 gifts worth at least 100 coins, daily (resets 00:00 America/Los_Angeles).
    Reward: Fest Supporter badge (bronze) and 0.50 USD shopping credit from budget fest_rewards.
"""

from __future__ import annotations

from decimal import Decimal

from festengine.catalog.model import Condition, Fest, Mission, Reward, Subject, Window, WindowKind

__all__ = ["explain_fest", "explain_mission"]

#: event type -> (verb, plural noun of what is counted)
_PHRASES: dict[str, tuple[str, str]] = {
    "stream_started": ("Go LIVE", "times"),
    "stream_ended": ("End", "LIVE streams"),
    "view": ("Watch", "LIVE streams"),
    "like": ("Give", "likes"),
    "comment": ("Post", "comments"),
    "share": ("Share", "LIVE streams"),
    "follow": ("Follow", "creators"),
    "gift": ("Send", "gifts"),
    "fan_club_join": ("Join", "Fan Clubs"),
    "link_click": ("Click", "shoppable links"),
    "product_view": ("View", "products"),
    "purchase": ("Make", "purchases"),
    "refund": ("Request", "refunds"),
    "delivery": ("Receive", "deliveries"),
    "check_in": ("Check in", "times"),
    "claim": ("Claim", "rewards"),
}

#: field -> (unit for sums, noun for distinct values)
_FIELDS: dict[str, tuple[str, str]] = {
    "coins": ("coins", "coin amounts"),
    "seconds": ("seconds", "watch lengths"),
    "count": ("", "counts"),
    "amount": ("", "amounts"),
    "quantity": ("items", "quantities"),
    "creator_id": ("", "creators"),
    "stream_id": ("", "LIVE streams"),
    "gift_id": ("", "gifts"),
    "product_id": ("", "products"),
    "category": ("", "categories"),
    "seller_id": ("", "sellers"),
    "text": ("", "comments"),
    "user_id": ("", "viewers"),
}


def _number(value: int | Decimal) -> str:
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return format(value, "f")
    return format(Decimal(value).to_integral_value(), ",f")  # not str(int): no limit on the digits


_SINGULAR = {"times": "time", "LIVE streams": "LIVE stream", "likes": "like", "comments": "comment",
             "creators": "creator", "gifts": "gift", "Fan Clubs": "Fan Club", "shoppable links": "shoppable link",
             "products": "product", "purchases": "purchase", "refunds": "refund", "deliveries": "delivery",
             "rewards": "reward"}  # fmt: skip


def _counted(target: int | Decimal, noun: str) -> str:
    if target == 1:
        return "once" if noun == "times" else f"1 {_SINGULAR.get(noun, noun)}"
    return f"{_number(target)} {noun}"


def _duration(seconds: int | Decimal) -> str:
    total = int(seconds)
    if total >= 10**15:  # beyond any calendar: say it in seconds
        return f"{_number(total)} seconds"
    days, rest_of_day = divmod(total, 86400)
    if days and not rest_of_day:
        return f"{days} day{'s' if days != 1 else ''}"
    hours, rest = divmod(total, 3600)
    minutes = rest // 60
    if hours and not minutes:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes and not rest % 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{total} seconds"


def _condition(fest: Fest, condition: Condition) -> str:
    field, op, operand = condition.field, condition.op, condition.operand
    if field == "amount" and op in ("at_least", "at_most", "between"):
        currency = fest.economy.currency
        if op == "between":
            return f"worth between {_number(operand[0])} and {_number(operand[1])} {currency}"
        word = "at least" if op == "at_least" else "at most"
        return f"worth {word} {_number(operand)} {currency}"
    if field == "coins" and op in ("at_least", "at_most", "between"):
        if op == "between":
            return f"worth between {_number(operand[0])} and {_number(operand[1])} coins"
        word = "at least" if op == "at_least" else "at most"
        return f"worth {word} {_number(operand)} coins"
    if field == "gift_id":
        names = [fest.economy.gifts[g].name if g in fest.economy.gifts else g for g in _listed(op, operand)]
        return "of " + " or ".join(names)
    label = field.replace("_id", "").replace("_", " ")
    if op == "equals":
        return f"with {label} {operand}"
    if op == "one_of":
        return f"with {label} " + " or ".join(str(o) for o in operand)
    if op == "at_least":
        return f"with {label} at least {_number(operand)}"
    if op == "at_most":
        return f"with {label} at most {_number(operand)}"
    if op == "between":
        return f"with {label} between {_number(operand[0])} and {_number(operand[1])}"
    return f"with {label} containing “{operand}”"


def _listed(op: str, operand: object) -> list[str]:
    if op == "one_of" and isinstance(operand, tuple | list):
        return [str(o) for o in operand]
    return [str(operand)]


def _goal(fest: Fest, mission: Mission) -> str:
    event = mission.counts.event
    verb, noun = _PHRASES.get(event, ("Do", f"{event} events"))
    measure = mission.measure
    target = mission.target
    conditions = [_condition(fest, c) for c in mission.counts.conditions]
    suffix = (" " + " and ".join(conditions)) if conditions else ""
    if measure.kind == "count":
        return f"{verb} {_counted(target, noun)}{suffix}"
    doing = (verb if noun == "times" else f"{verb} {noun}") + suffix  # "Check in", not "Check in times"
    if measure.kind == "sum":
        field = measure.field or ""
        if field == "seconds":
            return f"{doing} for {_duration(target)} in total"
        if field == "amount":
            return f"{doing} worth {_number(target)} {fest.economy.currency} in total"
        if field == "count":  # the likes or gifts an event carries: as counting them
            return f"{verb} {_counted(target, noun)}{suffix}"
        unit = _FIELDS.get(field, (field, field))[0] or field
        return f"{doing} worth {_number(target)} {unit} in total"
    if measure.kind == "distinct":
        what = _FIELDS.get(measure.field or "", ("", measure.field or "values"))[1]
        return f"{doing} across {_number(target)} different {what}"
    period = measure.period
    per = "" if measure.min_per_period == 1 else f" ({measure.min_per_period} a {period})"
    grace = ""
    if measure.grace:
        grace = f", {measure.grace} missed {period}{'s' if measure.grace != 1 else ''} forgiven"
    return f"{doing}{per} on {_number(target)} {period}s in a row{grace}"


def _window(fest: Fest, window: Window) -> str:
    zone = fest.timezone.key
    kind = window.kind
    if kind is WindowKind.FEST:
        return "during the fest"
    if kind is WindowKind.PHASE:
        phase = fest.phases[window.phase or ""]
        return f"during {phase.name}"
    if kind is WindowKind.DAILY:
        return f"daily (resets 00:00 {zone})"
    if kind is WindowKind.WEEKLY:
        first = fest.calendar.local_date(-fest.calendar.week_offset).strftime("%A")
        return f"weekly (resets {first} 00:00 {zone})"
    if kind is WindowKind.STREAM:
        return "within a single LIVE stream"
    assert window.starts_at is not None  # noqa: S101 - set by the compiler
    assert window.ends_at is not None  # noqa: S101 - set by the compiler
    start = window.starts_at.astimezone(fest.timezone).strftime("%Y-%m-%d %H:%M")
    end = window.ends_at.astimezone(fest.timezone).strftime("%Y-%m-%d %H:%M")
    return f"between {start} and {end} ({zone})"


def _reward(fest: Fest, reward: Reward) -> str:
    if reward.kind == "badge" and reward.badge is not None:
        badge = fest.badges[reward.badge.badge]
        return f"{badge.name} badge ({reward.badge.tier})"
    if reward.kind == "points":
        return f"{_number(reward.points or 0)} fest points"
    if reward.kind == "credit":
        amount = format(reward.credit, "f")
        return f"{amount} {fest.economy.currency} shopping credit from budget {reward.budget}{_validity(fest, reward)}"
    if reward.kind == "fan_club_points":
        return f"{_number(reward.fan_club_points or 0)} Fan Club points"
    if reward.kind == "promotion":
        promotion = fest.promotions.get(reward.promotion or "")
        return f"the promotion “{promotion.title if promotion else reward.promotion}”"
    rate = (reward.commission_boost or Decimal(0)) * 100
    hours = _duration(int(reward.duration.total_seconds())) if reward.duration else "the fest"
    return f"+{rate.normalize():f}% commission for {hours}"


def _validity(fest: Fest, reward: Reward) -> str:
    """How long a credit reward can be spent, from its budget (nothing when it never lapses)."""
    budget = fest.economy.budgets.get(reward.budget or "")
    if budget is not None and budget.valid_for is not None:
        return f", valid for {_duration(int(budget.valid_for.total_seconds()))}"
    if budget is not None and budget.valid_until is not None:
        until = budget.valid_until.astimezone(fest.timezone).strftime("%Y-%m-%d %H:%M")
        return f", valid until {until} {fest.timezone.key}"
    return ""


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def explain_mission(fest: Fest, mission: Mission) -> str:
    """One mission as a short paragraph of plain language."""
    sentence = f"{_goal(fest, mission)}, {_window(fest, mission.window)}"
    if mission.repeat > 1:
        sentence += f", up to {mission.repeat} times"
    if mission.subject is Subject.CREATOR:
        sentence = "Together, a creator's viewers: " + sentence[0].lower() + sentence[1:]
    elif mission.subject is Subject.STREAM:
        sentence = "Together, the viewers of one LIVE stream: " + sentence[0].lower() + sentence[1:]
    parts = [sentence + "."]
    requires = mission.requires
    needs = [f"mission {fest.missions[m].title!r}" for m in requires.missions]
    if requires.fan_club_level is not None:
        needs.append(f"Fan Club level {requires.fan_club_level}")
    if requires.badge is not None:
        needs.append(f"{fest.badges[requires.badge.badge].name} badge ({requires.badge.tier})")
    if needs:
        parts.append("Unlocks after " + _join(needs) + ".")
    if mission.claim.manual and mission.claim.within is not None:
        parts.append(f"Claim it within {_duration(int(mission.claim.within.total_seconds()))} of completing.")
    if mission.community is not None and mission.subject is not Subject.VIEWER:
        community = mission.community
        if community.levels:
            extending = sum(1 for level in community.levels if level.extend_by)
            if extending == len(community.levels):
                parts.append(f"{len(community.levels)} levels on the way, each extending the deadline.")
            elif extending:
                parts.append(f"{len(community.levels)} levels on the way, {extending} of them extending the deadline.")
            else:
                parts.append(f"{len(community.levels)} levels on the way.")
        if community.min_contribution:
            parts.append(f"Contributors of at least {_number(community.min_contribution)} share the rewards.")
    if mission.rewards:
        parts.append("Reward: " + _join([_reward(fest, r) for r in mission.rewards]) + ".")
    return " ".join(parts)


def explain_fest(fest: Fest, mission_id: str | None = None) -> list[tuple[str, str]]:
    """``(mission id, explanation)`` for every mission, or for one; ``KeyError`` for an unknown id."""
    if mission_id is not None:
        return [(mission_id, explain_mission(fest, fest.missions[mission_id]))]
    return [(mission.id, explain_mission(fest, mission)) for mission in fest.missions.values()]
