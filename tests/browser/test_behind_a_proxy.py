"""The deployment kit's nginx (docs/deploy/nginx: WebSocket upgrade, sticky sessions) in front of two
`cockpit serve` app servers on one PostgreSQL database, in team mode: people sign in through the proxy,
and every CSV download works, because each browser stays on the server that holds its files (with
round-robin, half of them failed: Streamlit keeps a download in the memory of the server that built it).
Debian's nginx, PostgreSQL and an OIDC provider are started by the test on 127.0.0.1 and stopped after."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import settle
from tests.browser.server import ROOT, free_port, wait_until_healthy
from tests.browser.team import oidc_provider, sign_in, team_database

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
KIT = ROOT / "docs" / "deploy" / "nginx"


def nginx_config(folder: Path, port: int, servers: list[int]) -> Path:
    """The kit's two includes, in an nginx of the test's own: its upstream names the two local servers, and
    each request's upstream and sticky cookie go to the access log."""
    upstreams = "\n".join(f"        server 127.0.0.1:{p};" for p in servers)
    config = folder / "nginx.conf"
    config.write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    log_format routed '$cookie_cockpit_server $upstream_addr $request_uri $status';
    access_log {folder}/nginx-access.log routed;
    include {KIT}/sticky.conf;
    upstream cockpit {{
        hash $cockpit_server_key consistent;
{upstreams}
    }}
    server {{
        listen 127.0.0.1:{port};
        include {KIT}/locations.conf;
    }}
}}
""")
    return config


def start_server(folder: Path, name: str, database: str, secrets: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "COCKPIT_DB": database, "COCKPIT_PORT": str(port), "COCKPIT_SECRETS": str(secrets),
           "COCKPIT_DEMO": "0"}  # fmt: skip
    with (folder / f"{name}.log").open("w") as log:
        server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "cockpit"), "serve"], cwd=folder, env=env,
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    wait_until_healthy(f"http://127.0.0.1:{port}", server, folder / f"{name}.log", seconds=90)
    return server, port


def test_two_servers_behind_the_kits_nginx_keep_each_browser_on_its_server_and_every_download_works(
    postgres, browser, tmp_path
):
    if not Path(NGINX).exists():
        pytest.fail(f"{NGINX} is missing: `make test` installs Debian's nginx (apt-get install nginx)")
    database = postgres.fresh()
    team_database(database)
    proxy_port = free_port()
    with oidc_provider() as provider:
        secrets = tmp_path / "secrets.toml"  # one redirect_uri, the proxy's, for both servers
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{proxy_port}/oauth2callback"\n'
            'cookie_secret = "a-test-cookie-secret-of-enough-length"\n'
            'client_id = "deal-cockpit"\nclient_secret = "a-test-client-secret"\n'
            f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
        )
        servers = [start_server(tmp_path, name, database, secrets) for name in ("app1", "app2")]
        proxy = subprocess.Popen(
            [NGINX, "-p", str(tmp_path), "-c", str(nginx_config(tmp_path, proxy_port, [p for _, p in servers])),
             "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{proxy_port}"
            wait_until_healthy(url, proxy, tmp_path / "nginx-error.log", seconds=30)
            downloads = 0
            for email in ("ana@example.com", "sam@example.com", "lea@example.com"):
                context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
                page = context.new_page()
                page.set_default_timeout(30_000)
                sign_in(page, url, email)
                for _ in range(2):
                    page.goto(f"{url}/concessions?deal=1")
                    expect(page.get_by_role("heading", name=re.compile(r"^Concessions · "))).to_be_visible(
                        timeout=60_000
                    )
                    settle(page)
                    page.get_by_role("tab", name="CSV export and import").click()
                    with page.expect_download() as download:
                        page.get_by_role("button", name="This deal's log (CSV)").click()
                    data = Path(download.value.path()).read_bytes()
                    assert data.startswith(b'\xef\xbb\xbf"Item","You give","You get"'), data[:200]
                    downloads += 1
                context.close()
            assert downloads == 6
        finally:
            proxy.send_signal(signal.SIGQUIT)
            proxy.wait(15)
            for server, _ in servers:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(15)

    # Every request of a browser, after the first set its cookie, went to one server.
    routed: dict[str, set[str]] = {}
    for line in (tmp_path / "nginx-access.log").read_text().splitlines():
        cookie, upstream, *_ = line.split(" ")
        if cookie != "-" and upstream != "-":
            routed.setdefault(cookie, set()).add(upstream)
    assert len(routed) >= 3 and all(len(upstreams) == 1 for upstreams in routed.values()), routed
    for name in ("app1", "app2"):
        assert "Traceback" not in (tmp_path / f"{name}.log").read_text()
