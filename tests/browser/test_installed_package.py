"""The cockpit as an administrator installs it: its wheel (not the checkout) in a new virtual environment,
then `cockpit demo`, `cockpit check` and `cockpit serve` from a folder that is neither, and the app in
chromium serves the demo pipeline with its own navigation and icon.

The wheel is built and installed without its dependencies, which the new environment borrows from the
test environment's (a `.pth` file): what is checked is what the wheel itself carries (every module, the
pages, the demo and playbook files, the Streamlit config), without downloading the dependencies again."""

import os
import re
import signal
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import settle
from tests.browser.server import ROOT, free_port, wait_until_healthy

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A new virtual environment holding the cockpit's wheel; its bin folder."""
    where = tmp_path_factory.mktemp("installed")
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(where / "wheel"), str(ROOT)],
        where, dict(os.environ))  # fmt: skip
    (wheel,) = (where / "wheel").glob("deal_cockpit-*.whl")
    run([sys.executable, "-m", "venv", str(where / "venv")], where, dict(os.environ))
    python = where / "venv" / "bin" / "python"
    site = subprocess.check_output(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True
    )
    Path(site.strip(), "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], where, dict(os.environ))
    return where / "venv" / "bin"


def outside(tmp_path: Path, **extra: str) -> tuple[Path, dict[str, str]]:
    """A working folder that is not the checkout, and an environment without the checkout on its paths."""
    folder = tmp_path / "elsewhere"
    folder.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COCKPIT_DB", "VIRTUAL_ENV")}
    return folder, {**env, "XDG_DATA_HOME": str(tmp_path / "xdg"), **extra}


def test_the_wheel_carries_the_app_and_its_files_and_puts_its_database_in_the_users_data_folder(
    installed, tmp_path
):
    folder, env = outside(tmp_path)
    where = run([str(installed / "python"), "-c", "import core, deal_cockpit, core.settings as s; "
                 "print(core.__file__); print(s.PROJECT_ROOT); print(s.DEFAULT_DB)"], folder, env)  # fmt: skip
    core_file, app_folder, database = where.split()[:3]
    venv = str(installed.parent)
    assert core_file.startswith(venv) and app_folder.startswith(venv), (
        where
    )  # the wheel's, not the checkout's
    for shipped in ("app.py", "pages/concessions.py", "data/moves.json", "data/icon.png", ".streamlit/config.toml",
                    "data/demo/09-baltic-freight.json"):  # fmt: skip
        assert (Path(app_folder) / shipped).is_file(), shipped
    assert database == str(tmp_path / "xdg" / "deal-cockpit" / "cockpit.duckdb")
    assert "cockpit 0.1.0" in run([str(installed / "cockpit"), "--version"], folder, env)
    assert "added 12 curated deals" in run([str(installed / "cockpit"), "demo"], folder, env)
    assert Path(database).is_file()


def test_cockpit_serve_from_the_wheel_serves_the_demo_in_a_browser(installed, tmp_path, browser):
    port = free_port()
    # A relative COCKPIT_DB means the folder the command runs in, for every command and for the server.
    folder, env = outside(tmp_path, COCKPIT_DB="team-of-one.duckdb", COCKPIT_PORT=str(port))
    run([str(installed / "cockpit"), "demo"], folder, env)
    assert run([str(installed / "cockpit"), "check"], folder, env).startswith("ok")
    with (tmp_path / "serve.log").open("w") as log:
        served = subprocess.Popen([str(installed / "cockpit"), "serve"], cwd=folder, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_healthy(url, served, tmp_path / "serve.log", seconds=90)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        try:
            page.goto(url)
            expect(page.get_by_role("heading", name="Pipeline · every deal, risk first")).to_be_visible(
                timeout=60_000
            )
            settle(page)
            expect(
                page.get_by_role("heading", name="7 of 11")
            ).to_be_visible()  # the demo's live deals at risk
            page.goto(f"{url}/concessions?deal=9")  # a page of pages/, by the cockpit's own navigation
            expect(page.get_by_role("heading", name=re.compile("Baltic Freight"))).to_be_visible(
                timeout=60_000
            )
        finally:
            page.close()
    finally:
        os.killpg(served.pid, signal.SIGTERM)
        served.wait(15)
    assert not (ROOT / "team-of-one.duckdb").exists() and (folder / "team-of-one.duckdb").is_file()
