"""A throwaway PostgreSQL cluster for the tests: Debian's server binaries, `initdb` into a temporary folder
as an unprivileged user, listening on a free port of 127.0.0.1 only, removed afterwards. It never looks
for, nor touches, a server that is already running."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

DEBIAN_BINARIES = Path("/usr/lib/postgresql")
MIN_VERSION = 15


def binaries() -> Path:
    """The newest Debian PostgreSQL (≥ 15) server binaries: `make test` installs the package when missing."""
    versions = sorted(
        (int(p.name), p / "bin") for p in DEBIAN_BINARIES.glob("*") if p.name.isdigit() and (p / "bin" / "initdb").exists()
    )  # fmt: skip
    if not versions or versions[-1][0] < MIN_VERSION:
        raise RuntimeError(
            f"PostgreSQL ≥ {MIN_VERSION} server binaries are not in {DEBIAN_BINARIES}: run `make postgresql`."
        )
    return versions[-1][1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """One server for a test session; each test gets a database of its own, copied from a template."""

    def __init__(self) -> None:
        self.bin = binaries()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="cockpit-pg-"))
        self.data = self.root / "data"
        # initdb refuses to run as root: then the cluster belongs to Debian's `postgres` user.
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.root.chmod(0o755)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        self.start()

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / program), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> None:
        # Durability is the server's business in production; for a throwaway test cluster speed matters.
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=400")  # fmt: skip
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w", "start"
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)

    def create(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of `template`), and its URL."""
        source = f" TEMPLATE {template}" if template else ""
        for attempt in range(20):
            try:
                self.admin(f"CREATE DATABASE {name}{source}")
                break
            except psycopg.errors.ObjectInUse:  # the template still has a connection closing
                time.sleep(0.05 * (attempt + 1))
        return self.url(name)

    def fresh(self) -> str:
        """A new, blank database with a name no other test uses, and its URL."""
        self._made = getattr(self, "_made", 0) + 1
        return self.create(f"fresh{os.getpid()}_{self._made}")

    def drop(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class PgDatabase(str):
    """COCKPIT_DB for a test on PostgreSQL: a URL, with the two things the fixtures ask of a file."""

    def __new__(cls, url: str, name: str, cluster, template):
        self = super().__new__(cls, url)
        self.name, self.cluster, self.template = name, cluster, template
        return self

    def as_role(self, role: str) -> str:
        """The same database's URL for another login (trust authentication: no password)."""
        return self.replace("postgresql://postgres@", f"postgresql://{role}@", 1)

    def granted(self, role: str) -> bool:
        """Whether `role` may use this database (its template was granted to it)."""
        with psycopg.connect(self, autocommit=True) as conn:
            return bool(conn.execute("SELECT to_regclass('deal') IS NOT NULL AND has_table_privilege(%s, 'deal', 'SELECT')",
                                     [role]).fetchone()[0])  # fmt: skip

    def exists(self) -> bool:
        with psycopg.connect(self, autocommit=True) as conn:
            return bool(conn.execute("SELECT to_regclass('schema_migration') IS NOT NULL").fetchone()[0])


def fill(database: Path | PgDatabase, source: Path) -> None:
    """Make the test's database a copy of the file `source` (the curated demo), whatever the engine."""
    if isinstance(database, PgDatabase):
        database.cluster.drop(database.name)
        database.cluster.create(database.name, database.template(source))
    else:
        shutil.copyfile(source, database)
