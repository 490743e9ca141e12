"""The browser view in a real headless Chromium, driven by Playwright.

Each test module run starts its own ``python -m sahel_sim viz`` server on a free 127.0.0.1 port and
stops it afterwards. Screenshots go to ``test-artifacts/`` (git-ignored).
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
TIMEOUT_MS = 30_000


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
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"viz server exited:\n{self.text()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"viz server did not answer on {self.url}:\n{self.text()}")

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the viz command stops its solara child
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)


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
    assert "Could not load URL" not in srv.text(), "the server tried to fetch front-end files online"


class Tab:
    """One browser tab on the page, recording every request it makes."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1500, "height": 1000})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.goto(url)
        self.page.locator("img.sahel-map").wait_for(timeout=60_000)

    def text(self, css: str) -> str:
        return self.page.locator(css).first.inner_text(timeout=TIMEOUT_MS).strip()

    def step(self, to_week: int) -> None:
        self.page.get_by_role("button", name="Step").click()
        self.page.locator(".sahel-week", has_text=f"Week {to_week} of").wait_for(timeout=TIMEOUT_MS)

    def outside_requests(self) -> list[str]:
        local = ("http://127.0.0.1:", "ws://127.0.0.1:", "blob:http://127.0.0.1:", "data:")
        return [u for u in self.requests if not u.startswith(local)]

    def close(self) -> None:
        self.context.close()


def image_pixels(tab: Tab, css: str) -> np.ndarray:
    from PIL import Image

    png = tab.page.locator(css).screenshot(timeout=TIMEOUT_MS)
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_page_loads_draws_the_map_and_steps(browser, server):
    tab = Tab(browser, server.url)
    try:
        assert tab.text(".sahel-date") == "2022-01-01 (start)"
        assert tab.text(".sahel-week").startswith("Week 0 of 209")
        img = image_pixels(tab, "img.sahel-map")
        assert img.shape[1] > 400 and img.std() > 20, "the map is blank"
        assert len(np.unique(img.reshape(-1, 3), axis=0)) > 200
        before = tab.page.locator("img.sahel-map").get_attribute("src")

        tab.step(1)
        assert tab.text(".sahel-date") == "2022-01-01"  # the first simulated week starts at the start
        started = time.perf_counter()
        tab.step(2)
        seconds = time.perf_counter() - started
        assert tab.text(".sahel-date") == "2022-01-08"
        assert tab.page.locator("img.sahel-map").get_attribute("src") != before
        assert "Stability index: " in tab.text(".sahel-stability_index")
        print(f"\nbrowser step to redrawn page: {seconds:.2f} s")
        assert seconds < 5

        tab.page.locator(".v-select", has_text="Map layer").click()
        tab.page.locator(".v-list-item", has_text="Recent violence").click()
        tab.page.locator(".v-select", has_text="Recent violence").wait_for(timeout=TIMEOUT_MS)
        ARTIFACTS.mkdir(exist_ok=True)
        tab.page.wait_for_timeout(500)
        tab.page.screenshot(path=str(ARTIFACTS / "viz_page.png"), full_page=True)
        assert tab.outside_requests() == []
        assert tab.errors == []
    finally:
        tab.close()


def test_each_tab_has_its_own_model(browser, server):
    first, second = Tab(browser, server.url), Tab(browser, server.url)
    try:
        first.step(1)
        first.step(2)
        second.page.wait_for_timeout(300)
        assert second.text(".sahel-week").startswith("Week 0 of")
        second.step(1)
        assert first.text(".sahel-week").startswith("Week 2 of")
    finally:
        first.close()
        second.close()


def test_play_pause_and_scenario_choice(browser, server):
    tab = Tab(browser, server.url)
    try:
        tab.page.get_by_role("button", name="▶").click()
        tab.page.locator(".sahel-week", has_text="Week 3 of").wait_for(timeout=TIMEOUT_MS)
        tab.page.get_by_role("button", name="❚❚").click()
        tab.page.get_by_role("button", name="▶").wait_for(timeout=TIMEOUT_MS)
        paused_at = None
        for _ in range(10):  # a step already under way when Pause was pressed may still land
            before = tab.text(".sahel-week")
            tab.page.wait_for_timeout(1500)
            if tab.text(".sahel-week") == before:
                paused_at = before
                break
        assert paused_at is not None, "the week kept advancing after pause"
        tab.page.wait_for_timeout(1500)
        assert tab.text(".sahel-week") == paused_at

        tab.page.locator(".v-select", has_text="Scenario file").click()
        tab.page.locator(".v-list-item", has_text="baseline_no_withdrawal.yaml").click()
        tab.page.get_by_role("button", name="Reset").click()
        tab.page.locator(".sahel-scenario", has_text="baseline_no_withdrawal").wait_for(timeout=TIMEOUT_MS)
        assert tab.text(".sahel-week").startswith("Week 0 of")
        assert "Withdrawal start: none" in tab.text(".sahel-levers")
    finally:
        tab.close()


def test_slider_then_reset_rebuilds_the_model(browser, server):
    tab = Tab(browser, server.url)
    try:
        assert "Withdrawal start: 2023-" in tab.text(".sahel-levers")
        thumb = tab.page.locator(".v-input__slider", has_text="Withdrawal start").locator("[role=slider]")
        thumb.focus()
        thumb.press("End")  # the last week: no withdrawal
        tab.step(1)
        tab.page.get_by_role("button", name="Reset").click()
        tab.page.locator(".sahel-week", has_text="Week 0 of").wait_for(timeout=TIMEOUT_MS)
        tab.page.locator(".sahel-levers", has_text="Withdrawal start: none").wait_for(timeout=TIMEOUT_MS)
        assert "peacekeepers.withdrawal = None" in tab.text(".sahel-overrides")
        assert tab.outside_requests() == []
    finally:
        tab.close()


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
        assert tab.text(".sahel-date") == f"{row['date']:%Y-%m-%d}"
        for column, label in HEADLINE.items():
            assert tab.text(f".sahel-{column}") == f"{label}: {format_metric(column, row[column])}"
        ARTIFACTS.mkdir(exist_ok=True)
        tab.page.screenshot(path=str(ARTIFACTS / "viz_replay.png"), full_page=True)
        assert tab.outside_requests() == []
    finally:
        if tab:
            tab.close()
        srv.stop()
    assert "Could not load URL" not in srv.text()
