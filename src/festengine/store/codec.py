"""How the store writes an event: its wire JSON (what :func:`festengine.parse_event` reads back).

The same JSON as :func:`festengine.events.dumps_event` up to key order and escaping of non-ASCII
text, written without building a dict: it reads only the fields the event's type can have and
joins strings, so writing the log allocates nothing the garbage collector has to track.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Final

from festengine.events import _COMMON, _FIELDS, Event

__all__ = ["encode_event"]

#: Per type, (field, its JSON key with the colon) for the fields that type can have, in wire order.
_WIRE_FIELDS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    kind: tuple((name, f'"{name}":') for name in (*_COMMON, *required, *optional))
    for kind, (required, optional) in _FIELDS.items()
}


def encode_event(event: Event) -> str:
    """The event as one compact JSON object."""
    text = ""
    for name, key in _WIRE_FIELDS[event.type]:
        value = getattr(event, name)
        if value is None:
            continue
        kind = type(value)
        if kind is str:
            literal = encode_basestring(value)
        elif kind is datetime:
            literal = '"' + value.isoformat().replace("+00:00", "Z") + '"'
        elif kind is Decimal:
            literal = '"' + str(value) + '"'
        elif kind is bool:
            literal = "true" if value else "false"
        elif kind is date:  # a viewer_profile's birth_date
            literal = '"' + value.isoformat() + '"'
        else:
            literal = str(int(value))
        text += "," + key + literal
    return "{" + text[1:] + "}"
