"""The `cockpit` command: demo data, deal listing, and one deal in or out as JSON.

Every failure a user can cause prints one plain sentence on stderr and exits non-zero; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tomllib
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from . import demo
from .access import Part, Role
from .audit import access_log_table
from .csvio import check_size, frame_to_csv, parse_concessions
from .dealfiles import read_deal_file
from .errors import CockpitError
from .models import InvalidInput
from .settings import PROJECT_ROOT, settings
from .store import (
    DatabaseBusy,
    DatabaseProblem,
    DatabaseUnreachable,
    Store,
    database_location,
    now,
)
from .store.copying import TargetNotEmpty, backup_cockpit, copy_cockpit, opened_backup, restore_cockpit
from .store.errors import masked

EXIT_INVALID = 2
EXIT_BUSY = 3
LOG_PART_LINES = 25_000  # lines per part of an export of every deal's log: its memory stays flat however long


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("deal-cockpit")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


Commands = argparse._SubParsersAction  # where each group below adds its commands


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cockpit",
        description="Deal Cockpit on the command line. "
        "The database is COCKPIT_DB: a DuckDB file (default data/cockpit.duckdb) or a postgresql:// URL.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", required=True)
    _health_command(sub)
    _deal_commands(sub)
    _team_commands(sub)
    _operations_commands(sub)
    return p


def _health_command(sub: Commands) -> None:
    ch = sub.add_parser(
        "check",
        help="is this cockpit ready to serve: the database answers, its schema is current, and (with --secrets) "
        "sign-in is configured; exit 0, or one sentence and a non-zero code (for health checks)",
    )
    ch.set_defaults(run=_check)
    ch.add_argument(
        "--secrets", type=Path, metavar="FILE", help="the secrets file of team mode (.streamlit/secrets.toml)"
    )
    ch.add_argument(
        "--integrity",
        action="store_true",
        help="also read every row against the database's integrity rules (reads every table: not for a "
        "health check every few seconds)",
    )


def _deal_commands(sub: Commands) -> None:
    """Deals and their contents: the demo, lists, files in and out, the documents."""
    d = sub.add_parser(
        "demo", help="fill the database: the curated pipeline, or a synthetic one with --deals"
    )
    d.set_defaults(run=_demo)
    d.add_argument("--deals", type=int, help="number of synthetic deals (curated set when omitted)")
    d.add_argument("--concessions-per-deal", type=int, default=50)
    d.add_argument("--seed", type=int, default=7)

    sub.add_parser("deals", help="list deals as CSV: id, name, counterparty, context, stage").set_defaults(
        run=_deals
    )

    e = sub.add_parser("export-deal", help="write one deal with everything it owns as JSON")
    e.set_defaults(run=_export_deal)
    e.add_argument("deal", type=int, metavar="ID")
    e.add_argument("-o", "--output", type=Path, help="file to write (stdout when omitted)")

    stx = sub.add_parser(
        "single-text",
        help="write a deal's single text (every clause, the versions; as PDF also the commitments and the "
        "escalation path) as Markdown or PDF: public content only, to send to the other side",
    )
    stx.set_defaults(run=_single_text)
    stx.add_argument("deal", type=int, metavar="ID")
    stx.add_argument(
        "-o", "--output", type=Path, help="a .md or .pdf file to write (Markdown on stdout when omitted)"
    )

    br = sub.add_parser(
        "brief",
        help="write a deal's one-page sponsor brief as PDF (private: our limits, mandate and leverage)",
    )
    br.set_defaults(run=_brief)
    br.add_argument("deal", type=int, metavar="ID")
    br.add_argument("-o", "--output", type=Path, required=True, help="the .pdf file to write")

    i = sub.add_parser("import-deal", help="add a deal from a JSON file written by export-deal")
    i.set_defaults(run=_import_deal)
    i.add_argument("file", type=Path)

    ec = sub.add_parser(
        "export-concessions", help="write the concession log as CSV (every deal without --deal)"
    )
    ec.set_defaults(run=_export_concessions)
    ec.add_argument("--deal", type=int, metavar="ID")
    ec.add_argument("-o", "--output", type=Path, help="file to write (stdout when omitted)")
    ec.add_argument("--decimal-comma", action="store_true",
                    help="';' between cells and 1500,5 for decimals, as Excel saves CSV in much of Europe")  # fmt: skip

    ic = sub.add_parser("import-concessions", help="append concession lines from a CSV to one deal")
    ic.set_defaults(run=_import_concessions)
    ic.add_argument("file", type=Path)
    ic.add_argument("--deal", type=int, metavar="ID", required=True)


def _team_commands(sub: Commands) -> None:
    # Team use. The command acts as the one local user (whoever can open the database file can read it
    # whole), so an admin sets a team up here before anyone signs in.
    m = sub.add_parser("member", help="team members: add (or change a role), list, remove")
    m.set_defaults(run=_member)
    msub = m.add_subparsers(dest="member_command", required=True)
    ma = msub.add_parser(
        "add", help="add a member, or change a member's role (the first member is made admin)"
    )
    ma.add_argument("email")
    ma.add_argument("--role", required=True, choices=[r.value for r in Role])
    msub.add_parser("list", help="list members as CSV: email, role, added_at, added_by")
    mr = msub.add_parser("remove", help="remove a member: they can no longer sign in; their history stays")
    mr.add_argument("email")
    mr.add_argument("--reassign-to", metavar="EMAIL", help="the member who takes over the deals they own")

    pe = sub.add_parser("person", help="a person's data, for data-protection requests: export or erase")
    pe.set_defaults(run=_person)
    psub = pe.add_subparsers(dest="person_command", required=True)
    px = psub.add_parser("export", help="everything the cockpit holds that names this e-mail, as JSON")
    px.add_argument("email")
    px.add_argument("-o", "--output", type=Path)
    pr = psub.add_parser(
        "erase", help="replace a former member's e-mail everywhere with a pseudonym (remove them first)"
    )
    pr.add_argument("email")
    pr.add_argument("--yes", action="store_true", help="erase without asking (it cannot be undone)")

    sh = sub.add_parser("share", help="name a member on a deal (as team, owner or sponsor)")
    sh.set_defaults(run=_share)
    sh.add_argument("deal", type=int, metavar="DEAL_ID")
    sh.add_argument("email")
    sh.add_argument("--as", dest="part", default=Part.team.value, choices=[p.value for p in Part])
    un = sub.add_parser("unshare", help="take a member off a deal")
    un.set_defaults(run=_unshare)
    un.add_argument("deal", type=int, metavar="DEAL_ID")
    un.add_argument("email")


def _operations_commands(sub: Commands) -> None:
    """Running a cockpit: the PostgreSQL grant, copies between engines, serving, the access log, backups."""
    g = sub.add_parser(
        "grant",
        help="PostgreSQL, as the tables' owner: make or upgrade the schema and let the app servers' login ROLE "
        "use the cockpit (rows only; row-level security binds it to each person's deals). Run after each upgrade",
    )
    g.set_defaults(run=_grant)
    g.add_argument("role")

    # Moving a cockpit between engines: a pilot's file to the team's PostgreSQL (or back, or to a backup file).
    c = sub.add_parser(
        "copy",
        help="copy the whole cockpit (every deal, line, assessment, bundle, member and history row) into an "
        "empty database, or from one: a DuckDB file or a postgresql:// URL",
    )
    c.set_defaults(run=_copy)
    where = c.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", metavar="FILE_OR_URL", help="copy COCKPIT_DB into this empty database")
    where.add_argument(
        "--from", dest="source", metavar="FILE_OR_URL", help="copy this database into COCKPIT_DB"
    )

    sv = sub.add_parser(
        "serve",
        help="run the app with production settings (headless, no file watcher, no error details in the browser): "
        "the one command a systemd unit or a container runs. It checks the database (and sign-in, with "
        "--secrets) first and does not start when something is wrong",
    )
    sv.set_defaults(run=_serve)
    sv.add_argument("--address", default=None,
                    help="the address to listen on (COCKPIT_ADDRESS; default 127.0.0.1). Anything but loopback "
                    "needs --secrets: local mode has no sign-in")  # fmt: skip
    sv.add_argument("--port", type=int, default=None, help="the port (COCKPIT_PORT; default 8501)")
    sv.add_argument("--secrets", type=Path, default=None, metavar="FILE",
                    help="team mode: the secrets file with [auth] (COCKPIT_SECRETS)")  # fmt: skip
    sv.add_argument("--allowed-host", action="append", default=[], metavar="HOST",
                    help="a host name the browser uses to reach the cockpit (behind a proxy: its public name); "
                    "repeat for several (COCKPIT_ALLOWED_HOSTS, space-separated)")  # fmt: skip

    al = sub.add_parser(
        "access-log",
        help="who saw or took what (sign-ins, downloads, exports, backups, restores), newest first, as CSV",
    )
    al.set_defaults(run=_access_log)
    al.add_argument("--person", metavar="EMAIL")
    al.add_argument("--deal", type=int, metavar="ID")
    al.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="from this day on (UTC)")

    b = sub.add_parser(
        "backup",
        help="a consistent snapshot of COCKPIT_DB (either engine) into a new DuckDB file only you may read "
        "(mode 0600); never overwrites a file",
    )
    b.set_defaults(run=_backup)
    b.add_argument("file", type=Path)
    r = sub.add_parser(
        "restore",
        help="put a backup's rows into COCKPIT_DB, all or nothing, counts printed and checked; a database that "
        "holds rows is replaced only with --replace (on PostgreSQL, run as the tables' owner)",
    )
    r.set_defaults(run=_restore)
    r.add_argument("file", type=Path)
    r.add_argument(
        "--replace", action="store_true", help="remove every row COCKPIT_DB holds, in the same step"
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (DatabaseBusy, DatabaseUnreachable) as exc:  # try again later
        _say(str(exc))
        return EXIT_BUSY
    except DatabaseProblem as exc:
        _say(str(exc))
        return EXIT_INVALID
    except InvalidInput as exc:
        _say("\n  ".join(["nothing was changed:", *exc.problems]))
        return EXIT_INVALID
    except CockpitError as exc:  # not found, not allowed, a conflict: its own sentence
        _say(str(exc))
        return EXIT_INVALID
    except OSError as exc:  # an unreadable file, a full disk: say which, never a traceback
        _say(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        return EXIT_INVALID


def _say(problem: str) -> None:
    """An error on stderr, in one place: whatever it quotes, no password is printed."""
    print(f"cockpit: {masked(problem)}", file=sys.stderr)


def _open() -> Store:
    """The database, waiting up to COCKPIT_WAIT seconds if another program (the app) holds it."""
    return Store.open(wait=settings().wait)


def _check(args: argparse.Namespace) -> int:
    from .health import check

    health = check(database_location(), args.secrets, integrity=args.integrity)
    (print if health.ok else _say)(health.said)
    return 0 if health.ok else EXIT_INVALID


def _import_deal(args: argparse.Namespace) -> int:
    deal_file = read_deal_file(args.file)  # validate before opening the database
    done = _open().deal_files.import_deal(deal_file)
    print(f"imported '{deal_file.deal.name}' as deal {done.deal_id}")
    if done.joined_existing:
        added = ", ".join(done.added_stakeholders) or "no new stakeholders"
        told = ", ".join(map(str, done.deals_told)) or "none"
        print(f"counterparty '{done.counterparty}' already existed: the deal joins it; its map gained {added}"
              + (f" (recorded in the history of deals {told})" if done.added_stakeholders else ""))  # fmt: skip
    return 0


def _import_concessions(args: argparse.Namespace) -> int:
    try:
        check_size(args.file.stat().st_size)  # before the file is read into memory
    except OSError:
        pass  # reading it names the problem
    data = _read_bytes(args.file)
    store = _open()
    items = parse_concessions(data, store.preparation.issue_ids(args.deal), now())
    count = store.concessions.import_concessions(args.deal, items)
    print(f"imported {count} concession lines into deal {args.deal}")
    return 0


def _grant(args: argparse.Namespace) -> int:
    store = _open()
    store.grant(args.role)
    print(f"{args.role} may now use the cockpit at {masked(store.location)} (rows only, under its "
          "row-level policies)")  # fmt: skip
    return 0


def _export_concessions(args: argparse.Namespace) -> int:
    store = _open()
    if args.deal is not None:
        store.deals.get_deal(args.deal)  # an unknown deal is an error, not an empty file
        parts: Iterable[pd.DataFrame] = [store.concessions.concession_log(args.deal)]
    else:  # every deal: written part by part, so a long pipeline's log is never held whole in memory
        parts = store.concessions.concession_log_in_parts(LOG_PART_LINES)
    # A file is written beside its name and put in place once whole: a failure never leaves half a log.
    partial = args.output.with_name(f".{args.output.name}.partial") if args.output else None
    out = partial.open("wb") if partial else sys.stdout.buffer
    lines = 0
    try:
        for n, part in enumerate(parts):
            data = frame_to_csv(part, bom=n == 0, decimal_comma=args.decimal_comma)
            out.write(data if n == 0 else data.split(b"\r\n", 1)[1])  # one header, at the top
            lines += len(part)
        if partial:
            out.close()
            partial.replace(args.output)
    finally:
        if partial:
            out.close()
            partial.unlink(missing_ok=True)
    store.record_access("exported", f"Concession log (CSV, {lines} lines)", args.deal)
    if args.output:
        print(f"wrote {lines} concession lines to {args.output}", file=sys.stderr)
    return 0


def _demo(args: argparse.Namespace) -> int:
    if args.deals is not None and (args.deals < 1 or args.concessions_per_deal < 0):
        raise InvalidInput(["--deals must be at least 1 and --concessions-per-deal at least 0"])
    store = _open()
    started = time.perf_counter()
    if args.deals is None:
        ids = demo.load_curated(store)
        print(f"added {len(ids)} curated deals to {masked(database_location())}")
        return 0
    counts = demo.load_synthetic(store, args.deals, args.concessions_per_deal, args.seed)
    print(
        f"added {counts.get('deal', 0)} synthetic deals and {counts.get('concession', 0)} "
        f"concessions in {time.perf_counter() - started:.1f} s"
    )
    return 0


def _deals(args: argparse.Namespace) -> int:
    deals = _open().deals.list_deals()[["id", "name", "counterparty", "context", "stage"]]
    sys.stdout.buffer.write(frame_to_csv(deals, bom=False))
    return 0


def _export_deal(args: argparse.Namespace) -> int:
    store = _open()
    text = store.deal_files.export_deal(args.deal).model_dump_json(indent=2) + "\n"
    store.record_access("exported", "Deal file (JSON)", args.deal)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote deal {args.deal} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _single_text(args: argparse.Namespace) -> int:
    from .single_text import markdown

    kind = args.output.suffix.lower() if args.output else ".md"
    if kind not in (".md", ".pdf"):
        raise InvalidInput(
            [f"Output: '{args.output.name}' — the single text is written as Markdown (.md) or PDF (.pdf)"]
        )
    store = _open()
    if kind == ".pdf":
        from .documents import single_text_pdf

        _write_pdf(args.output, single_text_pdf(store, args.deal, now().date()))
        store.record_access("exported", "Single text (PDF)", args.deal)
        print(f"wrote the single text of deal {args.deal} to {args.output}", file=sys.stderr)
        return 0
    text = store.single_texts.get_single_text(args.deal)
    if text is None:
        raise InvalidInput(
            [f"Deal {args.deal}: it has no single text yet; start it on the Single text screen"]
        )
    deal = store.deals.get_deal(args.deal)
    document = markdown(
        deal,
        store.deals.get_counterparty(deal.counterparty_id).name,
        text,
        store.preparation.list_issues(args.deal),
    )
    store.record_access("exported", "Single text (Markdown)", args.deal)
    if args.output:
        args.output.write_text(document, encoding="utf-8")
        print(
            f"wrote the single text of deal {args.deal} (version {text.latest.number}) to {args.output}",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(document)
    return 0


def _brief(args: argparse.Namespace) -> int:
    from .documents import sponsor_brief_pdf

    if args.output.suffix.lower() != ".pdf":
        raise InvalidInput(
            [f"Output: '{args.output.name}' — the sponsor brief is written as PDF, to a .pdf file"]
        )
    store = _open()
    _write_pdf(args.output, sponsor_brief_pdf(store, args.deal, now()))
    store.record_access("exported", "Sponsor brief (PDF)", args.deal)
    print(f"wrote the sponsor brief of deal {args.deal} to {args.output} (private: keep it from the other side)",
          file=sys.stderr)  # fmt: skip
    return 0


def _write_pdf(path: Path, data: bytes) -> None:
    """A PDF written whole: to a temporary file beside it, then renamed, so a failure leaves no half file.
    The brief holds our limits: readable by its owner only (0600), like a backup."""
    part = path.with_name(path.name + ".part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _share(args: argparse.Namespace) -> int:
    _open().share_deal(args.deal, args.email, args.part)
    print(f"{args.email.strip().lower()} is on deal {args.deal} as {args.part}")
    return 0


def _unshare(args: argparse.Namespace) -> int:
    _open().unshare_deal(args.deal, args.email)
    print(f"{args.email.strip().lower()} is no longer on deal {args.deal}")
    return 0


def _person(args: argparse.Namespace) -> int:
    from .store.people import erase_person, person_record

    store = _open()
    if args.person_command == "export":
        record = person_record(store, args.email)
        text = json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n"
        store.record_access("exported", f"Everything held about {record['person']} (JSON)")
        if args.output:
            args.output.write_text(text, encoding="utf-8")
            rows = sum(len(r) for r in record["rows"].values())
            print(f"wrote {rows} rows naming {record['person']} to {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise InvalidInput(["person erase: it cannot be undone; add --yes to erase without a question"])
        answer = input(f"Replace {args.email} everywhere with a pseudonym? This cannot be undone. Type yes: ")
        if answer.strip().casefold() != "yes":
            print("nothing was changed", file=sys.stderr)
            return EXIT_INVALID
    try:
        pseudonym, changed = erase_person(store, args.email)
    except Exception as exc:
        if getattr(exc, "sqlstate", None) != "42501":  # insufficient privilege: not the tables' owner
            raise
        raise InvalidInput(["person erase: only the tables' owner may change history and the access log: run it "
                            "with COCKPIT_DB set to the owner's login"]) from None  # fmt: skip
    _counted(changed)
    print(f"{args.email.strip()} is now {pseudonym} in {sum(changed.values()):,} rows of {len(changed)} tables; "
          "the erasure is in the team's history")  # fmt: skip
    return 0


def _member(args: argparse.Namespace) -> int:
    store = _open()
    if args.member_command == "add":
        first = not store.has_members()
        member = store.add_member(args.email, args.role)
        made = " (the first member is made admin)" if first and args.role != member.role else ""
        print(f"{member.email} is a member as {member.role.value}{made}")
    elif args.member_command == "list":
        frame = pd.DataFrame(
            [m.model_dump(include={"email", "role", "added_at", "added_by"}) for m in store.list_members()],
            columns=["email", "role", "added_at", "added_by"],
        )
        sys.stdout.buffer.write(frame_to_csv(frame, bom=False))
    else:
        store.remove_member(args.email, args.reassign_to)
        heir = (
            f"; the deals they owned are now {args.reassign_to.strip().lower()}'s" if args.reassign_to else ""
        )
        print(f"{args.email.strip().lower()} can no longer sign in; their history stays{heir}")
    return 0


def _copy(args: argparse.Namespace) -> int:
    here = database_location()
    source_at, target_at = (here, args.to) if args.to is not None else (args.source, here)
    if _same_database(source_at, target_at):
        raise InvalidInput([f"copy: the source and the target are the same database ({masked(here)})"])
    wait = settings().wait
    source = Store.open(source_at, wait=wait)
    target = Store.open(target_at, wait=wait)
    started = time.perf_counter()
    counts = copy_cockpit(source, target)
    for table, rows in counts.items():
        print(f"{table:<18} {rows:>10,}")
    print(f"copied {sum(counts.values()):,} rows in {len(counts)} tables from {masked(source.location)} "
          f"to {masked(target.location)} in {time.perf_counter() - started:.1f} s; "
          "the counts are equal on both sides")  # fmt: skip
    return 0


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def _config_flags(set_already: set[str]) -> list[str]:
    """The cockpit's .streamlit/config.toml as command-line flags: Streamlit reads that file only from the
    folder it starts in, and a server started from anywhere (a systemd unit, an installed wheel) must run with
    it, without moving into another folder (relative paths in COCKPIT_DB and --secrets keep their meaning)."""
    with (PROJECT_ROOT / ".streamlit" / "config.toml").open("rb") as file:
        config = tomllib.load(file)
    flags = []
    for section, options in config.items():
        for name, value in options.items():
            if f"--{section}.{name}" in set_already:
                continue  # serve's own production value, or its flags' and environment's
            for one in value if isinstance(value, list) else [value]:
                flags += [f"--{section}.{name}", str(one).lower() if isinstance(one, bool) else str(one)]
    return flags


def serve_command(args: argparse.Namespace) -> list[str]:
    """The `streamlit run` command line `cockpit serve` runs, or InvalidInput naming what is wrong."""
    config = settings()
    address = args.address if args.address is not None else config.address
    port = args.port if args.port is not None else config.port
    secrets = args.secrets or config.secrets
    if not 1 <= port <= 65535:
        raise InvalidInput([f"--port: {port} is not a port (1 to 65535)"])
    if secrets is None and address.strip("[]") not in LOOPBACK_NAMES:
        raise InvalidInput([f"--address: {address} would serve every deal without sign-in to other computers; local "
                            "mode listens on 127.0.0.1 only. For a team, give --secrets FILE with an [auth] section"])  # fmt: skip
    hosts = [*LOOPBACK_NAMES, *config.allowed_hosts, *args.allowed_host]
    command = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py"),
               "--server.address", address, "--server.port", str(port), "--server.headless", "true",
               "--server.fileWatcherType", "none", "--server.runOnSave", "false", "--client.showErrorDetails", "none",
               "--client.toolbarMode", "viewer", "--browser.gatherUsageStats", "false"]  # fmt: skip
    for host in dict.fromkeys(hosts):
        command += ["--server.allowedHosts", host]
    if secrets is not None:
        command += ["--secrets.files", str(secrets.resolve())]
    return command + _config_flags({part for part in command if part.startswith("--")})


def _serve(args: argparse.Namespace) -> int:
    from .health import check, sign_in_problem
    from .store.backends import is_postgres

    command = serve_command(args)
    secrets = args.secrets or settings().secrets
    location = database_location()
    # Fail closed: a database that does not answer or is not current, or sign-in that is not configured,
    # stops here, not at a visitor's first page. (A DuckDB file not made yet is made at the first page.)
    if is_postgres(location) or Path(location).exists():
        problem = None if (health := check(location, secrets)).ok else health.said
    else:
        said = sign_in_problem(Path(secrets)) if secrets else None
        problem = f"Sign-in is not configured: {said}." if said else None
    if problem:
        _say(f"not started: {problem}")
        return EXIT_INVALID
    print(f"serving the cockpit on http://{command[command.index('--server.address') + 1]}:"
          f"{command[command.index('--server.port') + 1]} ({'team mode' if secrets else 'local mode'})", flush=True)  # fmt: skip
    os.execv(command[0], command)
    return 0  # not reached: the process is now the server


def _day(text: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a day written YYYY-MM-DD") from None


def _access_log(args: argparse.Namespace) -> int:
    log = _open().access_log(person=args.person, deal_id=args.deal, since=args.since)
    sys.stdout.buffer.write(frame_to_csv(access_log_table(log), bom=False))
    return 0


def _counted(counts: dict[str, int]) -> None:
    for table, rows in counts.items():
        print(f"{table:<18} {rows:>10,}")


def _backup(args: argparse.Namespace) -> int:
    source = _open()
    started = time.perf_counter()
    counts = backup_cockpit(source, args.file)
    source.record_access("backed_up", f"Backup to {args.file}")
    _counted(counts)
    print(f"backed up {sum(counts.values()):,} rows in {len(counts)} tables from {masked(source.location)} to "
          f"{args.file} (readable only by you) in {time.perf_counter() - started:.1f} s; the counts are equal "
          "on both sides")  # fmt: skip
    return 0


def _restore(args: argparse.Namespace) -> int:
    location = database_location()
    with opened_backup(args.file) as backup:
        started = time.perf_counter()
        try:
            where, counts = restore_cockpit(backup, location, args.replace, wait=settings().wait)
        except TargetNotEmpty as exc:
            raise InvalidInput([f"restore: {masked(location)} already holds {exc.rows:,} rows. Add --replace to "
                                "replace them all with the backup's"]) from None  # fmt: skip
        except Exception as exc:
            if getattr(exc, "sqlstate", None) != "42501":  # insufficient privilege: not the tables' owner
                raise
            raise InvalidInput(["restore: only the tables' owner may replace every row (history and members "
                                "included): run it with COCKPIT_DB set to the owner's login"]) from None  # fmt: skip
    restored = Store.open(location)
    restored.record_access("restored", f"Restored from {args.file} ({sum(counts.values()):,} rows)")
    restored.close()
    _counted(counts)
    print(f"restored {sum(counts.values()):,} rows in {len(counts)} tables from {args.file} into {masked(where)} "
          f"in {time.perf_counter() - started:.1f} s; the counts are equal on both sides"
          + ("; running app servers show the restored deals at their next refresh" if "://" in where else ""))  # fmt: skip
    return 0


def _same_database(a: str, b: str) -> bool:
    from .store.backends import checked_location, is_postgres

    a, b = str(checked_location(a)), str(checked_location(b))
    if is_postgres(a) or is_postgres(b):
        return a == b
    return Path(a).resolve() == Path(b).resolve()


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput([f"{path}: cannot read the file ({exc.strerror})"]) from None


if __name__ == "__main__":
    sys.exit(main())
