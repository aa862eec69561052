"""The pytest plugin costs other projects nothing and runs scenario files only where a project opts in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"
PASSING = f"""\
name: a check-in
pack: {PACK}
events:
  - {{event_id: e1, type: check_in, occurred_at: "2026-06-16T03:00:00Z", user_id: u1, creator_id: c1, stream_id: s1}}
expect:
  points: {{u1: 10}}
"""
OPT_IN = "[pytest]\nfestengine_scenarios = true\n"


def test_loading_the_plugin_imports_nothing_of_festengine() -> None:
    """Importing the pytest11 entry module loads no festengine, pydantic, YAML, attrs or hypothesis module."""
    code = (
        "import sys, _festengine_pytestplugin\n"
        "heavy = ('festengine', 'pydantic', 'yaml', 'attrs', 'hypothesis')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout == "[]\n"


def test_the_plugin_is_registered_under_pytest11() -> None:
    """The installed distribution names the light module as its pytest11 plugin ``festengine``."""
    from importlib.metadata import entry_points

    plugins = {point.name: point.value for point in entry_points(group="pytest11")}
    assert plugins["festengine"] == "_festengine_pytestplugin"


def test_scenario_files_are_left_alone_without_the_opt_in(pytester: pytest.Pytester) -> None:
    """An unrelated project's scenario_login.yaml is not collected: its own tests run, nothing fails."""
    pytester.makefile(".yaml", scenario_login="steps:\n  - open: /login\n")
    pytester.makepyfile(test_app="def test_app():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "scenario_login" not in result.stdout.str()


def test_scenario_files_run_where_the_project_opts_in(pytester: pytest.Pytester) -> None:
    """With festengine_scenarios = true each scenario_*.yaml or .yml file is one test; other YAML is left alone.

    A failed expectation lists the failures; a file that cannot run (an unknown key, bytes that are
    not UTF-8) shows file:line:column and the reason; none of them shows a Python traceback.
    """
    pytester.makeini(OPT_IN)
    pytester.makefile(".yaml", scenario_check_in=PASSING)
    pytester.makefile(".yml", scenario_again=PASSING)
    pytester.makefile(".yaml", other="not: a scenario\n")
    pytester.makefile(".yaml", scenario_wrong=PASSING.replace("u1: 10", "u1: 99"))
    typo = pytester.makefile(".yaml", scenario_typo=PASSING.replace("  points:", "  point:"))
    latin1 = pytester.path / "scenario_latin1.yaml"
    latin1.write_bytes(PASSING.encode("utf-8").replace(b"a check-in", b"caf\xe9"))
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=2, failed=3)
    result.stdout.fnmatch_lines(["*scenario_again.yml::scenario_again PASSED*", "*scenario_check_in.yaml::*PASSED*"])
    result.stdout.fnmatch_lines([
        "scenario scenario_latin1.yaml cannot run:",
        f"{latin1}:1:10: <document>: the file is not UTF-8 text (byte 0xe9 cannot be read)*",
        "scenario scenario_typo.yaml cannot run:",
        f"{typo}:6:3: expect.point: unknown key 'point' (did you mean 'points'?); *",
        "scenario scenario_wrong.yaml failed:",
        "  - points of 'u1': expected 99, got 10",
    ])  # fmt: skip
    for noise in ("Traceback", "run_scenario", "UnicodeDecodeError", "other.yaml"):
        assert noise not in result.stdout.str()


def test_the_fixtures_load_a_pack_and_make_engines(pytester: pytest.Pytester) -> None:
    """fest_loader loads a pack and fest_engine makes a fresh engine for it, in any project's tests."""
    pytester.makepyfile(
        test_fixtures=f"""
        import festengine

        def test_fixtures(fest_loader, fest_engine):
            fest = fest_loader({str(PACK)!r})
            first, second = fest_engine(fest), fest_engine(fest)
            assert isinstance(first, festengine.Engine) and first is not second
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    """``-p no:festengine`` disables the plugin: its fixtures are gone, scenario files are not collected."""
    pytester.makepyfile(test_uses="def test_uses(fest_loader):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:festengine")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'fest_loader' not found*"])
