"""Check that the running interpreter's festengine is the compiled build of ``make compiled``.

Every module listed in ``.ci/compiled_modules.txt`` must be loaded from a compiled extension, not
from its ``.py`` source; prints how many are. ``make test-compiled`` runs it before the tests, so
that they cannot silently run against the pure build. Standard library only.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
from pathlib import Path

LIST = Path(__file__).resolve().parent / "compiled_modules.txt"


def listed_modules(path: Path = LIST) -> list[str]:
    """The dotted names of the listed modules (``festengine/engine/__init__.py`` -> ``festengine.engine``)."""
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            parts = entry.removesuffix(".py").split("/")
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def main() -> None:
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    interpreted = []
    for name in listed_modules():
        module = importlib.import_module(name)
        if not (module.__file__ or "").endswith(suffixes):
            interpreted.append(f"{name} ({module.__file__})")
    if interpreted:
        raise SystemExit("not compiled: " + ", ".join(interpreted) + "; run make compiled")
    print(f"compiled build: {len(listed_modules())} modules compiled with mypyc ({sys.executable})")


if __name__ == "__main__":
    main()
