"""Print pip constraints that pin every dependency of pyproject.toml to its lowest declared version.

``make test-lowest`` installs the project with these constraints into ``.venv-lowest`` and runs the
tests, so the lower bounds in pyproject.toml (the one place they are written) are tested, not hoped.
Every requirement of ``[project] dependencies`` and of every extra is read: one with a lower bound
(``>=X``, ``~=X`` or ``==X``) becomes ``name==X``; one without (a platform-only backport like
``tzdata``, a stub package) is left free and listed in a comment. Standard library only.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*)(;.*)?$")
_LOWER = re.compile(r"(?:>=|~=|==)\s*([0-9][^,\s]*)")


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lowest_pins(pyproject: Path) -> tuple[dict[str, str], list[str]]:
    """(normalized name -> lowest version, requirements without a lower bound) of a pyproject.toml."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    own = _normalized(project["name"])
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements.extend(extra)
    pins: dict[str, str] = {}
    free: list[str] = []
    for requirement in requirements:
        match = _REQUIREMENT.match(requirement)
        if match is None:
            raise SystemExit(f"cannot read the requirement {requirement!r} in {pyproject}")
        name, specifier = _normalized(match.group(1)), match.group(3)
        lower = _LOWER.search(specifier)
        if name == own:
            continue  # an extra that names another extra of this project
        if lower is None:
            free.append(requirement)
        elif pins.setdefault(name, lower.group(1)) != lower.group(1):
            raise SystemExit(f"{name} has two lower bounds in {pyproject}: {pins[name]} and {lower.group(1)}")
    return pins, free


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml")
    pins, free = lowest_pins(path)
    for requirement in free:
        print(f"# no lower bound, left free: {requirement}")
    for name, version in sorted(pins.items()):
        print(f"{name}=={version}")


if __name__ == "__main__":
    main()
