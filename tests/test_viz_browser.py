"""The browser view in a real headless Chromium, driven by Playwright.

Each server is a ``python -m sahel_sim viz`` process on a free 127.0.0.1 port, stopped afterwards.
Every wait is on a condition (a text, a button, a log line) with a generous timeout, never on a
wall-clock limit, so the tests pass on a loaded machine. Screenshots go to ``test-artifacts/``
(git-ignored).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = Path("/usr/bin/chromium")
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        sync_playwright is None, reason="browser tests skipped: the playwright Python package is not installed"
    ),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium)"
    ),
]

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
ARTIFACTS = REPO / "test-artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 120_000  # generous: the machine may be loaded; only conditions are awaited
SIZES = ((1280, 800), (1440, 900), (1920, 1080), (2560, 1440))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python -m sahel_sim viz ...`` in its own process group, logging to a file."""

    def __init__(self, args: list[str], log: Path):
        from conftest import SRC

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = log
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "sahel_sim", "viz", *args, "--port", str(self.port)],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"viz server exited:\n{self.text()}")
            try:
                with urllib.request.urlopen(self.url, timeout=5) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"viz server did not answer on {self.url}:\n{self.text()}")

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, needle: str, count: int = 1, timeout_s: float = 180) -> None:
        """Wait until ``needle`` appears ``count`` times in the server log."""
        deadline = time.monotonic() + timeout_s
        while self.text().count(needle) < count:
            assert time.monotonic() < deadline, f"{needle!r} x{count} never appeared in the server log"
            time.sleep(0.5)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the viz command stops its solara child
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)

    def check_clean(self) -> None:
        text = self.text()
        assert "Could not load URL" not in text, "the server tried to fetch front-end files online"
        assert "Cookies with samesite" not in text, "the cookie warning is printed again"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server([str(SCENARIOS / "baseline.yaml")], tmp_path_factory.mktemp("viz") / "server.log")
    yield srv
    srv.stop()
    srv.check_clean()


class Tab:
    """One browser tab on the page, recording every request and console error."""

    def __init__(self, browser, url: str, size: tuple[int, int] = (1500, 1000)):
        self.context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.goto(url, timeout=WAIT_MS)
        self.page.locator("img.sahel-map, .sahel-error").first.wait_for()

    def text(self, css: str) -> str:
        return self.page.locator(css).first.inner_text().strip()

    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    def week(self, css: str = ".sahel-week") -> int:
        return int(self.text(css).split()[1])

    def wait_week(self, week: int, css: str = ".sahel-week") -> None:
        self.page.locator(css, has_text=f"Week {week} of").wait_for()

    def step(self, to_week: int, css: str = ".sahel-week") -> None:
        self.button("Step").click()
        self.wait_week(to_week, css)

    def headline(self) -> dict[str, str]:
        from sahel_sim.viz.snapshot import HEADLINE

        return {column: self.text(f".sahel-{column}") for column in HEADLINE}

    def choose(self, label: str, option: str) -> None:
        self.page.locator(".v-select", has_text=label).first.click()
        self.page.locator(".v-list-item", has_text=option).first.click()
        self.page.locator(".v-select", has_text=option).first.wait_for()

    def set_number(self, lever: str, text: str) -> None:
        box = self.page.locator(f".sahel-input-{lever} input[type=text]")
        box.fill(text)
        box.press("Enter")

    def outside_requests(self) -> list[str]:
        local = ("http://127.0.0.1:", "ws://127.0.0.1:", "blob:http://127.0.0.1:", "data:")
        return [u for u in self.requests if not u.startswith(local)]

    def assert_no_traceback(self, *hidden: str) -> None:
        body = self.page.inner_text("body")
        assert "Traceback" not in body and 'File "' not in body
        for text in hidden:
            assert text not in body, f"the page shows {text!r}"

    def close(self) -> None:
        self.context.close()


def image_pixels(tab: Tab, css: str) -> np.ndarray:
    from PIL import Image

    png = tab.page.locator(css).first.screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def expected_headline(scenario, weeks: int) -> dict[str, str]:
    """The page's headline texts after ``weeks`` of a plain model run of ``scenario``."""
    from sahel_sim.model.metrics import ALL
    from sahel_sim.model.sahel_model import SahelModel
    from sahel_sim.viz.snapshot import HEADLINE, format_metric

    model = SahelModel(scenario)
    for _ in range(weeks):
        model.step()
    frame = model.metrics.frame()
    row = frame[frame["area"] == ALL].iloc[-1]
    return {column: f"{label}: {format_metric(column, row[column])}" for column, label in HEADLINE.items()}


