"""The live dashboard page in a real headless browser: Debian's Chromium driven by Selenium through
chromium-driver. The service runs on 127.0.0.1; events posted to it appear on the open page.

Locally the test is skipped (with the reason) when the browser or its driver is missing; in CI
(``CI`` set) a missing browser is a failure: ``.ci/run`` installs ``chromium`` and ``chromium-driver``.
Everything is bounded: the server start, the page load and each wait.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from store_fixtures import PACK, pack_fest, workload

from festengine import Engine
from festengine.analytics import DashboardProjection
from festengine.events import dumps_event
from festengine.store.serving import running_server

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Flags for a closed network: without the background-networking ones Chromium waits on the network.
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,900",
)  # fmt: skip
WAIT_S = 10.0


def _browser_or_skip() -> tuple[Path, Path]:
    chromium = Path(shutil.which("chromium") or CHROMIUM)
    driver = Path(shutil.which("chromedriver") or CHROMEDRIVER)
    missing = [str(p) for p in (chromium, driver) if not p.exists()]
    if missing:
        reason = f"the browser test needs Debian's chromium and chromium-driver; missing: {', '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set: .ci/run installs them)")
        pytest.skip(reason)
    return chromium, driver


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    chromium, driver_path = _browser_or_skip()
    try:
        from selenium import webdriver
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("the browser test needs selenium (the dev extra)")
        pytest.skip("the browser test needs selenium: pip install -e '.[dev]'")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    service = Service(executable_path=str(driver_path))  # an explicit driver: Selenium Manager downloads nothing
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(WAIT_S)
    try:
        yield driver
    finally:
        driver.quit()


def _post(base_url: str, lines: list[str]) -> None:
    request = urllib.request.Request(  # noqa: S310 - our own loopback URL
        base_url + "/events", data="\n".join(lines).encode(), headers={"content-type": "application/x-ndjson"}
    )
    with urllib.request.urlopen(request, timeout=WAIT_S) as response:  # noqa: S310
        assert response.status == 200
        json.load(response)


def test_events_posted_to_the_service_appear_on_the_live_page(browser: Any, tmp_path: Path) -> None:
    """Open /dashboard/live, post events, and watch the page's figures become the projection's."""
    from selenium.webdriver.support.ui import WebDriverWait

    events = workload(300)
    engine, projection = Engine(pack_fest()), DashboardProjection(pack_fest())
    accepted = 0
    for event in events:
        step = engine.apply(event)
        projection.observe(event, step)
        accepted += step.accepted
    expected = projection.current().to_dict()
    creator = expected["creators"][0]
    wait = WebDriverWait(browser, WAIT_S, poll_frequency=0.1)

    def text(selector: str) -> str:
        """The text of the first element matching ``selector``, read in one script (the page redraws)."""
        script = "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';"
        return str(browser.execute_script(script, selector))

    def events_shown() -> str:
        script = "return document.getElementById('status').getAttribute('data-events') || '';"
        return str(browser.execute_script(script))

    with running_server(PACK, tmp_path / "s.db") as base_url:
        browser.get(base_url + "/dashboard/live?interval=200")
        wait.until(lambda _: events_shown() != "")
        assert events_shown() == "0"
        assert text("#creators tbody tr") == ""

        _post(base_url, [dumps_event(e) for e in events[:150]])
        _post(base_url, [dumps_event(e) for e in events[150:]])
        wait.until(lambda _: events_shown() == str(accepted))

        assert text("#fest").strip() == expected["fest"]["id"]
        assert text('#fest-tiles [data-metric="views"] .value') == str(expected["fest"]["total"]["views"])
        assert text('#fest-tiles [data-metric="gmv"] .value') == expected["fest"]["total"]["gmv"]
        row = f'#creators tr[data-creator="{creator["id"]}"]'
        assert text(f'{row} td[data-metric="views"]') == str(creator["total"]["views"])
        assert text(f'{row} td[data-metric="likes"]') == str(creator["total"]["likes"])
        script = "return [...document.querySelectorAll('#streams tbody tr')].map(r => r.dataset.stream);"
        assert set(browser.execute_script(script)) == {s["id"] for s in expected["streams"]}
        assert text("#status.stale") == ""
