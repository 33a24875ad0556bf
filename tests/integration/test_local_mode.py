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
