"""Importing households, donations and volunteers from CSV or XLSX.

All or nothing by default: a file with any invalid row imports nothing, and the
report lists each bad row's number, field and reason. With `skip_invalid` the
valid rows are imported and the rejected ones are returned (the command line
writes them beside the input). Every imported row is audited like a form entry.

A row whose national ID is already on file is refused and reported to the organisers as the
forms do (one open duplicate report per repeat, written even when the import is refused, since
the message says the organisers were told; running the file again adds no second report).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_layer.core.actor import Actor
from data_layer.core.columns import clean_household_columns
from data_layer.core.errors import ConflictError, JesrError, PermissionDenied, ValidationError
from data_layer.core.i18n import t
from data_layer.core.validation import Reference, clean_donation, clean_household, clean_volunteer
from data_layer.registry.campaigns import active_campaigns_by_area
from data_layer.registry.clash_budget import OTHER_CLASH_CODE, require_budget_left, spend_budget
from data_layer.registry.donations import donation_cleaner, find_or_create_donor, gift_currencies_by_country
from data_layer.registry.identity import national_id_keys
from data_layer.registry.organisations import require_active_organisation
from data_layer.registry.receipts import assign_codes_to_donations
from data_layer.registry.spreadsheets import read_table
from data_layer.store.audit import write_audit
from data_layer.store.bulk import copy_rows, rows_table, run_with_rows
from data_layer.store.bulk_audit import AuditBatch, BulkAudit
from data_layer.store.database import Database
from data_layer.store.queries import run
from data_layer.store.reference import get_reference

COLUMNS: dict[str, list[str]] = {
    "households": [
        "national_id",
        "full_name",
        "phone",
        "governorate",
        "delegation",
        "address",
        "household_size",
        "vulnerabilities",
        "needs",
        "notes",
    ],
    "donations": [
        "donor_name",
        "donor_type",
        "kind",
        "category",
        "item",
        "quantity",
        "unit",
        "value_tnd",
        "governorate",
        "delegation",
        "received_on",
    ],
    "volunteers": [
        "full_name",
        "national_id",
        "phone",
        "governorate",
        "services",
        "vehicle",
        "available_from",
        "available_to",
    ],
}
REQUIRED: dict[str, set[str]] = {
    "households": {"national_id", "full_name", "governorate", "household_size"},
    "donations": {"category", "quantity", "governorate", "received_on"},
    "volunteers": {"full_name", "phone", "governorate", "services", "available_from", "available_to"},
}
CLEANERS = {"households": clean_household, "donations": clean_donation, "volunteers": clean_volunteer}
TEMPLATE_EXAMPLES: dict[str, dict[str, str]] = {
    "households": {
        "national_id": "01234567",
        "full_name": "ريم الورتاني",
        "phone": "+216 98 123 456",
        "governorate": "Sfax",
        "delegation": "Sfax Ville",
        "address": "نهج الحرية 12",
        "household_size": "5",
        "vulnerabilities": "elderly;lost_income",
        "needs": "food:2;hygiene:1",
        "notes": "",
    },
    "donations": {
        "donor_name": "Société X",
        "donor_type": "company",
        "kind": "in_kind",
        "category": "food",
        "item": "قفة مواد غذائية",
        "quantity": "100",
        "unit": "basket",
        "value_tnd": "4500",
        "governorate": "تونس",
        "delegation": "Bab Souika",
        "received_on": "2020-05-16",
    },
    "volunteers": {
        "full_name": "سامي الجبالي",
        "national_id": "",
        "phone": "22 333 444",
        "governorate": "TN-51",
        "services": "transport;distribution",
        "vehicle": "car",
        "available_from": "2020-05-15",
        "available_to": "2020-05-30",
    },
}


# Columns the rejected file adds to the original ones; a corrected rejected file is imported as is.
REJECTED_COLUMNS = ("line", "error")


@dataclass
class RowError:
    row: int  # the line in the file (header is line 1)
    field: str
    code: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    # The household on file a repeated national ID belongs to (national ID, household id): for the
    # organisers' duplicate report only, never shown to the importer.
    clash: tuple[str, int] | None = dataclasses.field(default=None, repr=False, compare=False)


@dataclass
class ImportReport:
    kind: str
    total_rows: int
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected_rows: pd.DataFrame | None = None

    @property
    def rejected_count(self) -> int:
        return len({e.row for e in self.errors})

    def rejected_table(self, lang: str) -> pd.DataFrame | None:
        """The rejected rows with their original columns unchanged, the line and the reasons in `lang`."""
        if self.rejected_rows is None:
            return None
        reasons: dict[int, list[str]] = {}
        for e in self.errors:
            reasons.setdefault(e.row, []).append(f"{t('field.' + e.field, lang)}: {t(e.code, lang, **e.params)}")
        table = self.rejected_rows.copy()
        table["error"] = ["; ".join(reasons.get(line, [])) for line in table["line"]]
        return table


def rejected_path(source: str | Path) -> Path:
    """Where the rejected rows of FILE go: FILE.rejected.csv beside it (`h.xlsx` → `h.xlsx.rejected.csv`)."""
    source = Path(source)
    return source.with_name(source.name + ".rejected.csv")


class BadColumns(JesrError):
    code = "error.import_columns"


def template(kind: str) -> pd.DataFrame:
    return pd.DataFrame([TEMPLATE_EXAMPLES[kind]], columns=COLUMNS[kind])


def drop_rejected_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A rejected file, corrected, is imported as is: its line and reason columns are not data."""
    extra = [c for c in REJECTED_COLUMNS if c in frame.columns]
    return frame.drop(columns=extra) if extra else frame


