"""One shared copy of each repeating id string (viewer, creator, stream…), in a bounded table.

State keyed by ids keeps many references to the same few thousand ids; sharing one copy of each
saves memory. ``sys.intern`` would do it, but on CPython 3.12 interned strings are never freed, so
a long-running process that parses many distinct ids would grow for ever. This table is bounded:
when full it is emptied, which only means later copies are not shared with earlier ones. Sharing
never changes a value, so it cannot change what the engine does.
"""

from __future__ import annotations

from typing import Final

__all__ = ["share"]

_SHARED: Final[dict[str, str]] = {}
_MAX: Final = 1 << 17


def share(text: str) -> str:
    """The shared copy of ``text`` (``text`` itself the first time it is seen)."""
    found = _SHARED.get(text)
    if found is not None:
        return found
    if len(_SHARED) >= _MAX:
        _SHARED.clear()
    _SHARED[text] = text
    return text
