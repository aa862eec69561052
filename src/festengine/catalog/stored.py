"""A pack as one text, so a store can keep the exact pack a running fest moved to and compile it again.

The text is the pack's canonical JSON (what its fingerprint is computed from): loading it again
gives the same :class:`~festengine.catalog.model.Fest`, with the same fingerprint, whatever files the
pack was first read from.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import attrs
from pydantic import ValidationError

from festengine.catalog import spec as s
from festengine.catalog._checks import check_fest
from festengine.catalog.compile import compile_fest
from festengine.catalog.loader import PathLike, load_fest, load_spec
from festengine.catalog.model import Fest
from festengine.errors import FestValidationError, Problem

__all__ = ["StoredPack", "load_pack", "pack_from_text"]


@attrs.frozen(slots=True)
class StoredPack:
    """A compiled fest with its pack as canonical JSON text."""

    fest: Fest = attrs.field(repr=False)
    text: str = attrs.field(repr=False)


def _canonical(spec: s.FestSpec) -> str:
    return json.dumps(spec.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def load_pack(paths: PathLike | Sequence[PathLike]) -> StoredPack:
    """Load a pack (files, a folder or a bundled name, as :func:`~festengine.load_fest`) with its text."""
    spec, document = load_spec(paths)
    try:
        fest = compile_fest(spec, sources=document.files)
    except (ArithmeticError, ValueError):  # said by load_fest, with the place in the files
        fest = load_fest(paths)
    return StoredPack(fest, _canonical(spec))


def pack_from_text(text: str, name: str = "<stored pack>") -> StoredPack:
    """Compile a pack's canonical text again; raise :class:`FestValidationError` if it is not one."""
    try:
        spec = s.FestSpec.model_validate(json.loads(text))
    except (ValueError, ValidationError) as error:
        raise FestValidationError([Problem(name, None, None, "", f"not a stored pack ({error})")]) from None
    findings = check_fest(spec)
    if findings:
        raise FestValidationError([Problem(name, None, None, str(path), message) for path, message in findings])
    return StoredPack(compile_fest(spec), _canonical(spec))
