"""The dashboard in a real browser: headless Chromium driven by Selenium against a study
that a background process (a real ``minimize`` writing to SQLite) keeps extending.

Skipped, with the reason, without Selenium, Chromium or chromedriver (Debian:
``apt-get install chromium chromium-driver``; ``.ci/browser.sh`` installs them). The
screenshots are saved as test artifacts in ``$PYJL_TEST_ARTIFACTS`` (if set) or in the
test's temporary folder, and their paths printed."""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import pytest

from pyjl.bo import serve

from ._writer import FAILURE
from .conftest import wait_for

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
CHROMIUM = next(
    (
        shutil.which(b)
        for b in ("chromium", "chromium-browser", "google-chrome")
        if shutil.which(b)
    ),
    None,
)
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="no chromium/chromedriver on PATH (apt-get install chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1500",
        "--disable-extensions",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def artifacts(tmp_path) -> Path:
    where = os.environ.get("PYJL_TEST_ARTIFACTS")
    path = Path(where) / "dashboard" if where else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def rows(driver) -> int:
    return driver.execute_script("return document.querySelectorAll('#trials tbody tr').length")


def plotted(driver, plot_id: str, part: str, field: str) -> list:
    """``part.field`` of the Plotly plot ``plot_id`` (``part`` a JavaScript expression in
    ``p``, the plot's element) once the page has drawn it."""
    script = (
        f"const p = document.getElementById('{plot_id}');"
        "if (!p || !p.data) return null;"
        f"const part = {part};"
        f"return part ? Array.from(part.{field}) : null;"
    )
    return wait_for(lambda: driver.execute_script(script), 60)


def screenshot(driver, path: Path) -> None:
    """Save a screenshot and check that it is not blank: many colours, pixels that vary."""
    import numpy as np
    from PIL import Image

    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    img = np.asarray(Image.open(path).convert("RGB"), dtype=float)
    assert img.std() > 10, f"{path} is (nearly) one colour"
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 50, f"{path} has too few colours"


def test_live_study_in_the_browser(tmp_path, writer, browser, artifacts):
    db = str(tmp_path / "live.db")
    proc = writer(db, "live", n_calls=40, sleep=0.25)
    assert wait_for(lambda: os.path.exists(db) and os.path.getsize(db) > 0, 60)
    with serve(db, port=0, block=False) as board:
        assert wait_for(lambda: _n_trials(board) >= 3, 90), "the writer wrote nothing"
        browser.get(board.study_url("live") + "?poll=300")
        browser.execute_script("window.pyjlSamePage = true")  # gone if the page reloads
        assert wait_for(lambda: rows(browser) >= 3, 30)
        n0 = rows(browser)
        assert wait_for(lambda: rows(browser) > n0, 60), "the table did not grow"
        assert browser.execute_script("return window.pyjlSamePage === true")

        errors = wait_for(
            lambda: browser.execute_script(
                "return [...document.querySelectorAll('#trials tr.state-failed td.error-text')]"
                ".map(td => td.textContent)"
            ),
            60,
        )
        assert errors and FAILURE in errors[0]

        band = wait_for(
            lambda: browser.execute_script(
                "const p = document.getElementById('posterior-plot');"
                "if (!p || !p.data) return null;"
                "const up = p.data.find(t => t.name.startsWith('± 2σ'));"
                "const lo = p.data.find(t => t.name === 'lower');"
                "return up && lo ? [Array.from(lo.y), Array.from(up.y)] : null;"
            ),
            60,
        )
        assert band, "the posterior plot never rendered"
        lower, upper = band
        assert len(lower) == len(upper) > 10
        assert all(math.isfinite(v) for v in lower + upper)
        assert all(lo <= up for lo, up in zip(lower, upper))
        wait_for(
            lambda: browser.execute_script(
                "const p = document.getElementById('importance-plot'); return p && p.data"
            ),
            30,
        )
        screenshot(browser, artifacts / "study.png")

        browser.get(board.url)
        assert wait_for(
            lambda: browser.execute_script(
                "return [...document.querySelectorAll('#studies td a')].map(a => a.textContent)"
            ),
            30,
        ) == ["live"]
        screenshot(browser, artifacts / "studies.png")
    proc.terminate()


def test_unknown_study_page_says_so(study_db, browser):
    with serve(study_db, port=0, block=False) as board:
        browser.get(board.study_url("nope"))
        text = wait_for(lambda: browser.find_element("id", "error").text, 20)
    assert "no study 'nope'" in text and "'demo'" in text


def _n_trials(board) -> int:
    from .conftest import get

    status, body = get(board.url + "api/studies")
    return sum(s["n_trials"] for s in body.get("studies", [])) if status == 200 else 0


def test_a_10000_trial_study_renders_and_updates(tmp_path, browser, rng):
    from .conftest import add_trials

    db = str(tmp_path / "big.db")
    add_trials(db, "big", 10_000, rng, failed_every=101)
    with serve(db, port=0, block=False) as board:
        browser.get(board.study_url("big"))
        count = "return document.getElementById('trial-count').textContent"
        assert wait_for(lambda: browser.execute_script(count) == "(10000)", 60)
        assert rows(browser) == 100  # one page of the table
        add_trials(db, "big", 2, rng)
        assert wait_for(lambda: browser.execute_script(count) == "(10002)", 30)
        note = wait_for(lambda: browser.find_element("id", "parallel-note").text, 30)
        assert note.startswith("the best 2000 of")


def test_a_maximised_study_shows_its_highest_value_as_best(tmp_path, browser):
    import numpy as np

    from pyjl.bo import Real, random_search

    db = str(tmp_path / "acc.db")
    res = random_search(
        lambda p: 1.0 - (p["x"] - 0.3) ** 2,
        {"x": Real(0.0, 1.0)},
        n_calls=8,
        seed=4,
        storage=db,
        study="acc",
        direction="maximize",
        progress=False,
    )
    values = res.history["value"].to_numpy()
    with serve(db, port=0, block=False) as board:
        browser.get(board.study_url("acc"))
        best = plotted(browser, "history-plot", "p.data.find(t => t.name === 'best so far')", "y")
        summary = browser.find_element("id", "summary").text
        title = browser.find_element("id", "title").text
    np.testing.assert_allclose(best, np.maximum.accumulate(values))
    assert f"trial {int(np.argmax(values))})" in summary and "(maximised)" in title


def test_the_parallel_plot_places_each_categorical_value_at_its_choice(tmp_path, browser):
    # a tuple (1, 2) reads "1,2" as text, as does the string "1,2": the axis goes by value
    from pyjl.bo import Categorical, Optimizer, Real

    db = str(tmp_path / "cat.db")
    cat = Categorical([(1, 2), "1,2", 1, "1"])
    opt = Optimizer({"c": cat, "x": Real(0.0, 1.0)}, storage=db, study="cat", seed=0)
    told = ["1,2", (1, 2), "1", 1, "1,2"]
    for i, c in enumerate(told):
        opt.tell({"c": c, "x": 0.1 * i}, float(i))
    with serve(db, port=0, block=False) as board:
        browser.get(board.study_url("cat"))
        got = plotted(
            browser, "parallel-plot", "p.data[0].dimensions.find(d => d.label === 'c')", "values"
        )
    assert got == [cat.index(c) for c in told]
