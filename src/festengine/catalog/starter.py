"""``festengine init``: write a small, commented starter pack that validates, to start a fest from.

The starter pack's files ship inside the package (``catalog/starter_pack/``); next to them goes a
copy of the shipped JSON Schema, which the files' ``# yaml-language-server`` line points at.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from festengine.catalog.shipped import shipped_schema_text
from festengine.errors import FestEngineError

__all__ = ["SCHEMA_FILE", "StarterPackError", "write_starter_pack"]

SCHEMA_FILE = "fest.schema.json"
"""The file name of the schema copy that the starter pack's modelines point at."""


class StarterPackError(FestEngineError):
    """The starter pack cannot be written where asked (a non-empty folder without ``force``, a file)."""


def _starter_files() -> dict[str, str]:
    """The starter pack: file name -> text, in name order."""
    folder = resources.files("festengine.catalog") / "starter_pack"
    files = {node.name: node.read_text(encoding="utf-8") for node in folder.iterdir() if node.name.endswith(".yaml")}
    return dict(sorted(files.items()))


def write_starter_pack(folder: str | os.PathLike[str], *, force: bool = False) -> list[Path]:
    """Write the starter pack and the schema into ``folder`` (created if missing); the paths written.

    Refuses a folder that already holds anything unless ``force``; with ``force`` only the starter
    pack's own files are overwritten, nothing else in the folder is touched.
    """
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise StarterPackError(f"{target} is a file; name a folder for the new pack")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise StarterPackError(f"{target} is not empty; choose an empty folder, or pass --force to overwrite")
    files = {**_starter_files(), SCHEMA_FILE: shipped_schema_text()}
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = target / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
