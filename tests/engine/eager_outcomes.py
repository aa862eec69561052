"""Outcome types declared in a module without ``from __future__ import annotations``, so that their
annotations are evaluated objects rather than text (see test_outcome_records)."""

import typing
from typing import ClassVar

from festengine.engine.outcomes import Outcome


class Cheered(Outcome, frozen=True):
    kind: ClassVar[str] = "cheered"
    label: typing.ClassVar[str] = "cheer"

    user_id: str
    times: int
