"""`make run` is local mode: one person, this computer only. The server it starts listens on 127.0.0.1
and on no other address."""

import os
import signal
import subprocess
from pathlib import Path

from tests.browser.server import ROOT, free_port, wait_until_healthy

LISTEN = "0A"  # the TCP state "listening" in /proc/net/tcp


def listening_addresses(port: int) -> set[str]:
    """The local addresses (hex, as the kernel writes them) of the sockets listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == LISTEN:
                found.add(address)
    return found


def test_make_run_listens_on_127_0_0_1_only(tmp_path):
    port = free_port()
    env = {**os.environ, "COCKPIT_DB": str(tmp_path / "local.duckdb")}
    with (tmp_path / "run.log").open("w") as log:
        make = subprocess.Popen(["make", "run", f"PORT={port}"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", make, tmp_path / "run.log", seconds=90)
        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, and not 0.0.0.0 or ::
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(15)


def test_cockpit_serve_started_from_another_folder_serves_on_loopback_with_production_settings(tmp_path):
    # What a systemd unit runs: the console script, from a folder that is not the checkout.
    port = free_port()
    env = {**os.environ, "COCKPIT_DB": str(tmp_path / "served.duckdb"), "COCKPIT_PORT": str(port)}
    with (tmp_path / "serve.log").open("w") as log:
        served = subprocess.Popen([str(ROOT / ".venv" / "bin" / "cockpit"), "serve"], cwd=tmp_path, env=env,
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", served, tmp_path / "serve.log", seconds=90)
        assert listening_addresses(port) == {"0100007F"}
        arguments = Path(f"/proc/{served.pid}/cmdline").read_bytes().split(b"\0")
        assert (
            b"streamlit" in arguments
            and arguments[arguments.index(b"--server.fileWatcherType") + 1] == b"none"
        )
        assert arguments[arguments.index(b"--client.showErrorDetails") + 1] == b"none"
    finally:
        os.killpg(served.pid, signal.SIGTERM)
        served.wait(15)
    assert "serving the cockpit on http://127.0.0.1" in (tmp_path / "serve.log").read_text()
