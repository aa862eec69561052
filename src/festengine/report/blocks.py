"""The report page's building blocks: tables, cards, notes and lead paragraphs, with readable numbers.

A cell or card value is formatted by its type: an ``int`` is a count (``91,311``), a ``Decimal``
money (``25,000.00``), a ``float`` a measured value (whole when whole); a ``str`` is shown as it is,
so a caller formats percentages, durations and times itself (:mod:`festengine.report.fmt`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from html import escape

from festengine.report import fmt

__all__ = ["cards", "cell", "lead", "note", "table"]


def cell(value: object) -> str:
    """A value as the page shows it (see the module's description)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return fmt.money(value)
    if isinstance(value, int):
        return fmt.count(value)
    if isinstance(value, float):
        return fmt.number(value)
    return str(value)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], *, caption: str = "", text_columns: int = 1) -> str:
    """An HTML table: the first ``text_columns`` columns (names, times) left-aligned, the numbers right-aligned."""

    def align(index: int) -> str:
        return ' class="t"' if index < text_columns else ""

    head = "".join(f"<th{align(i)}>{escape(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td{align(i)}>{escape(cell(v))}</td>" for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def cards(items: Iterable[tuple[str, object]]) -> str:
    """Big figures with a label under each."""
    inner = "".join(f'<div class="card"><b>{escape(cell(v))}</b><span>{escape(k)}</span></div>' for k, v in items)
    return f'<div class="cards">{inner}</div>'


def note(text: str) -> str:
    """A highlighted remark: something the reader should not miss."""
    return f'<p class="note">{escape(text)}</p>'


def lead(text: str) -> str:
    """The paragraph under a section's title saying what it shows."""
    return f'<p class="lead">{escape(text)}</p>'
