"""Browser tests: a served copy of the app (gunicorn on a fresh SQLite) and headless Chromium.

pytest-django's ``live_server`` is not used: it empties tables between tests, and the audit
log is append-only (database triggers refuse deletes). Instead each test module gets its own
var directory with a migrated database and the Balikpapan demo, served by the real gunicorn.

Chromium comes from Debian's package (/usr/bin/chromium). Without it the tests are skipped,
unless ``REQUIRE_BROWSER=1`` (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
REPO_ROOT = Path(__file__).parents[2]
VENV_BIN = Path(sys.executable).parent
SERVER_START_TIMEOUT = 30.0
COMMAND_TIMEOUT = 300


@dataclass(frozen=True)
class LiveApp:
    url: str
    var_dir: Path


@pytest.fixture(scope="module")
def chromium_executable() -> Path:
    if not CHROMIUM.exists():
        message = f"chromium not installed ({CHROMIUM}); on Debian: apt-get install chromium"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    return CHROMIUM


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _server_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DATABASE_URL", "DEBUG"):
        env.pop(name, None)
    env["KOPERASI_VAR_DIR"] = str(var_dir)
    return env


def _manage(*args: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}", pytrace=False)


def _wait_until_up(url: str, process: subprocess.Popen[Any], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()}", pytrace=False)
        try:
            with urllib.request.urlopen(url + "/masuk/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within {SERVER_START_TIMEOUT:.0f} s:\n{log.read_text()}", pytrace=False)


@pytest.fixture(scope="module")
def live_app(chromium_executable: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """Migrate a fresh database, load the demo and serve it with gunicorn; yield its URL."""
    var_dir = tmp_path_factory.mktemp("koperasi-var")
    env = _server_env(var_dir)
    for command in (("migrate", "--noinput", "-v0"), ("collectstatic", "--noinput", "-v0"), ("load_demo",)):
        _manage(*command, env=env)

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = var_dir / "gunicorn.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "koperasi.config.wsgi",
                "--pythonpath",
                "src",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(url, process, log)
            yield LiveApp(url=url, var_dir=var_dir)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def browser(chromium_executable: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_executable), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    """A fresh browser context the size of a common phone (390 x 844)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
