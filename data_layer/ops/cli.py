"""`python -m data_layer --db PATH COMMAND ...`: set-up, demo data, imports, exports, accounts,
organisations, campaigns and the operator's health probe.

Messages are English (the command line keeps stable English words); every refusal
is one clear line, never a stack trace.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time

from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import DatabaseBusyError, JesrError, ValidationError
from data_layer.core.i18n import t
from data_layer.ops import audit_cli, fairness_cli, notify_cli
from data_layer.ops.bootstrap import open_database
from data_layer.store.database import (
    DRIVER_ERRORS,
    Database,
    database_exists,
    database_path_from_env,
    display_name,
)
from data_layer.store.errors import DatabaseUnreachable

LANG = "en"
# `export --as-observer`: the ministry's view of the data, for checking what observers receive.
OBSERVER_EXPORT = Actor(user_id=None, username="cli-observer", role="observer")

# What opening a database can raise besides our own errors: the drivers' and the file system's.
OPEN_ERRORS: tuple[type[Exception], ...] = (*DRIVER_ERRORS, OSError)


def describe_error(exc: JesrError) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{t('field.' + e.field, LANG)}: {t(e.code, LANG, **e.params)}" for e in exc.errors)
    return t(exc.code, LANG, **exc.params)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data_layer", description="Jesr data layer commands")
    parser.add_argument(
        "--db",
        default=database_path_from_env(),
        help="database file, or postgresql://user@host:port/dbname (default: $JESR_DB or data/jesr.duckdb)",
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
        "--skip-invalid",
        action="store_true",
        help="import the valid rows and write the rejected ones to FILE.rejected.csv",
    )
    imp.add_argument(
        "--lang",
        choices=["ar", "fr", "en"],
        default="ar",
        help="language of the reasons for rejected rows (default: ar)",
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
    exp.add_argument(
        "--campaign",
        type=int,
        metavar="ID",
        help="only this campaign's records and figures, closed ones too (default: every campaign; "
        "progress: the active one)",
    )
    exp.add_argument(
        "--country",
        metavar="CODE",
        help="only this country's records and figures (default: registers of every country; figures of the "
        "only country, or of the campaign's — required when the database holds several)",
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
    add.add_argument(
        "--country",
        metavar="CODE",
        help="the country it works in (default: its organisation's; none: every country, side by side)",
    )
    add.add_argument("--password", help="the password (asked for if omitted)")
    passwd = users_sub.add_parser("passwd", help="set a new password")
    passwd.add_argument("username")
    passwd.add_argument("--password", help="the new password (asked for if omitted)")
    users_list = users_sub.add_parser("list", help="list accounts")
    users_list.add_argument("--country", metavar="CODE", help="only the accounts of this country")

    orgs = sub.add_parser("orgs", help="manage organisations (associations, organisers, the ministry)")
    orgs_sub = orgs.add_subparsers(dest="orgs_command", required=True)
    org_add = orgs_sub.add_parser("add", help="create an organisation")
    org_add.add_argument("code", help="short code, letters, digits, - or _ (e.g. ATSS)")
    org_add.add_argument("--name", required=True)
    org_add.add_argument(
        "--governorates", required=True, help="the governorates it covers, comma-separated (e.g. TN-11,TN-12)"
    )
    org_add.add_argument("--kind", default="association", help="association (default), organiser, ministry or other")
    org_add.add_argument("--phone")
    org_add.add_argument(
        "--country", metavar="CODE", help="the country it works in (default: its governorates'; they must lie there)"
    )
    orgs_list = orgs_sub.add_parser("list", help="list organisations")
    orgs_list.add_argument("--country", metavar="CODE", help="only the organisations of this country")
    org_disable = orgs_sub.add_parser("disable", help="disable an organisation (its records and accounts stay)")
    org_disable.add_argument("code")

    campaigns = sub.add_parser("campaigns", help="manage campaigns")
    campaigns_sub = campaigns.add_subparsers(dest="campaigns_command", required=True)
    camp_add = campaigns_sub.add_parser("add", help="create a campaign (active at once unless --planned)")
    camp_add.add_argument("--name", required=True, help="its name (Arabic, or the one shown where no other is given)")
    camp_add.add_argument("--name-fr")
    camp_add.add_argument("--name-en")
    camp_add.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    camp_add.add_argument("--end", required=True, help="deadline, YYYY-MM-DD")
    camp_add.add_argument("--target-households", required=True, help="households to serve")
    camp_add.add_argument("--target-value", help="value to collect, in the campaign's currency")
    camp_add.add_argument("--currency", help="ISO 4217 code (default: its country's currency)")
    camp_add.add_argument(
        "--country",
        metavar="CODE",
        help="its country (default: its governorate targets', or the only one; required when there are several)",
    )
    camp_add.add_argument("--governorate-targets", help="households per governorate, e.g. TN-11:500;TN-61:300")
    camp_add.add_argument("--planned", action="store_true", help="create it planned; activate it later")
    camp_list = campaigns_sub.add_parser("list", help="list campaigns")
    camp_list.add_argument("--country", metavar="CODE", help="only the campaigns of this country")
    camp_activate = campaigns_sub.add_parser("activate", help="make a planned campaign active")
    camp_activate.add_argument("id", type=int)
    camp_close = campaigns_sub.add_parser("close", help="close a campaign; its figures stay readable")
    camp_close.add_argument("id", type=int)
    fairness_cli.add_parsers(campaigns_sub)

    countries = sub.add_parser("countries", help="add a country from its HXL area file, or list countries")
    countries_sub = countries.add_subparsers(dest="countries_command", required=True)
    country_add = countries_sub.add_parser(
        "add", help="add a country: its areas (HXL-tagged CSV, see docs/operations.md) and settings"
    )
    country_add.add_argument("file", help="the area file; its #country+code names the country")
    country_add.add_argument("--currency", required=True, help="ISO 4217 code of its cash, e.g. JOD")
    country_add.add_argument("--phone-region", help="phone numbering plan (default: the country code)")
    country_add.add_argument(
        "--id-pattern", required=True, help="regular expression a national ID's digits must match, e.g. [0-9]{10}"
    )
    country_add.add_argument("--default-lang", choices=["ar", "fr", "en"], default="ar")
    countries_sub.add_parser("list", help="list countries and their settings")

    sub.add_parser("health", help="check that the database opens and is up to date (exit 0 and 'ok', else 1 or 3)")

    anon = sub.add_parser("anonymise", help="replace personal fields of people inactive before a date")
    anon.add_argument("--before", required=True, help="last activity older than this date (YYYY-MM-DD)")
    anon.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    backup = sub.add_parser("backup", help="export the whole database to a new directory (Parquet)")
    backup.add_argument("directory")
    restore = sub.add_parser("restore", help="rebuild the database file from a backup directory")
    restore.add_argument("directory")
    restore.add_argument("--force", action="store_true", help="replace a database that already holds data")

    audit_cli.add_parser(sub)

    facts = sub.add_parser("facts", help="check the dashboard facts against the base tables, or rebuild them")
    facts.add_argument("--rebuild", action="store_true", help="recompute every fact row (after hand-made SQL)")
    notify_cli.add_parser(sub)
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


def _known_country(db: Database, code: str | None) -> str | None:
    """A --country filter of a list: None, or a country the database holds."""
    from data_layer.core.validation import resolve_country
    from data_layer.store.reference import get_reference

    return None if code is None else resolve_country(get_reference(db), code)


def health(path: str) -> int:
    """The operator's probe: exit 0 and "ok" when the file opens read-only, answers and is migrated.

    DuckDB lets one process hold the file, so while the app runs this reports it as held: probe
    before starting the app (systemd ExecStartPre) or from the app's own host check.
    """
    from data_layer.store.database import connect
    from data_layer.store.migrations import list_migrations
    from data_layer.store.queries import run as run_query

    shown = display_name(path)
    try:
        if not database_exists(path):
            print(f"not ok: the database {shown} does not exist (create it with `init`).", file=sys.stderr)
            return 1
        db = connect(path, read_only=True)
    except DatabaseUnreachable as exc:
        print(f"not ok: the database {exc.params['path']} cannot be reached.", file=sys.stderr)
        return 3
    except DatabaseBusyError:
        print(f"not ok: the database {shown} is held by another process, which must stop first.", file=sys.stderr)
        return 3
    except OPEN_ERRORS as exc:
        print(f"not ok: the database {shown} cannot be opened: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    cur = db.cursor()
    try:
        applied = {row["version"] for row in run_query(cur, "list_applied_migration_versions")}
        campaigns = run_query(cur, "count_campaigns_for_health")
    except DRIVER_ERRORS as exc:
        print(f"not ok: the database {shown} is not a Jesr database: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    finally:
        cur.close()
        db.close()
    pending = [version for version, _, _ in list_migrations() if version not in applied]
    if pending:
        print(f"not ok: migrations {', '.join(map(str, pending))} not applied (run `init`).", file=sys.stderr)
        return 1
    print(f"ok: {shown} opens, schema up to date, {campaigns} campaigns.")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.command == "health":
        # Read-only and never creating the file: the probe must not change what it checks.
        return health(args.db)
    if args.command == "restore":
        # Restore builds the file itself: opening it here would lock it and create a schema first.
        from data_layer.ops.backup import restore_database

        summary = restore_database(args.db, args.directory, force=args.force)
        print(
            f"Restored {summary.rows} rows in {summary.tables} tables from {args.directory} into {display_name(args.db)}."
        )
        return 0
    is_new = not database_exists(args.db)
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
        db.checkpoint()
        size = db.size_bytes() / 1e6
        print(
            f"Demo data: {summary.households} households, {summary.needs} needs, {summary.donations} donations, "
            f"{summary.volunteers} volunteers, {summary.users} accounts in {time.perf_counter() - started:.1f} s; "
            f"{size:.1f} MB on disk."
        )
        return 0
    if args.command == "import":
        from data_layer.registry.imports import import_file, rejected_path

        report = import_file(
            db, SYSTEM, args.kind, args.file, organisation_id=_org_id(db, args.org), skip_invalid=args.skip_invalid
        )
        for error in report.errors:
            print(
                f"line {error.row}: {t('field.' + error.field, args.lang)}: {t(error.code, args.lang, **error.params)}",
                file=sys.stderr,
            )
        if report.rejected_rows is not None and args.skip_invalid:
            out = rejected_path(args.file)
            rejected = report.rejected_table(args.lang)
            if rejected is not None:
                rejected.to_csv(out, index=False, encoding="utf-8-sig")
            print(f"{report.rejected_count} rejected rows written to {out}", file=sys.stderr)
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
        rows = export_to_file(
            db, actor, args.kind, args.format, args.output, campaign_id=args.campaign, country_code=args.country
        )
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
                    "country_code": args.country,
                    "password": _ask_password(args.password),
                },
            )
            print(f"Account {args.username} created.")
        elif args.users_command == "passwd":
            change_password(db, SYSTEM, args.username, _ask_password(args.password))
            print(f"Password of {args.username} changed; its open sessions have ended.")
        else:
            print(list_users(db, _known_country(db, args.country)).to_string(index=False))
        return 0
    if args.command == "orgs":
        return orgs_command(db, args)
    if args.command == "campaigns":
        return campaigns_command(db, args)
    if args.command == "countries":
        return countries_command(db, args)
    if args.command == "anonymise":
        from data_layer.ops.anonymise import run_anonymise_command

        return run_anonymise_command(db, args.before, assume_yes=args.yes)
    if args.command == "backup":
        from data_layer.ops.backup import backup_database

        backup = backup_database(db, args.directory)
        print(f"Backed up {backup.rows} rows in {backup.tables} tables to {backup.directory}.")
        return 0
    if args.command == "allocate":
        from data_layer.distribution.allocation.command import print_allocation

        return print_allocation(db, SYSTEM, args)
    if args.command == "audit":
        return audit_cli.run_command(db, args)
    if args.command == "facts":
        from data_layer.monitoring.facts import run_facts_command

        return run_facts_command(db, rebuild=args.rebuild)
    if args.command == "notify":
        return notify_cli.run_command(db, args)
    raise AssertionError(f"no dispatch for {args.command}")  # argparse accepts only the commands above


def orgs_command(db: Database, args: argparse.Namespace) -> int:
    from data_layer.core.validation import split_list
    from data_layer.registry.organisations import create_organisation, disable_organisation, list_organisations
    from data_layer.store.reference import get_reference

    if args.orgs_command == "add":
        areas = split_list(args.governorates)
        # The main governorate is the first one covered, as on the admin page (only when it is known,
        # or the same unknown name would be refused twice).
        first = get_reference(db).resolve_area(areas[0]) if areas else None
        org_id = create_organisation(
            db,
            SYSTEM,
            {
                "code": args.code,
                "name": args.name,
                "kind": args.kind,
                "phone": args.phone,
                "areas": areas,
                "governorate": first,
                "country_code": args.country,
            },
        )
        print(f"Organisation {args.code.strip().upper()} created (#{org_id}).")
    elif args.orgs_command == "disable":
        disable_organisation(db, SYSTEM, args.code)
        print(f"Organisation {args.code.strip().upper()} disabled; its records and accounts stay.")
    else:
        frame = list_organisations(db, _known_country(db, args.country))
        print(frame.to_string(index=False) if len(frame) else "No organisation yet.")
    return 0


def campaigns_command(db: Database, args: argparse.Namespace) -> int:
    from data_layer.registry.campaigns import (
        activate_campaign,
        close_campaign,
        create_campaign,
        list_campaign_records,
    )

    if args.campaigns_command in fairness_cli.COMMANDS:
        return fairness_cli.run_command(db, args)
    if args.campaigns_command == "add":
        campaign_id = create_campaign(
            db,
            SYSTEM,
            {
                "name": args.name,
                "name_fr": args.name_fr,
                "name_en": args.name_en,
                "starts_on": args.start,
                "ends_on": args.end,
                "target_households": args.target_households,
                "target_value": args.target_value,
                "currency": args.currency,
                "governorate_targets": args.governorate_targets,
                "country_code": args.country,
            },
            status="planned" if args.planned else "active",
        )
        print(f"Campaign #{campaign_id} created ({'planned' if args.planned else 'active'}).")
    elif args.campaigns_command == "activate":
        activate_campaign(db, SYSTEM, args.id)
        print(f"Campaign #{args.id} is active: new records take it.")
    elif args.campaigns_command == "close":
        close_campaign(db, SYSTEM, args.id)
        print(f"Campaign #{args.id} closed; its figures stay readable.")
    else:
        frame = list_campaign_records(db, _known_country(db, args.country))
        print(frame.to_string(index=False) if len(frame) else "No campaign yet.")
    return 0


def countries_command(db: Database, args: argparse.Namespace) -> int:
    from data_layer.registry.countries import add_country, list_countries

    if args.countries_command == "add":
        try:
            with open(args.file, "rb") as handle:
                data = handle.read()
        except OSError:
            raise JesrError("countries.error.unreadable", value=args.file) from None
        country = add_country(
            db,
            SYSTEM,
            data,
            currency=args.currency,
            phone_region=args.phone_region,
            id_pattern=args.id_pattern,
            default_lang=args.default_lang,
        )
        print(f"Country {country.country_code} added with {len(country.areas)} areas.")
    else:
        print(list_countries(db).to_string(index=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except DatabaseUnreachable as exc:
        print(f"The database {exc.params['path']} cannot be reached: is its server running?", file=sys.stderr)
        return 3
    except DatabaseBusyError:
        print(
            f"The database {display_name(args.db)} is open in another process (probably the running app): stop it, or "
            f"use the Import page of the app instead.",
            file=sys.stderr,
        )
        return 3
    except JesrError as exc:
        print(f"Refused: {describe_error(exc)}", file=sys.stderr)
        return 1