def check_columns(kind: str, frame: pd.DataFrame) -> None:
    if kind not in COLUMNS:
        raise JesrError("error.import_kind", value=kind, choices=", ".join(COLUMNS))
    columns = set(frame.columns)
    missing = sorted(REQUIRED[kind] - columns)
    unknown = sorted(columns - set(COLUMNS[kind]))
    if missing or unknown:
        raise BadColumns(
            missing=", ".join(missing) or "—", unknown=", ".join(unknown) or "—", expected=", ".join(COLUMNS[kind])
        )


def household_cleaner(db: Database) -> Callable[[Reference, dict[str, Any]], dict[str, Any]]:
    """clean_household with each row's cash needs in the currency of its country's campaign."""
    currencies = gift_currencies_by_country(db)

    def clean(reference: Reference, raw: dict[str, Any]) -> dict[str, Any]:
        settings = reference.settings_for(raw.get("governorate"))
        return clean_household(
            reference, raw, campaign_currency=currencies.get(settings.code) if settings is not None else None
        )

    return clean


def validate_rows(
    db: Database,
    kind: str,
    frame: pd.DataFrame,
    progress: Callable[[float], None] | None = None,
    *,
    organisation_id: int | None = None,
) -> tuple[list[dict[str, Any]], list[int], list[RowError]]:
    """Clean every row; return the clean records, their file line numbers and the errors."""
    # Cash, given or needed, in its campaign's currency.
    cleaner = (
        donation_cleaner(db)
        if kind == "donations"
        else household_cleaner(db)
        if kind == "households"
        else CLEANERS[kind]
    )
    reference = get_reference(db)
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    errors: list[RowError] = []
    seen_ids: dict[str, int] = {}
    total = len(frame)
    for index, raw in enumerate(frame.to_dict("records")):
        line = index + 2
        try:
            record = cleaner(reference, raw)
        except ValidationError as exc:
            errors.extend(RowError(line, e.field, e.code, e.params) for e in exc.errors)
        else:
            nid = record.get("national_id") if kind == "households" else None
            if nid and nid in seen_ids:
                errors.append(RowError(line, "national_id", "error.duplicate_in_file", {"line": seen_ids[nid]}))
            else:
                if nid:
                    seen_ids[nid] = line
                records.append(record)
                lines.append(line)
        if progress and total and index % 500 == 0:
            progress(0.5 * index / total)
    if kind == "households" and records:
        with db.reading() as cur:
            on_file = _households_on_file(cur, [r["national_id"] for r in records])
        kept_records, kept_lines = [], []
        for record, line in zip(records, lines):
            if record["national_id"] in on_file:
                errors.append(
                    _clash_error(line, record["national_id"], on_file[record["national_id"]], organisation_id)
                )
            else:
                kept_records.append(record)
                kept_lines.append(line)
        records, lines = kept_records, kept_lines
    errors.sort(key=lambda e: e.row)
    return records, lines, errors


