"""The Reliability figures of `make bench`: concurrent sessions, a writer killed mid-flight, a busy file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime
from pathlib import Path

from core.models import Concession, Counterparty, Deal
from core.store import DatabaseBusy, Store

ROOT = Path(__file__).resolve().parent.parent
THREADS, WRITES, CRASH_ROUNDS = 16, 200, 20


def _line(n: int) -> Concession:
    return Concession(item=f"Line {n}", you_give="x", value_to_you=-1.0, logged_at=datetime(2026, 11, 25))


def concurrent_writes(path: Path) -> tuple[float, int, int]:
    """16 threads × 200 add_concession calls on one file store: (seconds, rows stored, errors)."""
    store = Store.open(path)
    deal_id = store.deals.create_deal(
        Deal(name="Load", context="sales", owner="Ana"), Counterparty(name="Acme")
    )
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def session(k: int) -> None:
        barrier.wait()
        for n in range(WRITES):
            try:
                store.concessions.add_concession(deal_id, _line(k * WRITES + n))
            except BaseException as exc:  # noqa: BLE001 - every failure counts
                errors.append(exc)

    threads = [threading.Thread(target=session, args=(k,)) for k in range(THREADS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - began
    rows = len(store.concessions.list_concessions(deal_id))
    store.close()
    return seconds, rows, len(errors)


_WRITER = textwrap.dedent("""
    import sys
    from datetime import datetime
    from core.models import Concession
    from core.store import Store
    store = Store.open(sys.argv[1])
    n = 0
    while True:
        n += 1
        print(store.concessions.add_concession(1, Concession(item=f"Crash {n}", you_give="x", value_to_you=-1.0,
                                                 logged_at=datetime(2026, 11, 25))), flush=True)
