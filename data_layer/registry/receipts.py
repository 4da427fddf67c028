"""Receipt codes of donations and pledges: drawn at random, unique by the database, never an id.

Every donation gets one when it is saved (by a form, an import or a received pledge); a public
pledge gets one when it is sent, and the donation recorded when it arrives takes the same code,
so the donor follows one code from promise to delivery. Rows written before codes existed get
theirs when the database is opened (`assign_missing_receipt_codes`, from ops.bootstrap).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import NotFound, PermissionDenied
from data_layer.core.receipt_codes import new_codes
from data_layer.store.audit import write_audit
from data_layer.store.bulk import rows_table
from data_layer.store.database import Database
from data_layer.store.queries import run

_CODES_TABLE = "new_receipt_codes"


def _insert_codes(cur: Any, donation_ids: list[int | None], pledge_ids: list[int | None]) -> list[str]:
    """Insert one fresh code per (donation, pledge) pair, redrawing any code already on file.

    Writes run one at a time (the store's write lock, an advisory lock on PostgreSQL), so a code
    found free here is still free at the insert; the primary key enforces it regardless.
    """
    count = len(donation_ids)
    codes: list[str] = []
    taken: set[str] = set()
    while len(codes) < count:
        candidates = [c for c in dict.fromkeys(new_codes(count - len(codes))) if c not in taken]
        table = pa.table({"code": pa.array(candidates, pa.string())})
        with rows_table(cur, table, _CODES_TABLE):
            on_file = {row["code"] for row in run(cur, "list_receipt_codes_on_file")}
        taken |= set(candidates)
        codes += [c for c in candidates if c not in on_file][: count - len(codes)]
    table = pa.table(
        {
            "code": pa.array(codes, pa.string()),
            "donation_id": pa.array(donation_ids, pa.int64()),
            "pledge_id": pa.array(pledge_ids, pa.int64()),
        }
    )
    with rows_table(cur, table, _CODES_TABLE):
        run(cur, "insert_receipt_codes")
    return codes


def assign_donation_code(cur: Any, donation_id: int) -> str:
    """A new code for a donation just saved (caller holds the transaction)."""
    return _insert_codes(cur, [donation_id], [None])[0]


def assign_pledge_code(cur: Any, pledge_id: int) -> str:
    """A new code for a pledge just sent (caller holds the transaction)."""
    return _insert_codes(cur, [None], [pledge_id])[0]


def assign_codes_to_donations(cur: Any, donation_ids: list[int]) -> None:
    """Codes for many donations at once (an import), in the caller's transaction."""
    if donation_ids:
        _insert_codes(cur, [int(i) for i in donation_ids], [None] * len(donation_ids))


def link_pledge_code(cur: Any, pledge_id: int, donation_id: int) -> str:
    """The donation recorded for a pledge takes the pledge's code (a new one if the pledge had none)."""
    run(cur, "link_pledge_receipt_code", {"pledge_id": pledge_id, "donation_id": donation_id})
    code = run(cur, "get_receipt_code_of_donation", {"donation_id": donation_id})
    return code if code is not None else assign_donation_code(cur, donation_id)


def assign_missing_receipt_codes(db: Database, actor: Actor = SYSTEM) -> int:
    """Give a code to every pledge and donation without one (rows older than the codes, demo data).

    Pledges first, so a donation recorded for a pledge shares its code. Returns how many codes
    were drawn; opening a database whose rows all have one costs two small queries.
    """
    with db.reading() as cur:
        pledges = run(cur, "list_pledges_without_receipt_code")
        donations = run(cur, "list_donations_without_receipt_code")
    if not pledges and not donations:
        return 0
    with db.transaction() as cur:
        # Read again under the write lock: another server may have assigned them meanwhile.
        pledges = run(cur, "list_pledges_without_receipt_code")
        if pledges:
            _insert_codes(cur, [p["donation_id"] for p in pledges], [p["pledge_id"] for p in pledges])
        donations = [row["donation_id"] for row in run(cur, "list_donations_without_receipt_code")]
        assign_codes_to_donations(cur, donations)
        total = len(pledges) + len(donations)
        if total:
            write_audit(
                cur,
                actor,
                "assign_receipt_codes",
                "receipt_codes",
                None,
                after={"pledges": len(pledges), "donations": len(donations)},
            )
    return total


def donation_receipt_code(db: Database, actor: Actor, donation_id: int) -> str:
    """The code to print for a donation, for staff of the receiving organisation (or all, for organisers)."""
    if not actor.may_enter_records:
        raise PermissionDenied()
    with db.reading() as cur:
        row = run(cur, "get_donation", {"id": donation_id})
        if row is None:
            raise NotFound()
        if not actor.sees_all_organisations and row["organisation_id"] != actor.organisation_id:
            raise PermissionDenied()
        code = run(cur, "get_receipt_code_of_donation", {"donation_id": donation_id})
    if code is None:
        raise NotFound()
    return code


def pledge_receipt_code(cur: Any, pledge_id: int) -> str | None:
    return run(cur, "get_receipt_code_of_pledge", {"pledge_id": pledge_id})