def _households_on_file(
    cur: Any, national_ids: list[str] | pa.Array, keys: list[str | None] | None = None
) -> dict[str, tuple[int, int | None]]:
    """For each national ID already on file (matched by keyed hash): its first live household and that
    household's organisation."""
    ids = pa.array(national_ids, pa.string())
    key_array = pa.array(national_id_keys(ids.to_pylist()) if keys is None else keys, pa.string())
    found = run_with_rows(
        cur,
        "list_households_on_file_for_import",
        pa.table({"national_id": ids, "national_id_key": key_array}),
        table="import_national_ids",
        # Joined whole with the households by hash: PostgreSQL's estimate from the table's size serves.
        analyze=False,
    )
    return {
        nid: (int(hid), None if pd.isna(org) else int(org))
        for nid, hid, org in zip(found["national_id"], found["household_id"], found["organisation_id"])
    }


def _clash_error(line: int, national_id: str, on_file: tuple[int, int | None], organisation_id: int | None) -> RowError:
    """As the forms say it: the importer's own household by number, another association's without any detail."""
    household_id, owner = on_file
    if organisation_id is not None and owner == organisation_id:
        return RowError(
            line, "national_id", "error.duplicate_household_own", {"id": household_id}, (national_id, household_id)
        )
    return RowError(line, "national_id", "error.duplicate_household_other", {}, (national_id, household_id))


def _report_clashes(db: Database, actor: Actor, errors: list[RowError], organisation_id: int | None) -> None:
    """Write the organisers' duplicate report (and its audit row) of every repeat in the file."""
    clashes = [e.clash for e in errors if e.clash is not None]
    if not clashes:
        return
    table = pa.table(
        {
            "national_id": [c[0] for c in clashes],
            "national_id_key": national_id_keys([c[0] for c in clashes]),
            "household_id": [c[1] for c in clashes],
        }
    )
    params = {"attempted_by_org": organisation_id}
    with db.transaction() as cur, rows_table(cur, table, "import_clashes"):
        run(cur, "insert_import_duplicate_reports", params)
        run(
            cur,
            "insert_import_duplicate_audit",
            dict(params, user_id=actor.user_id, username=actor.username),
        )


def validate_households(
    db: Database, frame: pd.DataFrame, *, organisation_id: int | None = None
) -> tuple[pd.DataFrame, list[RowError]]:
    """Clean a households table column by column; return the clean rows (with their file line) and the errors.

    Same rules, errors and order as validate_rows, without a Python call per row:
    100,000 rows take well under a second instead of about eight.
    """
    # Cash needs in the currency of each country's campaign, as the cash stock they are met from.
    cleaned = clean_household_columns(get_reference(db), frame, campaign_currencies=gift_currencies_by_country(db))
    errors = [RowError(row + 2, e.field, e.code, e.params) for row, errs in cleaned.errors.items() for e in errs]
    # Columns as cleaned: text stays in Arrow, the rest are objects (letting pandas re-infer a dtype
    # costs more than the cleaning).
    rows = pd.DataFrame(
        {
            name: pd.Series(pd.arrays.ArrowExtensionArray(values))
            if isinstance(values, pa.Array)
            else pd.Series(values, dtype=object)
            for name, values in cleaned.values.items()
        }
    )
    rows.insert(0, "line", np.arange(2, len(rows) + 2))
    rows = rows[cleaned.valid]
    # A national ID repeated in the file: the first clean row keeps it. (Arrow's dictionary codes
    # and NumPy find each ID's first row in a few ms; pandas' groupby took 12-33 ms.)
    codes = pc.dictionary_encode(pa.array(rows["national_id"])).indices.to_numpy(zero_copy_only=False)
    _, first_row = np.unique(codes, return_index=True)
    lines = rows["line"].to_numpy()
    first_line = lines[first_row[codes]]
    repeated = lines != first_line
    errors += [
        RowError(line, "national_id", "error.duplicate_in_file", {"line": first})
        for line, first in zip(lines[repeated].tolist(), first_line[repeated].tolist())
    ]
    rows = rows[~repeated]
    if len(rows):
        # As Arrow: 100,000 IDs as Python strings took longer than the query.
        # Hashed once here; the insert stores the same keys.
        rows["national_id_key"] = national_id_keys(pa.array(rows["national_id"], pa.string()).to_pylist())
        with db.reading() as cur:
            households = _households_on_file(cur, pa.array(rows["national_id"]), rows["national_id_key"].tolist())
        on_file = rows["national_id"].isin(households)
        errors += [
            _clash_error(line, nid, households[nid], organisation_id)
            for line, nid in zip(rows.loc[on_file, "line"].tolist(), rows.loc[on_file, "national_id"].tolist())
        ]
        rows = rows[~on_file]
    errors.sort(key=lambda e: e.row)
    return rows.reset_index(drop=True), errors


