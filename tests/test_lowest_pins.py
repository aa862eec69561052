"""``.ci/lowest_pins.py``: the lowest declared version of every dependency, read from pyproject.toml alone."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "lowest_pins.py"


@pytest.fixture(scope="module")
def pins_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lowest_pins", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_runtime_dependency_has_a_tested_lower_bound(pins_module: ModuleType) -> None:
    """Each dependency and each extra's requirement has a lower bound, except tzdata (Windows only)."""
    pins, free = pins_module.lowest_pins(ROOT / "pyproject.toml")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = [*project["dependencies"], *(r for name, extra in project["optional-dependencies"].items()
                                           if name != "dev" for r in extra)]  # fmt: skip
    assert [r for r in runtime if r in free] == ["tzdata; sys_platform == 'win32'"]
    assert {"pydantic", "attrs", "pyyaml", "msgspec", "hypothesis", "plotly"} <= set(pins)


def test_pins_from_a_pyproject(pins_module: ModuleType, tmp_path: Path) -> None:
    """>=, ~= and == give the pin; markers and upper bounds are ignored; names are normalized."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "demo"\ndependencies = ["Py_YAML>=6.0.1", "a~=1.2", "b<3,>=2.11", "c; os_name == \'nt\'"]\n'
        '[project.optional-dependencies]\nx = ["d==4", "demo[y]"]\ny = ["b>=2.11"]\n',
        encoding="utf-8",
    )
    pins, free = pins_module.lowest_pins(pyproject)
    assert pins == {"py-yaml": "6.0.1", "a": "1.2", "b": "2.11", "d": "4"}
    assert free == ["c; os_name == 'nt'"]


def test_two_lower_bounds_are_refused(pins_module: ModuleType, tmp_path: Path) -> None:
    """The same dependency with two different lower bounds is an error, not a silent choice."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "demo"\ndependencies = ["b>=2"]\n[project.optional-dependencies]\nx = ["b>=3"]\n',
        encoding="utf-8",
    )
    with pytest.raises(SystemExit, match="b has two lower bounds"):
        pins_module.lowest_pins(pyproject)


def test_script_prints_pip_constraints() -> None:
    """Run as a script it prints one name==version line per pin, after comments for the free ones."""
    result = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, str(SCRIPT), str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = result.stdout.splitlines()
    pins = [line for line in lines if not line.startswith("#")]
    assert all(line.count("==") == 1 for line in pins)
    names = [line.split("==")[0] for line in pins]
    assert names == sorted(names)  # by name: "pytest" before "pytest-xdist", though "-" sorts before "="
    assert any(line.startswith("pydantic==") for line in pins)