""")


def crash_rounds(path: Path) -> tuple[int, int, int, float]:
    """Kill a writing child with SIGKILL at random moments: (rounds, rounds with every committed line
    present, committed lines, median seconds to reopen after a kill)."""
    seed = Store.open(path)
    seed.deals.create_deal(Deal(name="Crash", context="sales", owner="Ana"), Counterparty(name="Acme"))
    seed.close()
    rng, committed, intact, reopen = random.Random(7), set(), 0, []
    for _ in range(CRASH_ROUNDS):
        child = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, text=True,
                                 cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
        committed.add(int(child.stdout.readline()))
        time.sleep(rng.uniform(0.0, 0.3))
        os.kill(child.pid, signal.SIGKILL)
        rest, _ = child.communicate()
        committed.update(int(x) for x in rest.split() if x.isdigit())
        began = time.perf_counter()
        store = Store.open(path)
        reopen.append(time.perf_counter() - began)
        intact += committed <= {c.id for c in store.concessions.list_concessions(1)}
        store.close()
    return CRASH_ROUNDS, intact, len(committed), sorted(reopen)[len(reopen) // 2]


def busy_file(path: Path) -> tuple[float, float]:
    """(seconds until a command gives up with wait=1 while the app holds the file,
    seconds until it gets its turn when the holder lets go after 1 s)."""
    Store.open(path).close()

    def hold(seconds: float) -> subprocess.Popen:
        code = f"import time, duckdb\ncon = duckdb.connect({str(path)!r})\nprint('x', flush=True)\ntime.sleep({seconds})"
        p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        p.stdout.readline()
        return p

    holder = hold(30)
    began = time.perf_counter()
    try:
        Store.open(path, wait=1).close()
    except DatabaseBusy:
        pass
    gave_up = time.perf_counter() - began
    holder.kill()
    holder.wait()
    holder = hold(1)
    began = time.perf_counter()
    Store.open(path, wait=15).close()
    turn = time.perf_counter() - began
    holder.wait()
    return gave_up, turn


def bad_inputs(work: Path) -> tuple[int, int, int]:
    """Every kind of bad input the hardening refuses, tried against a database with the curated demo:
    (inputs tried, tracebacks, rows changed by refused inputs). Refusals must be clean sentences."""
    import json
    from contextlib import redirect_stderr, redirect_stdout
    from io import StringIO

    import duckdb

    from core import cli
    from core.csvio import parse_concessions
    from core.demo import CURATED_DIR, load_curated
    from core.models import InvalidInput

    db = work / "bad-inputs.duckdb"
    store = Store.open(db)
    load_curated(store)
    before = store.queries.table_counts()
    store.close()
    demo = (CURATED_DIR / "01-northwind-saas-renewal.json").read_text(encoding="utf-8")
    twice = demo.replace('"mandate":', '"mandate": 0, "mandate":', 1)
    term = json.loads(demo)
    term["meso_bundles"][0]["terms"].append(dict(term["meso_bundles"][0]["terms"][0]))
    deal_files = [
        twice,
        json.dumps(term),
        "{",
        "\xff not json",
        '{"deal": 1}',
        demo.replace('"round": 1', '"round": 2147483648', 1),
    ]
    header = "Item,You give,You get,Value to you,Value to them,Trigger/contingency"
    csv_files = [
        # a ';' file writes decimals with a comma: a decimal point in one is refused, never guessed
        "Item;You give;You get;Value to you;Value to them;Trigger/contingency\nA;x;y;-1.5;0;\n",
        f"{header},Logged at\nA,x,y,0,0,,not a time\n",
        f"{header}\nA,x,y,1e308,0,\n",
        f"{header}\nA," + "g" * 200_000 + ",y,0,0,\n",
        f"{header}\n,x,y,0,0,\n",
        "",
    ]
    tried = tracebacks = 0

    def run(argv: list[str]) -> None:
        nonlocal tried, tracebacks
        tried += 1
        err = StringIO()
        try:
            with redirect_stdout(StringIO()), redirect_stderr(err):
                code = cli.main(argv)
        except BaseException:  # noqa: BLE001 - anything that escapes is a traceback for the user
            tracebacks += 1
            return
        tracebacks += code == 0 or "Traceback" in err.getvalue()

    os.environ["COCKPIT_DB"] = str(db)
    for n, text in enumerate(deal_files):
        path = work / f"bad-deal-{n}.json"
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        run(["import-deal", str(path)])
    for n, text in enumerate(csv_files):
        path = work / f"bad-lines-{n}.csv"
        path.write_text(text, encoding="utf-8")
        run(["import-concessions", str(path), "--deal", "1"])
    for wait in ("abc", "nan", "-1", "1e30"):
        os.environ["COCKPIT_WAIT"] = wait
        run(["deals"])
    os.environ.pop("COCKPIT_WAIT", None)
    for n, make in enumerate([lambda p: p.mkdir(), lambda p: p.write_bytes(os.urandom(4096)),
                              lambda p: p.write_text("a,b\n"), lambda p: duckdb.connect(str(p)).execute("CREATE TABLE t (a INT)")]):  # fmt: skip
        odd = work / f"odd-{n}.duckdb"
        result = make(odd)
        if hasattr(result, "close"):
            result.close()
        os.environ["COCKPIT_DB"] = str(odd)
        run(["deals"])
    os.environ["COCKPIT_DB"] = str(db)
    for text in csv_files:
        tried += 1
        try:
            parse_concessions(text.encode(), {}, datetime(2026, 11, 25))
            tracebacks += 1  # accepted: not a refusal
        except InvalidInput:
            pass
        except BaseException:  # noqa: BLE001
            tracebacks += 1
    store = Store.open(db)
    after = store.queries.table_counts()
    store.close()
    changed = sum(abs(after[t] - before[t]) for t in before)
    return tried, tracebacks, changed


def attacks(work: Path) -> list[tuple[str, int, int, int]]:
    """The hardening's attacks by class, each tried against a team database with the curated demo:
    [(class, tried, data reached, tracebacks)]. Data reached counts an attack that got a deal's row, a
    signed-in member, a served page or a stored row; a traceback is any exception that is not the
    cockpit's own one-sentence refusal."""
    import json
    from contextlib import redirect_stderr, redirect_stdout
    from io import StringIO

    from core import cli
    from core.access import (
        Identity,
        Person,
        Role,
        local_database_refusal,
        local_reach_refusal,
        signed_in_identity,
    )
    from core.csvio import parse_concessions
    from core.dealfiles import parse_deal_file
    from core.demo import load_curated
    from core.models import InvalidInput
    from core.store import DatabaseProblem, NotAllowed, NotFound

    store = Store.open(work / "attacks.duckdb")
    load_curated(store)
    admin = store.acting_as(Person("ada@example.com", Role.admin))
    for email, role in (
        ("ada@example.com", "admin"),
        ("kim@example.com", "leader"),
        ("lea@example.com", "leader"),
    ):
        admin.add_member(email, role)
    store.sign_in(Identity("kim@example.com", "https://id.example.com", "kim-1"))
    rows: list[tuple[str, int, int, int]] = []

    # A leader's page left open after she was removed, then one after she was demoted.
    lea = store.acting_as(Person("lea@example.com", Role.leader))
    reads = [lea.deals.list_deals, lambda: lea.concessions.concession_log(), lambda: lea.deal_files.export_deal(1), lambda: lea.deals.get_deal(2),
             lambda: lea.queries.pipeline(datetime(2026, 11, 25).date())]  # fmt: skip
    tried = reached = tracebacks = 0
    for step in ("demoted", "removed"):
        if step == "demoted":
            admin.add_member("lea@example.com", "negotiator")
        else:
            admin.remove_member("lea@example.com")
        for read in reads:
            tried += 1
            try:
                got = read()
                reached += bool(len(got) if hasattr(got, "__len__") else got)
            except (NotAllowed, NotFound):
                pass
            except Exception:  # noqa: BLE001
                tracebacks += 1
    rows.append(("access after removal or demotion", tried, reached, tracebacks))

    # Look-alike and unverified identities claiming Kim, a leader.
    claims = [{"email": "\u212aim@example.com"}, {"email": "ｋim@example.com"}, {"email": "KIM@example.com", "sub": "mallory"},
              {"email": "kim@example.com", "email_verified": "true"}, {"email": "kim@example.com", "email_verified": None},
              {"email": "kim@example.com", "iss": ""}, {"email": "k\u0131m@example.com"}, {"email": "kim@example.com", "sub": ""}]  # fmt: skip
    tried = reached = tracebacks = 0
    for extra in claims:
        tried += 1
        full = {
            "iss": "https://id.example.com",
            "sub": "mallory-1",
            "email_verified": True,
        } | extra  # not Kim's account
        try:
            reached += store.sign_in(signed_in_identity(full)) is not None
        except (ValueError, NotAllowed):
            pass
        except Exception:  # noqa: BLE001
            tracebacks += 1
    rows.append(("look-alike or unverified identities", tried, reached, tracebacks))

    # Local mode reached from beyond this computer.
    local = {"Host": "127.0.0.1:8501", "Origin": "http://127.0.0.1:8501"}
    reach = [("", local), ("0.0.0.0", local), ("::", local), ("127.0.0.1", {**local, "X-Forwarded-For": "1.2.3.4"}),
             ("127.0.0.1", {**local, "Forwarded": "for=1.2.3.4"}), ("127.0.0.1", {**local, "X-Real-IP": "1.2.3.4"}),
             ("127.0.0.1", {"Host": "rebound.example.com:8501", "Origin": "http://rebound.example.com:8501"}),
             ("127.0.0.1", {**local, "Origin": "http://localhost:9999"}), ("127.0.0.1", {**local, "Origin": "null"})]  # fmt: skip
    served = sum(local_reach_refusal(address, headers) is None for address, headers in reach)
    shared = [
        "postgresql://app:pw@db.example.com/cockpit",
        "postgres://10.0.0.5/c",
        "postgresql:///c?host=db.example.com",
    ]
    served += sum(local_database_refusal(url) is None for url in shared)
    rows.append(("local mode reached from elsewhere", len(reach) + len(shared), served, 0))

    # Malformed and password-bearing COCKPIT_DB values, through every command that opens the store.
    os.chdir(work)
    urls = ["POSTGRESQL://app:s3cret@127.0.0.1:1/c", "postgresql+psycopg://app:s3cret@127.0.0.1/c",
            "host=127.0.0.1 password=s3cret", "postgresql://app:s3cret@127.0.0.1/c?foo=bar",
            "postgresql://app:s3cret@127.0.0.1:99999/c", "postgresql://app:s3cret@[::1:5432/c"]  # fmt: skip
    tried = reached = tracebacks = 0
    for url in urls:
        os.environ["COCKPIT_DB"] = url
        for argv in (["deals"], ["export-deal", "1"], ["member", "list"], ["copy", "--to", "x.duckdb"]):
            tried += 1
            out, err = StringIO(), StringIO()
            try:
                with redirect_stdout(out), redirect_stderr(err):
                    code = cli.main(argv)
                reached += code == 0 or "s3cret" in out.getvalue() + err.getvalue()
            except BaseException:  # noqa: BLE001
                tracebacks += 1
    reached += sum(1 for p in work.iterdir() if "s3cret" in p.name or p.name.startswith("host="))
    os.environ.pop("COCKPIT_DB", None)
    rows.append(("malformed or password-bearing database URLs", tried, reached, tracebacks))

    # Dates nobody means, in CSV lines and deal files.
    header = "Item,You give,You get,Value to you,Value to them,Trigger/contingency,Logged at"
    demo = json.loads(store.deal_files.export_deal(1).model_dump_json())
    tried = reached = tracebacks = 0
    for moment in (
        "9999-12-31T23:59:59-05:00",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31 10:00",
        "0001-01-01",
    ):
        tried += 1
        try:
            parse_concessions(f"{header}\nx,,,0,0,,{moment}\n".encode(), {}, datetime(2026, 11, 25))
            reached += 1
        except InvalidInput:
            pass
        except Exception:  # noqa: BLE001
            tracebacks += 1
    for day in ("9999-12-31", "0001-01-01", "1899-12-31"):
        tried += 1
        try:
            parse_deal_file(
                json.dumps({**demo, "deal": {**demo["deal"], "deadline": day}}).encode(), "x.json"
            )
            reached += 1
        except InvalidInput:
            pass
        except Exception:  # noqa: BLE001
            tracebacks += 1
    rows.append(("dates nobody means", tried, reached, tracebacks))

    # Oversized files: a 200,000-column header, millions of short rows, thousands of MESO bundles.
    short = "Item,You give,You get,Value to you,Value to them,Trigger/contingency"
    bundle = demo["meso_bundles"][0] if demo["meso_bundles"] else {"name": "B", "round": 1, "terms": []}
    oversized = [
        lambda: parse_concessions((short + "," + ",".join(f"c{n}" for n in range(200_000)) + "\nx,,,0,0,\n").encode(),
                                  {}, datetime(2026, 11, 25)),
        lambda: parse_concessions((short + "\n" + "1\n" * 5_000_000).encode(), {}, datetime(2026, 11, 25)),
        lambda: parse_deal_file(json.dumps({**demo, "meso_bundles": [dict(bundle, id=n, name=f"B{n}") for n in range(6000)]}).encode(), "x.json"),
    ]  # fmt: skip
    tried = reached = tracebacks = 0
    for attempt in oversized:
        tried += 1
        try:
            attempt()
            reached += 1
        except (InvalidInput, DatabaseProblem):
            pass
        except Exception:  # noqa: BLE001
            tracebacks += 1
    rows.append(("oversized files", tried, reached, tracebacks))
    store.close()
    return rows