def import_frame(
    db: Database,
    actor: Actor,
    kind: str,
    frame: pd.DataFrame,
    *,
    organisation_id: int | None = None,
    skip_invalid: bool = False,
    progress: Callable[[float], None] | None = None,
) -> ImportReport:
    """Validate and import a table; nothing is written unless every row (or, with skip_invalid, each kept row) is valid."""
    if not actor.may_enter_records:
        raise PermissionDenied()
    frame = drop_rejected_columns(frame)
    check_columns(kind, frame)
    if actor.role == "association":
        organisation_id = actor.organisation_id
    if kind == "donations" and organisation_id is None:
        raise JesrError("error.organisation_required")
    with db.reading() as cur:
        require_active_organisation(cur, organisation_id)  # before any work: a refused file is not checked row by row
    report = ImportReport(kind=kind, total_rows=len(frame))
    records: list[dict[str, Any]] | pd.DataFrame
    today = dt.date.today()
    if kind == "households":
        # Another association's households met by a file are a daily budget (registry/clash_budget.py).
        require_budget_left(db, actor, organisation_id, today)
        records, report.errors = validate_households(db, frame, organisation_id=organisation_id)
        if progress:
            progress(0.5)
    else:
        records, _, report.errors = validate_rows(db, kind, frame, progress, organisation_id=organisation_id)
    _report_clashes(db, actor, report.errors, organisation_id)
    spend_budget(db, actor, organisation_id, sum(e.code == OTHER_CLASH_CODE for e in report.errors), today)
    if report.errors:
        bad_lines = sorted({e.row for e in report.errors})
        rejected = frame.iloc[[line - 2 for line in bad_lines]].copy()
        rejected.insert(0, "line", bad_lines)
        # The reasons' text depends on the reader's language: rejected_table(lang) adds it.
        report.rejected_rows = rejected
        if not skip_invalid:
            return report
    if len(records) == 0:
        return report
    # Each record takes the active campaign of its own country (registry/campaigns.py).
    campaigns = active_campaigns_by_area(db)
    if progress:
        progress(0.6)
    with db.transaction() as cur:
        audit = BulkAudit(cur, db.chained)
        if kind == "households":
            _insert_households(cur, audit, actor, records, organisation_id, campaigns)
        elif kind == "donations":
            _insert_donations(cur, audit, actor, records, organisation_id, campaigns)
        else:
            _insert_volunteers(cur, audit, actor, records, organisation_id)
        write_audit(cur, actor, "import", kind, None, after={"rows": len(records)})
    report.imported = len(records)
    if progress:
        progress(1.0)
    return report


def import_file(db: Database, actor: Actor, kind: str, path: str | Path, **kwargs: Any) -> ImportReport:
    return import_frame(db, actor, kind, read_table(path), **kwargs)


