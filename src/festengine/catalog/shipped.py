"""The files festengine ships with its code: the bundled fest packs and the JSON Schema of a pack.

The repository keeps one copy of each where people look for it: ``missions/<name>/`` and
``docs/fest.schema.json``. The wheel carries the same files under ``festengine/_data/`` in the same
layout (so a pack's ``# yaml-language-server: $schema=../../docs/fest.schema.json`` line holds there
too), and they are read here with :mod:`importlib.resources`. An editable install or a checkout has
no ``_data`` folder: the files are read from the checkout itself.

A pack is named by its folder name: ``load_fest("community-fest")`` opens ``missions/community-fest``.
A file or folder that exists always wins over a bundled pack of the same name.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from festengine.catalog._pack import YAML_SUFFIXES, PackPath
from festengine.catalog._suggest import suggest
from festengine.errors import FestEngineError, FestValidationError, Problem

__all__ = ["ShippedFilesError", "bundled_pack", "bundled_packs", "resolve_pack", "resolve_packs", "shipped_schema_text"]

_DATA = "_data"
_PACKS = "missions"
_SCHEMA = ("docs", "fest.schema.json")


class ShippedFilesError(FestEngineError):
    """The installation lacks the files festengine ships (a broken or unpacked-elsewhere install)."""


def _as_path(node: object) -> Path:
    if isinstance(node, Path):
        return node
    raise ShippedFilesError(
        "festengine is imported from an archive (a zip file), so its bundled packs cannot be read as "
        "files; install it normally with pip"
    )


def _shipped_root() -> Path:
    """The folder holding ``missions/`` and ``docs/``: the wheel's ``_data``, or the checkout."""
    package = resources.files("festengine")
    data = package / _DATA
    if data.is_dir():
        return _as_path(data)
    checkout = _as_path(package).parents[1]  # <checkout>/src/festengine -> <checkout>
    if (checkout / "pyproject.toml").is_file() and (checkout / _PACKS).is_dir():
        return checkout
    raise ShippedFilesError(
        f"festengine's bundled packs and schema are missing from {package} (no {_DATA} folder); reinstall festengine"
    )


def bundled_packs() -> tuple[str, ...]:
    """The names of the fest packs festengine ships, sorted (for example ``community-fest``)."""
    folder = _shipped_root() / _PACKS
    return tuple(sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))))


def bundled_pack(name: str) -> Path:
    """The folder of the bundled pack ``name``.

    Raises :class:`~festengine.errors.FestValidationError` naming the bundled packs if there is none.
    """
    names = bundled_packs()
    if name not in names:
        message = (
            f"no such file or folder, and no bundled pack named {name!r}{suggest(name, names)}; "
            f"bundled packs: {', '.join(names)}"
        )
        raise FestValidationError([Problem(name, None, None, "", message)])
    return _shipped_root() / _PACKS / name


def _is_bare_name(text: str) -> bool:
    """True for ``community-fest``; false for anything that reads as a path (a separator, a YAML suffix)."""
    separators = {os.sep, "/", *(os.altsep or "")}
    return (
        bool(text)
        and text not in (os.curdir, os.pardir)
        and not any(sep in text for sep in separators)
        and not text.lower().endswith(YAML_SUFFIXES)
    )


def resolve_pack(path: PackPath) -> PackPath:
    """``path`` itself if it exists or reads as a path; otherwise the bundled pack of that name."""
    text = os.fspath(path)
    if os.path.exists(text) or not _is_bare_name(text):
        return path
    return bundled_pack(text)


def resolve_packs(paths: PackPath | Sequence[PackPath]) -> PackPath | list[PackPath]:
    """:func:`resolve_pack` for one path or each of several; every unknown name is reported together."""
    if isinstance(paths, str | os.PathLike):
        return resolve_pack(paths)
    resolved: list[PackPath] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            resolved.append(resolve_pack(path))
        except FestValidationError as error:
            problems.extend(error.problems)
    if problems:
        raise FestValidationError(problems)
    return resolved


def shipped_schema_text() -> str:
    """The JSON Schema of a fest pack exactly as shipped (``docs/fest.schema.json``)."""
    return _shipped_root().joinpath(*_SCHEMA).read_text(encoding="utf-8")