def test_page_loads_draws_the_map_and_steps(browser, server):
    tab = Tab(browser, server.url)
    try:
        assert tab.page.title() == "sahel_sim"
        assert "PAGE 0" not in tab.page.inner_text("body").upper()
        assert tab.text(".sahel-date") == "2022-01-02 (start)"  # the baseline reports from 2 January
        assert tab.text(".sahel-week") == "Week 0 of 209"
        img = image_pixels(tab, "img.sahel-map")
        assert img.shape[1] > 400 and img.std() > 20, "the map is blank"
        assert len(np.unique(img.reshape(-1, 3), axis=0)) > 200
        before = tab.page.locator("img.sahel-map").get_attribute("src")
        tab.step(1)
        assert tab.text(".sahel-date") == "2022-01-02 to 2022-01-08"  # the days of the first week
        tab.step(2)
        assert tab.text(".sahel-date") == "2022-01-09 to 2022-01-15"
        assert tab.page.locator("img.sahel-map").get_attribute("src") != before
        tab.choose("Map layer", "Recent violence")
        ARTIFACTS.mkdir(exist_ok=True)
        tab.page.screenshot(path=str(ARTIFACTS / "viz_page.png"), full_page=True)
        tab.assert_no_traceback()
        assert tab.outside_requests() == []
        assert tab.errors == []
    finally:
        tab.close()


def test_each_tab_has_its_own_model(browser, server):
    first, second = Tab(browser, server.url), Tab(browser, server.url)
    try:
        first.step(1)
        first.step(2)
        assert second.text(".sahel-week") == "Week 0 of 209"
        second.step(1)
        assert first.text(".sahel-week") == "Week 2 of 209"
    finally:
        first.close()
        second.close()


def test_reset_with_nothing_changed_replays_exactly(browser, server):
    """Issue 17: the sliders snapped 0.01322 to 0.015 and Reset applied it; now nothing moves."""
    from sahel_sim.scenario.loading import load_scenario

    weeks = 4
    baseline = load_scenario(SCENARIOS / "baseline.yaml")
    expected = expected_headline(baseline, weeks)
    ins = baseline.mechanisms.insurgency  # defaults of 4 significant digits, shown exactly (not snapped)
    tab = Tab(browser, server.url)
    try:
        assert tab.text(".sahel-lever-recruit_rate").startswith(f"Recruit rate: {ins.recruit_rate:g} ")
        assert tab.text(".sahel-lever-attack_rate").startswith(f"Attack rate: {ins.attack_rate:g} ")
        for week in range(1, weeks + 1):
            tab.step(week)
        first = tab.headline()
        assert first == expected
        tab.button("Reset").click()
        tab.wait_week(0)
        assert tab.page.locator(".sahel-overrides").count() == 0
        for week in range(1, weeks + 1):
            tab.step(week)
        assert tab.headline() == first
        assert tab.page.locator(".sahel-lever-error").count() == 0
    finally:
        tab.close()


def test_levers_apply_on_reset_and_a_bad_value_is_shown_beside_its_control(browser, server):
    from sahel_sim.scenario.loading import load_scenario

    tab = Tab(browser, server.url)
    try:
        tab.set_number("army_accuracy", "0.9")
        tab.set_number("recruit_rate", "7")
        thumb = tab.page.locator(".sahel-input-withdrawal_start [role=slider]")
        thumb.focus()
        thumb.press("End")  # the last week: no withdrawal
        tab.page.locator(".sahel-lever-army_accuracy", has_text="0.9").wait_for()
        tab.page.locator(".sahel-lever-withdrawal_start", has_text="209 weeks").wait_for()
        tab.page.locator(".sahel-lever-error", has_text="between 0 and 0.5").wait_for()  # shown before Reset too
        tab.step(1)
        tab.button("Reset").click()
        tab.wait_week(0)
        tab.page.locator(".sahel-levers", has_text="Withdrawal start: none").wait_for()
        overrides = tab.text(".sahel-overrides")
        assert "army_accuracy = 0.9" in overrides and "peacekeepers.withdrawal = None" in overrides
        assert "recruit_rate" not in overrides
        error = tab.text(".sahel-lever-error")
        assert "between 0 and 0.5" in error
        tab.assert_no_traceback()
        tab.choose("Scenario file", "historical.yaml")  # the levers follow the picked file
        tab.page.locator(".sahel-lever-withdrawal_start", has_text="after 2012-01-01; 731 = none").wait_for()
        assert tab.page.locator(".sahel-input-withdrawal_start [role=slider]").get_attribute("aria-valuemax") == "731"
        tab.page.locator(".sahel-lever-legitimacy", has_text="ML state legitimacy: 0.5").wait_for()
        assert tab.page.locator(".sahel-lever-error").count() == 0  # the other file's values are not carried over
        tab.choose("Scenario file", "baseline.yaml")  # back: the baseline's own values, not the typed ones
        tab.page.locator(".sahel-lever-withdrawal_start", has_text="Withdrawal start: 77 weeks").wait_for()
        assert tab.text(".sahel-lever-army_accuracy").startswith("ML army accuracy: 0.45")
        recruit_rate = load_scenario(SCENARIOS / "baseline.yaml").mechanisms.insurgency.recruit_rate
        assert tab.text(".sahel-lever-recruit_rate").startswith(f"Recruit rate: {recruit_rate:g} ")
    finally:
        tab.close()


