"""The built website in a real browser: build/site/ served on 127.0.0.1, read by headless Chromium.

Run with ``make test-site`` after ``make site`` (``make ui-deps`` installs Debian's chromium and
Playwright; Playwright's own browser download does not work offline). Screenshots go to artifacts/site/.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("GAN_SITE_BUILD", ROOT / "build")).resolve() / "site"  # as site/build.py
ARTIFACTS = ROOT / "artifacts" / "site"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# No GPU, no sandbox (CI runs as root), no calls home on a closed network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the test reports what failed; no access log on stderr
        pass


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def site_url() -> str:
    """The built site over HTTP, as GitHub Pages would serve it (file:// would hide broken links)."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"{SITE / 'index.html'} is missing: run `make site` first")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is missing: `make ui-deps` installs it")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make ui-deps` installs Debian's chromium")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, site_url):
    """A fresh page; it records console errors, failed requests and every request that left 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.problems = []
    page.outside = []
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(f"console: {msg.text}"))
    page.on("pageerror", lambda err: page.problems.append(f"page error: {err}"))
    page.on("requestfailed", lambda req: page.problems.append(f"failed: {req.url}"))
    page.on("request", lambda req: req.url.startswith(site_url) or req.url.startswith("data:")
            or page.outside.append(req.url))
    yield page
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, keep a screenshot of what the browser showed."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "page" in item.funcargs:
        try:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            item.funcargs["page"].screenshot(path=str(ARTIFACTS / f"FAILED_{item.name}.png"), full_page=True)
        except Exception:  # noqa: BLE001 - the browser may be what failed
            pass
