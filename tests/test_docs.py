"""The user documents stay true: their runnable code blocks run, and their relative links resolve.

A code block is runnable when its fence's info string is ``python runnable``::

    ```python runnable
    import festengine
    ```

Each such block of README.md and docs/*.md runs as its own script, from the repository root, in a
fresh interpreter, and must exit 0 (docs/testing.md says so for contributors).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^(```+|~~~+)([^\n]*)\n(.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _blocks(document: Path) -> list[tuple[int, str, str]]:
    """Every fenced block of a document: (line of the fence, info string, code)."""
    text = document.read_text(encoding="utf-8")
    return [(text[: m.start()].count("\n") + 1, m.group(2).strip(), m.group(3)) for m in _FENCE.finditer(text)]


def _runnable() -> list[tuple[str, str]]:
    return [
        (f"{document.relative_to(ROOT)}:{line}", code)
        for document in DOCUMENTS
        for line, info, code in _blocks(document)
        if info.split() == ["python", "runnable"]
    ]


def _run(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "block.py"
    script.write_text(code, encoding="utf-8")
    return subprocess.run(  # noqa: S603 - our own documents' code, run by this interpreter
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False, cwd=ROOT
    )


@pytest.mark.parametrize(("where", "code"), _runnable(), ids=[where for where, _ in _runnable()])
def test_runnable_blocks_run(where: str, code: str, tmp_path: Path) -> None:
    """Each code block marked ``python runnable`` runs from the repository root and exits 0."""
    done = _run(code, tmp_path)
    assert done.returncode == 0, f"{where}:\n{done.stderr}"


def test_the_readme_library_example_is_runnable_and_shows_progress(tmp_path: Path) -> None:
    """README's "Using the library" block is marked runnable and prints the mission progress it promises."""
    readme = [code for where, code in _runnable() if where.startswith("README.md:")]
    assert readme, "README.md has no block marked python runnable"
    assert "'kind': 'mission_progressed'" in _run(readme[0], tmp_path).stdout


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(document: Path) -> set[str]:
    text = _FENCE.sub("", document.read_text(encoding="utf-8"))
    return {_slug(m.group(1)) for m in _HEADING.finditer(text)}


def _links(document: Path) -> list[str]:
    text = _FENCE.sub("", document.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)
    return [m.group(1) for m in _LINK.finditer(text)]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: str(d.relative_to(ROOT)))
def test_relative_links_resolve(document: Path) -> None:
    """Every relative link of a user document names a file that exists and, for a Markdown page, a heading in it."""
    broken = []
    for target in _links(document):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:…
            continue
        path_part, _, anchor = target.partition("#")
        path = (document.parent / path_part).resolve() if path_part else document
        if not path.exists():
            broken.append(f"{target}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{target}: no heading with that anchor")
    assert not broken, broken


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: str(d.relative_to(ROOT)))
def test_documents_stand_on_their_own(document: Path) -> None:
    """User documents cite no internal notes (DESIGN.md, DOMAIN.md, SCALE.md, STYLE.md, ../shared) or issue numbers."""
    text = document.read_text(encoding="utf-8")
    internal = re.findall(
        r"\b(?:DESIGN|DOMAIN|SCALE|STYLE)\.md\b|\.\./shared\b|\bissues? #?\d+|(?<![\w/&])#\d+\b", text
    )
    assert not internal, internal