def test_pause_and_play_never_freeze(browser, server):
    tab = Tab(browser, server.url)
    try:
        for _ in range(4):
            start = tab.week()
            tab.button("Play").click()
            tab.page.wait_for_function(
                "w => parseInt(document.querySelector('.sahel-week').innerText.split(' ')[1]) > w", arg=start + 1
            )
            tab.button("Pause").click()
            tab.button("Play").wait_for()
            step = tab.button("Step")
            tab.page.wait_for_function("el => !el.disabled", arg=step.element_handle())
            paused = tab.week()
            tab.step(paused + 1)  # Step works after Pause, and the loop moved nothing more
            assert tab.week() == paused + 1
    finally:
        tab.close()


def test_a_closed_tab_stops_its_play_loop(browser, server):
    stopped = server.text().count("play loop stopped")
    tab = Tab(browser, server.url)
    tab.button("Play").click()
    tab.page.wait_for_function("() => parseInt(document.querySelector('.sahel-week').innerText.split(' ')[1]) >= 3")
    tab.close()
    server.wait_for_log("play loop stopped", stopped + 1)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_map_fully_visible(browser, server, size):
    tab = Tab(browser, server.url, size)
    try:
        for sidebar in ("controls", "no-controls"):
            if sidebar == "no-controls":
                tab.button("Hide controls").click()
                tab.button("Show controls").wait_for()
                tab.page.locator(".sahel-side").wait_for(state="hidden")
            img = tab.page.locator("img.sahel-map")
            img.wait_for()
            tab.page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=img.element_handle())
            box = img.bounding_box()
            width, height = size
            assert box["x"] >= 0 and box["y"] >= 0, (sidebar, box)
            assert box["x"] + box["width"] <= width + 1 and box["y"] + box["height"] <= height + 1, (sidebar, box)
            assert box["width"] >= 0.5 * (width - 320), (sidebar, box)  # the map uses the room it has
            hits = tab.page.evaluate(
                """b => [[.05,.05],[.95,.05],[.5,.5],[.05,.95],[.95,.95]].map(([fx, fy]) => {
                    const el = document.elementFromPoint(b.x + fx * b.width, b.y + fy * b.height);
                    return !!el && el.classList.contains('sahel-map'); })""",
                box,
            )
            assert all(hits), f"something covers the map at {size} ({sidebar}): {hits}"
            ARTIFACTS.mkdir(exist_ok=True)
            tab.page.screenshot(path=str(ARTIFACTS / f"viz_layout_{width}x{height}_{sidebar}.png"))
    finally:
        tab.close()


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """A scenario folder with a five-week scenario, a broken file and a file extending outside."""
    top = tmp_path_factory.mktemp("viz_room")
    folder = top / "scenarios"
    folder.mkdir()
    (folder / "base.yaml").write_text(
        (SCENARIOS / "cold_start_2022.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "short.yaml").write_text("extends: base.yaml\nname: short\nend: 2022-02-05\n", encoding="utf-8")
    (folder / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    (top / "outside.yaml").write_text(
        (SCENARIOS / "cold_start_2022.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "sneaky.yaml").write_text("extends: ../outside.yaml\n", encoding="utf-8")
    srv = Server([str(folder / "short.yaml")], top / "server.log")
    yield srv, top
    srv.stop()
    srv.check_clean()


def test_play_stops_at_the_end(browser, room):
    srv, _ = room
    tab = Tab(browser, srv.url)
    try:
        assert tab.text(".sahel-week") == "Week 0 of 5"
        tab.button("Play").click()
        tab.page.locator(".sahel-end").wait_for()
        tab.button("Play").wait_for()
        assert tab.text(".sahel-week") == "Week 5 of 5"
        assert tab.button("Play").is_disabled() and tab.button("Step").is_disabled()
    finally:
        tab.close()


def test_bad_files_and_forged_picks_give_a_message_not_a_traceback(browser, room):
    srv, top = room
    tab = Tab(browser, srv.url)
    try:
        for name in ("broken.yaml", "sneaky.yaml"):
            tab.choose("Scenario file", name)
            tab.button("Reset").click()
            tab.page.locator(".sahel-error", has_text="Cannot use this scenario").first.wait_for()
            tab.assert_no_traceback(str(top))
        tab.page.evaluate(
            """() => { const e = [...document.querySelectorAll('.v-select')]
                         .find(x => x.textContent.includes('Scenario file'));
                       e.__vue__.$emit('input', '../outside.yaml'); }"""
        )
        tab.button("Reset").click()
        tab.page.locator(".sahel-error", has_text="not one of the scenario files offered").first.wait_for()
        tab.assert_no_traceback(str(top))
        tab.choose("Scenario file", "short.yaml")
        tab.button("Reset").click()
        tab.page.locator(".sahel-error").first.wait_for(state="detached")
        tab.step(1)
    finally:
        tab.close()


def test_compare_mode_shows_two_dates_in_step(browser, tmp_path):
    srv = Server(
        ["--compare", str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "baseline_no_withdrawal.yaml")],
        tmp_path / "server.log",
    )
    tab = None
    try:
        tab = Tab(browser, srv.url)
        assert "baseline_no_withdrawal" in tab.text(".sahel-scenario-b")
        for week in (1, 2, 3):
            tab.step(week, ".sahel-week-a")
            tab.wait_week(week, ".sahel-week-b")
            assert tab.text(".sahel-date-a") == tab.text(".sahel-date-b")
        assert tab.text(".sahel-scenario-a").endswith(tab.text(".sahel-scenario-b").rsplit(",", 1)[1])  # same seed
        assert image_pixels(tab, "img.sahel-difference").std() > 5
        ARTIFACTS.mkdir(exist_ok=True)
        tab.page.screenshot(path=str(ARTIFACTS / "viz_compare.png"), full_page=True)
        tab.assert_no_traceback()
        assert tab.outside_requests() == []
    finally:
        if tab:
            tab.close()
        srv.stop()
    srv.check_clean()


def test_replay_of_a_saved_run_matches_its_results(browser, tmp_path, fast_plots):
    import pandas as pd

    from sahel_sim.runs.runner import run_scenario
    from sahel_sim.scenario.loading import load_scenario, with_overrides
    from sahel_sim.viz.snapshot import HEADLINE, format_metric

    scenario = load_scenario(SCENARIOS / "baseline.yaml")
    scenario = with_overrides(scenario, [("end", scenario.start + dt.timedelta(weeks=4)), ("seed", 11)])
    folder = run_scenario(scenario, seed=4242, out=tmp_path / "results")
    assert json.loads((folder / "manifest.json").read_text())["seed"] == 4242
    saved = pd.read_parquet(folder / "timeseries.parquet")
    saved = saved[saved["area"] == "ALL"].reset_index(drop=True)

    srv = Server(["--run", str(folder)], tmp_path / "server.log")
    tab = None
    try:
        tab = Tab(browser, srv.url)
        assert "seed 4242" in tab.text(".sahel-scenario")
        for week in (1, 2, 3):
            tab.step(week)
        row = saved.iloc[2]
        assert tab.text(".sahel-date").startswith(f"{row['date']:%Y-%m-%d} to ")
        for column, label in HEADLINE.items():
            assert tab.text(f".sahel-{column}") == f"{label}: {format_metric(column, row[column])}"
        ARTIFACTS.mkdir(exist_ok=True)
        tab.page.screenshot(path=str(ARTIFACTS / "viz_replay.png"), full_page=True)
        tab.assert_no_traceback(str(tmp_path))
        assert tab.outside_requests() == []
    finally:
        if tab:
            tab.close()
        srv.stop()
    srv.check_clean()
