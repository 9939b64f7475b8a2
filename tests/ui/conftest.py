"""The course in a real browser: JupyterLab from the project's .venv, driven by headless Chromium.

Run with ``make test-ui`` (it installs Debian's chromium and Playwright when they are missing). The
fixtures start JupyterLab on 127.0.0.1 with a random token and ``root_dir=notebooks``, in throwaway
config, data, runtime, settings and workspace folders (so nothing in ``~/.jupyter`` changes what is
tested), and stop it at the end, whether the tests passed or not. Screenshots and the server's log go
to ``artifacts/ui/``.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "ui"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# As the workplace's browser probe starts it: no GPU, no sandbox (root), no calls home on a closed network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SERVER_START_S = 90


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running JupyterLab: its base URL, token and process."""

    def __init__(self, url: str, token: str, root: Path, process: subprocess.Popen, log: Path):
        self.url, self.token, self.root, self.process, self.log = url, token, root, process, log

    def watch(self, *names: str) -> None:
        """Remember these lessons (and their pairs) as they are, to check at the end that nothing saved them."""
        stems = {Path(name).stem for name in names}
        self.watched = {p: _digest(p) for p in sorted(self.root.iterdir()) if p.stem in stems and p.is_file()}

    def changed(self) -> list[str]:
        return [p.name for p, digest in getattr(self, "watched", {}).items() if _digest(p) != digest]

    def tail(self, n: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


def _stop(process: subprocess.Popen) -> None:
    """SIGINT twice is JupyterLab's clean shutdown (it stops its kernels too); then the whole group goes."""
    if process.poll() is None:
        for _ in range(2):
            try:
                os.killpg(process.pid, signal.SIGINT)
            except ProcessLookupError:
                break
            time.sleep(0.5)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    try:  # anything left in the server's own process group (kernels), by its group id
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def lab(tmp_path_factory, artifacts) -> Lab:
    root = Path(os.environ.get("GAN_LESSONS_UI_ROOT", ROOT / "notebooks")).resolve()
    jupyter = Path(sys.prefix) / "bin" / "jupyter"  # the project's .venv: pytest runs from it
    home = tmp_path_factory.mktemp("jupyter")
    token, port = secrets.token_hex(24), _free_port()
    env = dict(os.environ,
               JUPYTER_CONFIG_DIR=str(home / "config"),    # no user config: the venv's own settings only
               JUPYTER_DATA_DIR=str(home / "data"),        # no user kernelspecs: the venv's python3 kernel
               JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               GAN_LESSONS_BUDGET=os.environ.get("GAN_LESSONS_BUDGET", "test"),
               MPLBACKEND="module://matplotlib_inline.backend_inline")
    cmd = [str(jupyter), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           f"--LabApp.user_settings_dir={home / 'user-settings'}", f"--LabApp.workspaces_dir={home / 'workspaces'}",
           "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:  # CI runs as root
        cmd.append("--ServerApp.allow_root=True")
    # Settings of this throwaway user: no autosave (the lessons must stay without outputs), the
    # question on first start whether to fetch Jupyter news (over the network) answered beforehand.
    # Every cell in the page at once (no windowing): on a busy machine the lazily rendered last cell of a
    # lesson took over 30 s to appear.
    settings = {"docmanager-extension/plugin": '{"autosave": false}',
                "notebook-extension/tracker": '{"windowingMode": "none"}',
                "apputils-extension/notification": '{"fetchNews": "false", "checkForUpdates": false}'}
    for plugin, value in settings.items():
        path = home / "user-settings" / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value)
    log = artifacts / "jupyterlab.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=root,
                                   start_new_session=True)
    server = Lab(f"http://127.0.0.1:{port}", token, root, process, log)
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n{server.tail()}")
            try:
                req = urllib.request.Request(f"{server.url}/api/status", headers={"Authorization": f"token {token}"})
                with urllib.request.urlopen(req, timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not answer in {SERVER_START_S} s:\n{server.tail()}")
            time.sleep(0.5)
        yield server
    finally:
        _stop(process)
    saved = [line for line in log.read_text(errors="replace").splitlines() if "Saving file at" in line]
    assert not saved, "the browser session saved files (lessons must stay without outputs):\n" + "\n".join(saved)
    if server.changed():  # not saved by this session, so edited by someone else meanwhile
        warnings.warn(f"lessons changed on disk during the browser session: {server.changed()}", stacklevel=1)


@pytest.fixture(scope="session")
def page(lab, artifacts):
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is missing: `make ui-deps` installs it")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make ui-deps` installs Debian's chromium")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 950})
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.console_errors = []
        page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
        try:
            yield page
        finally:
            context.close()
            browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, keep a screenshot of what the browser showed."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "page" in item.funcargs:
        try:
            item.funcargs["page"].screenshot(path=str(ARTIFACTS / f"FAILED_{item.name}.png"))
        except Exception:  # noqa: BLE001 - the browser may be what failed
            pass


TIMINGS = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def timings(pytestconfig) -> dict:
    """Seconds per step, as the tests measure them; printed at the end and kept in artifacts/ui/timings.txt."""
    return pytestconfig.stash.setdefault(TIMINGS, {})


def pytest_terminal_summary(terminalreporter, config):
    steps = config.stash.get(TIMINGS, {})
    if steps:
        terminalreporter.section("browser timings")
        for step, seconds in steps.items():
            terminalreporter.write_line(f"{seconds:6.1f} s  {step}")
        (ARTIFACTS / "timings.txt").write_text("".join(f"{s:.1f}\t{step}\n" for step, s in steps.items()))