def _reserve_ids(cur: Any, sequence: str, count: int) -> np.ndarray:
    """Take `count` ids from a sequence in one statement."""
    return np.sort(run(cur, "list_reserved_ids", {"sequence": sequence, "count": int(count)})["id"].astype(np.int64))


def _same(value: Any, count: int, kind: pa.DataType) -> pa.Array:
    """One value for every row (who imported, for which organisation)."""
    return pa.nulls(count, kind) if value is None else pa.repeat(pa.scalar(value, kind), count)


# The named insert of each table an import writes to (sql/queries/registry/imports_bulk.sql).
INSERT_QUERIES = {
    "households": "insert_import_households",
    "needs": "insert_import_needs",
    "volunteers": "insert_import_volunteers",
    "donations": "insert_import_donations",
}


def _write(cur: Any, audit: BulkAudit, actor: Actor, writes: list[tuple[str, pa.Table, tuple[str, ...]]]) -> None:
    """Insert each table's rows (their ids first) in one statement and audit each row, in the
    caller's transaction: `writes` holds (table, rows, columns left out of the audit rows).

    Row-by-row inserts manage about 1,500 rows a second; one Arrow insert (COPY on PostgreSQL)
    keeps a 100,000-row import interactive. A keyed hash, which no one reads, is inserted but
    not audited."""

    def insert() -> None:
        for table_name, rows, _ in writes:
            copy_rows(cur, INSERT_QUERIES[table_name], rows, source=f"import_{table_name}")

    batches = [
        AuditBatch(table_name, rows.column("id").to_numpy(), rows.drop_columns(["id", *unaudited]))
        for table_name, rows, unaudited in writes
    ]
    audit.write(actor, batches, insert)


def _on_file_now(cur: Any, rows: pd.DataFrame) -> None:
    """Refuse the write when a household of the file was registered since the file was checked
    (by another session or app server): the next attempt reports it as a repeat."""
    if _households_on_file(cur, pa.array(rows["national_id"], pa.string()), rows["national_id_key"].tolist()):
        raise ConflictError("a national ID of the file was registered meanwhile")


def _insert_households(
    cur: Any,
    audit: BulkAudit,
    actor: Actor,
    rows: pd.DataFrame,
    organisation_id: int | None,
    campaigns: dict[str, int | None],
) -> None:
    """The validated households (validate_households) and their needs, with their audit rows."""
    if "national_id_key" not in rows:
        rows = rows.assign(national_id_key=national_id_keys(pa.array(rows["national_id"], pa.string()).to_pylist()))
    _on_file_now(cur, rows)
    count = len(rows)
    ids = _reserve_ids(cur, "seq_households", count)
    governorates = pa.array(rows["governorate_code"], pa.string())
    text = {
        name: pa.array(rows[name], pa.string()) for name in ("full_name", "phone", "delegation", "address", "notes")
    }
    households = pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "national_id": pa.array(rows["national_id"], pa.string()),
            "full_name": text["full_name"],
            "phone": text["phone"],
            "governorate_code": governorates,
            "delegation": text["delegation"],
            "address": text["address"],
            "household_size": pa.array(rows["household_size"].to_numpy(dtype=np.int64)),
            "vulnerabilities": pa.array(rows["vulnerabilities"].tolist(), pa.list_(pa.string())),
            "notes": text["notes"],
            "organisation_id": _same(organisation_id, count, pa.int64()),
            "source": _same("import", count, pa.string()),
            "status": _same("registered", count, pa.string()),
            "created_by": _same(actor.user_id, count, pa.int64()),
            # Each row takes the active campaign of its own country (none where its country has none).
            "campaign_id": pa.array(pd.Series(governorates.to_pandas()).map(campaigns).astype("Int64"), pa.int64()),
            "national_id_key": pa.array(rows["national_id_key"].to_numpy(dtype=object), pa.string()),
        }
    )
    writes: list[tuple[str, pa.Table, tuple[str, ...]]] = [("households", households, ("national_id_key",))]
    needs = _needs_rows(ids, rows["needs"].to_numpy())
    if len(needs):
        need_ids = _reserve_ids(cur, "seq_needs", len(needs))
        need_rows = pa.Table.from_pandas(needs, preserve_index=False)
        writes.append(("needs", need_rows.add_column(0, "id", pa.array(need_ids, pa.int64())), ()))
    _write(cur, audit, actor, writes)


