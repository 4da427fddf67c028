"""`python -m data_layer --db PATH COMMAND ...`: set-up, demo data, imports, exports, accounts.

Messages are English (the command line keeps stable English words); every refusal
is one clear line, never a stack trace.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path

from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import DatabaseBusyError, JesrError, ValidationError
from data_layer.core.i18n import t
from data_layer.ops.bootstrap import open_database
from data_layer.store.database import Database, database_path_from_env

LANG = "en"
# `export --as-observer`: the ministry's view of the data, for checking what observers receive.
OBSERVER_EXPORT = Actor(user_id=None, username="cli-observer", role="observer")


def describe_error(exc: JesrError) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{t('field.' + e.field, LANG)}: {t(e.code, LANG, **e.params)}" for e in exc.errors)
    return t(exc.code, LANG, **exc.params)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data_layer", description="Jesr data layer commands")
    parser.add_argument(
        "--db", default=database_path_from_env(), help="database file (default: $JESR_DB or data/jesr.duckdb)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    init = sub.add_parser("init", help="create the database and apply migrations")
    init.add_argument(
        "--demo-if-new",
        type=int,
        metavar="N",
        default=None,
        help="if the database is new, fill it with N demo households and the demo accounts",
    )

    demo = sub.add_parser("demo", help="fill an empty database with demo data and demo accounts")
    demo.add_argument("--households", type=int, default=2000)
    demo.add_argument("--seed", type=int, default=2020)

    imp = sub.add_parser("import", help="import households, donations or volunteers from CSV or XLSX")
    imp.add_argument("kind", choices=["households", "donations", "volunteers"])
    imp.add_argument("file")
    imp.add_argument("--org", help="code of the organisation the rows belong to")
    imp.add_argument(
        "--skip-invalid", action="store_true", help="import the valid rows and write the rejected ones beside the input"
    )

    exp = sub.add_parser("export", help="export a table as CSV or XLSX")
    exp.add_argument("kind")
    exp.add_argument(
        "--format",
        choices=["csv", "xlsx", "hxl"],
        default="csv",
        help="hxl: CSV with HXL hashtags under the header (aggregate tables such as coverage)",
    )
    exp.add_argument(
        "--as-observer",
        action="store_true",
        help="export what a ministry observer sees: aggregates only, counts under 5 as <5",
    )
    exp.add_argument("-o", "--output", required=True)

    allocate = sub.add_parser("allocate", help="propose (or with --apply, save) the suggested allocation")
    allocate.add_argument("--governorate", help="ISO code, e.g. TN-61 (default: every governorate)")
    allocate.add_argument("--category", help="category code, e.g. food (default: every category)")
    allocate.add_argument("--apply", action="store_true", help="save the proposal instead of only showing it")
    allocate.add_argument(
        "--compare-fcfs", action="store_true", help="also report what first-come-first-served would cover"
    )

    users = sub.add_parser("users", help="manage accounts")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["admin", "organiser", "association", "observer", "volunteer"])
    add.add_argument("--full-name", required=True)
    add.add_argument("--org", help="organisation code (required for association staff)")
    add.add_argument("--password", help="the password (asked for if omitted)")
    passwd = users_sub.add_parser("passwd", help="set a new password")
    passwd.add_argument("username")
    passwd.add_argument("--password", help="the new password (asked for if omitted)")
    users_sub.add_parser("list", help="list accounts")

    anon = sub.add_parser("anonymise", help="replace personal fields of people inactive before a date")
    anon.add_argument("--before", required=True, help="last activity older than this date (YYYY-MM-DD)")
    anon.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    backup = sub.add_parser("backup", help="export the whole database to a new directory (Parquet)")
    backup.add_argument("directory")
    restore = sub.add_parser("restore", help="rebuild the database file from a backup directory")
    restore.add_argument("directory")
    restore.add_argument("--force", action="store_true", help="replace a database that already holds data")

    facts = sub.add_parser("facts", help="check the dashboard facts against the base tables, or rebuild them")
    facts.add_argument("--rebuild", action="store_true", help="recompute every fact row (after hand-made SQL)")
    return parser


def _ask_password(given: str | None) -> str:
    if given:
        return given
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("The two passwords differ; nothing was changed.")
    return first


def _org_id(db: Database, code: str | None) -> int | None:
    from data_layer.registry.organisations import get_organisation_id

    if not code:
        return None
    org_id = get_organisation_id(db, code)
    if org_id is None:
        raise JesrError("error.unknown_organisation", value=code)
    return org_id


def run(args: argparse.Namespace) -> int:
    if args.command == "restore":
        # Restore builds the file itself: opening it here would lock it and create a schema first.
        from data_layer.ops.backup import restore_database

        summary = restore_database(args.db, args.directory, force=args.force)
        print(f"Restored {summary.rows} rows in {summary.tables} tables from {args.directory} into {args.db}.")
        return 0
    is_new = not Path(args.db).exists()
    db = open_database(args.db)
    try:
        return dispatch(db, args, is_new)
    finally:
        db.close()


def dispatch(db: Database, args: argparse.Namespace, is_new: bool) -> int:
    if args.command == "init":
        from data_layer.ops.demo import generate_demo

        if is_new and args.demo_if_new:
            started = time.perf_counter()
            summary = generate_demo(db, households=args.demo_if_new)
            print(
                f"Created {db.path} with demo data: {summary.households} households, {summary.donations} "
                f"donations, {summary.volunteers} volunteers ({time.perf_counter() - started:.1f} s)."
            )
        else:
            print(f"Database {db.path} is up to date.")
        return 0
    if args.command == "demo":
        from data_layer.ops.demo import DemoRefused, generate_demo

        started = time.perf_counter()
        try:
            summary = generate_demo(db, households=args.households, seed=args.seed)
        except DemoRefused as exc:
            print(f"Refused: {exc}.", file=sys.stderr)
            return 1
        db.conn.execute("CHECKPOINT")
        size = Path(db.path).stat().st_size / 1e6
        print(
            f"Demo data: {summary.households} households, {summary.needs} needs, {summary.donations} donations, "
            f"{summary.volunteers} volunteers, {summary.users} accounts in {time.perf_counter() - started:.1f} s; "
            f"file {size:.1f} MB."
        )
        return 0
    if args.command == "import":
        from data_layer.registry.imports import import_file

        report = import_file(
            db, SYSTEM, args.kind, args.file, organisation_id=_org_id(db, args.org), skip_invalid=args.skip_invalid
        )
        for error in report.errors:
            print(f"line {error.row}: {error.field}: {t(error.code, LANG, **error.params)}", file=sys.stderr)
        if report.rejected_rows is not None and args.skip_invalid:
            rejected_path = Path(args.file).with_suffix(".rejected.csv")
            report.rejected_rows.to_csv(rejected_path, index=False, encoding="utf-8-sig")
            print(f"{report.rejected_count} rejected rows written to {rejected_path}", file=sys.stderr)
        if report.errors and not args.skip_invalid:
            print(
                f"Nothing imported: {report.rejected_count} of {report.total_rows} rows are invalid "
                f"(fix them, or use --skip-invalid).",
                file=sys.stderr,
            )
        print(f"Imported {report.imported} of {report.total_rows} {args.kind}.")
        return 0 if report.imported > 0 else 1
    if args.command == "export":
        from data_layer.monitoring.exports import export_to_file

        actor = OBSERVER_EXPORT if args.as_observer else SYSTEM
        rows = export_to_file(db, actor, args.kind, args.format, args.output)
        print(f"Wrote {rows} rows to {args.output}.")
        return 0
    if args.command == "users":
        from data_layer.access.accounts import change_password, create_user, list_users

        if args.users_command == "add":
            create_user(
                db,
                SYSTEM,
                {
                    "username": args.username,
                    "full_name": args.full_name,
                    "role": args.role,
                    "organisation_id": _org_id(db, args.org),
                    "password": _ask_password(args.password),
                },
            )
            print(f"Account {args.username} created.")
        elif args.users_command == "passwd":
            change_password(db, SYSTEM, args.username, _ask_password(args.password))
            print(f"Password of {args.username} changed; its open sessions have ended.")
        else:
            print(list_users(db).to_string(index=False))
        return 0
    if args.command == "anonymise":
        from data_layer.ops.anonymise import run_anonymise_command

        return run_anonymise_command(db, args.before, assume_yes=args.yes)
    if args.command == "backup":
        from data_layer.ops.backup import backup_database

        summary = backup_database(db, args.directory)
        print(f"Backed up {summary.rows} rows in {summary.tables} tables to {summary.directory}.")
        return 0
    if args.command == "allocate":
        from data_layer.distribution.allocation import print_allocation

        return print_allocation(db, SYSTEM, args)
    if args.command == "facts":
        from data_layer.monitoring.facts import run_facts_command

        return run_facts_command(db, rebuild=args.rebuild)
    return extra_command(db, args)


def extra_command(db: Database, args: argparse.Namespace) -> int:
    print(f"Unknown command {args.command}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except DatabaseBusyError:
        print(
            f"The database {args.db} is open in another process (probably the running app): stop it, or "
            f"use the Import page of the app instead.",
            file=sys.stderr,
        )
        return 3
    except JesrError as exc:
        print(f"Refused: {describe_error(exc)}", file=sys.stderr)
        return 1
