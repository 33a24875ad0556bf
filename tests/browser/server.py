"""Serve the real app with `streamlit run` on a free port; Debian's chromium settings for Playwright.

Shared by the browser tests and docs/screenshots.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("COCKPIT_CHROMIUM", "/usr/bin/chromium")
# Headless as root on a closed network: no sandbox, no GPU, no calls home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]  # fmt: skip


class ServerDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen, log_path: Path, seconds: float = 60) -> None:
    """Return once Streamlit's health endpoint at `url` answers; ServerDidNotStart (with its log) if the
    process ends or `seconds` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise ServerDidNotStart(log_path.read_text()) from None
            time.sleep(0.2)  # polling a server that is starting up, not waiting on a page


class Served(str):
    """The served app's base URL, with its server process (a fault test kills it)."""

    process: subprocess.Popen


@contextmanager
def serve(
    db_path: Path | str,
    log_path: Path,
    port: int | None = None,
    script: Path | None = None,
    secrets: Path | None = None,
) -> Iterator[str]:
    """Run the app (or another Streamlit `script`, for the bench's bare baselines) on `db_path` (a file or
    a postgresql:// URL) and yield its base URL once the health endpoint answers. `secrets`: a secrets.toml (its [auth] turns team mode on)."""
    port = port or free_port()
    extra = ["--secrets.files", str(secrets)] if secrets else []
    env = {**os.environ, "COCKPIT_DB": str(db_path)}
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script or ROOT / "app.py"), "--server.address", "127.0.0.1", "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", *extra],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = Served(f"http://127.0.0.1:{port}")
        url.process = server
        try:
            wait_until_healthy(url, server, log_path)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