def _insert_volunteers(
    cur: Any, audit: BulkAudit, actor: Actor, records: list[dict[str, Any]], organisation_id: int | None
) -> None:
    count = len(records)
    rows = pa.Table.from_pylist(records)
    rows = rows.add_column(0, "id", pa.array(_reserve_ids(cur, "seq_volunteers", count), pa.int64()))
    for name, value, kind in (
        ("organisation_id", organisation_id, pa.int64()),
        ("status", "active", pa.string()),
        ("created_by", actor.user_id, pa.int64()),
    ):
        rows = rows.append_column(name, _same(value, count, kind))
    _write(cur, audit, actor, [("volunteers", rows, ())])


def _needs_rows(household_ids: np.ndarray, needs: np.ndarray) -> pd.DataFrame:
    """One row per need, in household order. Rows with the same needs cell share one cleaned
    list, so the lists are flattened once per distinct cell and gathered with NumPy."""
    codes, first_rows = pd.factorize(np.fromiter(map(id, needs), dtype=np.int64, count=len(needs)))
    distinct = [needs[i] for i in pd.Series(np.arange(len(needs))).groupby(codes).first().to_numpy()]
    counts = np.array([len(n) for n in distinct], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    flat = [need for n in distinct for need in n]
    per_row = counts[codes]
    total = int(per_row.sum())
    if total == 0:
        return pd.DataFrame()
    out_start = np.repeat(np.cumsum(per_row) - per_row, per_row)
    gather = np.arange(total) - out_start + np.repeat(starts[codes], per_row)
    table = pd.DataFrame(
        {
            "category_code": [n["category_code"] for n in flat],
            "quantity": [float(n["quantity"]) for n in flat],
            "unit": [n["unit"] for n in flat],
            "urgency": [n["urgency"] for n in flat],
        }
    )
    out = table.iloc[gather].reset_index(drop=True)
    out.insert(0, "household_id", np.repeat(household_ids, per_row))
    return out


def _insert_donations(
    cur: Any,
    audit: BulkAudit,
    actor: Actor,
    records: list[dict[str, Any]],
    organisation_id: int | None,
    campaigns: dict[str, int | None],
) -> None:
    donor_ids: dict[tuple[str, str], int] = {}
    rows = []
    for record in records:
        key = (record["donor_name"], record["donor_type"])
        if key not in donor_ids:
            donor_ids[key] = find_or_create_donor(
                cur, actor, record["donor_name"], record["donor_type"], record["donor_phone"]
            )
        row = {
            k: record[k]
            for k in (
                "kind",
                "category_code",
                "item",
                "unit",
                "governorate_code",
                "delegation",
                "storage_location",
                "received_on",
                "notes",
            )
        }
        row.update(
            quantity=float(record["quantity"]),
            value_tnd=None if record["value_tnd"] is None else float(record["value_tnd"]),
            donor_id=donor_ids[key],
            organisation_id=organisation_id,
            campaign_id=campaigns.get(record["governorate_code"]),
            created_by=actor.user_id,
        )
        rows.append(row)
    schema = {
        "quantity": pa.float64(),
        "value_tnd": pa.float64(),
        "donor_id": pa.int64(),
        "organisation_id": pa.int64(),
    }
    schema.update(campaign_id=pa.int64(), created_by=pa.int64(), received_on=pa.date32())
    table = pa.Table.from_pylist(rows)
    table = pa.table(
        {
            name: table.column(name).cast(schema[name]) if name in schema else table.column(name)
            for name in table.column_names
        }
    )
    ids = _reserve_ids(cur, "seq_donations", len(rows))
    _write(cur, audit, actor, [("donations", table.add_column(0, "id", pa.array(ids, pa.int64())), ())])
    assign_codes_to_donations(cur, [int(i) for i in ids])
