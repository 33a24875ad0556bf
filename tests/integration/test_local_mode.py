"""`make run` is local mode: one person, this computer only. The server it starts listens on 127.0.0.1
and on no other address."""

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.browser.server import ROOT, free_port

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
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                assert make.poll() is None and time.monotonic() < deadline, (tmp_path / "run.log").read_text()
                time.sleep(0.2)  # polling a server that is starting, not waiting on a page
        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, and not 0.0.0.0 or ::
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(15)
