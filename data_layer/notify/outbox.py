"""The outbox: messages derived from the data, each sent once, every attempt recorded.

`queue_due_messages` looks at what the data says people should be told and queues what is not
queued yet: a household's code and delivery day once its delivery has a firm day (a volunteer or
a pick-up point), a reminder the day before, a volunteer's route, a donor's receipt with its
receipt code. Each message has a key naming what it is about (`code:12:2020-05-21`,
`reminder:12:2020-05-21`, `route:3`, `receipt:40`), unique in the table: queueing again, from any
server, adds nothing.

`send_due_messages` claims each due message with a conditional UPDATE (a lease: two senders never
hold the same one), sends it outside any transaction, then records the attempt and, if the claim
is still its own, the outcome. A failure waits with back-off (1, 2, 4 … minutes, at most 6 hours);
after `MAX_ATTEMPTS`, or a refusal for good, the message is abandoned, never dropped. A message no
longer true when its turn comes (delivery cancelled or moved) is withdrawn unsent. A channel with
no sender configured keeps its messages waiting untouched. A sender stopped between sending and
recording leaves the message claimed; once the lease ends it is sent again (at least once) — the
key travels with it (Message-ID, the gateway's `key`) so the far end can recognise the repeat.
See docs/notifications.md.

Messages are written in the recipient's language (`contact_preferences`, else the account's, else
their country's default, else Arabic) and go by e-mail when an address is known, else by SMS.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import FieldError, PermissionDenied, ValidationError
from data_layer.core.i18n import LANGS, format_date, format_number, t
from data_layer.core.receipt_codes import grouped
from data_layer.core.statuses import INACTIVE_HOUSEHOLD_STATUSES
from data_layer.notify.senders import Sender, SendFailed, close_senders
from data_layer.store.audit import to_json, write_audit
from data_layer.store.bulk import run_with_rows
from data_layer.store.database import Database
from data_layer.store.queries import run

MAX_ATTEMPTS = 10
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(hours=6)
LEASE = dt.timedelta(minutes=5)
# Receipts go to donations of the last days only: switching notifications on does not write to
# every donor of past campaigns.
RECEIPT_DAYS = 7
PARTIES = ("household", "volunteer", "donor")
CHANNELS = ("email", "sms")


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    failed: int = 0
    abandoned: int = 0
    withdrawn: int = 0  # no longer true when their turn came: set aside unsent
    lost: int = 0  # claims that had run out with no outcome (a sender stopped): sent again
    waiting: int = 0  # due on a channel with no sender configured


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failure: 1, 2, 4 … minutes, at most BACKOFF_MAX."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _channel(row: dict[str, Any]) -> tuple[str, str] | None:
    if row.get("email"):
        return "email", str(row["email"]).strip()
    if row.get("phone"):
        return "sms", str(row["phone"]).strip()
    return None


def _where(row: dict[str, Any], lang: str) -> dict[str, str]:
    return {
        "point": str(row.get("point_name") or ""),
        "address": str(row.get("point_address") or ""),
        "hours": str(row.get("opening_hours") or ""),
    }


def _code_message(row: dict[str, Any]) -> dict[str, Any]:
    lang, day = row["lang"], format_date(row["planned_on"], row["lang"])
    pickup = row.get("point_name") is not None
    body_key = "notify.code.body_pickup" if pickup else "notify.code.body"
    return {
        # A reissued code is a message of its own (`code:12:2020-05-21:2`).
        "dedupe_key": f"code:{row['delivery_id']}:{row['planned_on'].isoformat()}"
        + (f":{int(row['issue'])}" if int(row["issue"]) > 1 else ""),
        "kind": "household_code",
        "subject": t("notify.code.subject", lang),
        "body": t(body_key, lang, code=row["confirmation_code"], day=day, **_where(row, lang)),
        "related_table": "deliveries",
        "related_id": row["delivery_id"],
        "about_day": row["planned_on"],
        "about_code": row["confirmation_code"],
    }


def _reminder_message(row: dict[str, Any]) -> dict[str, Any]:
    lang, day = row["lang"], format_date(row["planned_on"], row["lang"])
    pickup = row.get("point_name") is not None
    body_key = "notify.reminder.body_pickup" if pickup else "notify.reminder.body"
    return {
        "dedupe_key": f"reminder:{row['delivery_id']}:{row['planned_on'].isoformat()}",
        "kind": "reminder",
        "subject": t("notify.reminder.subject", lang),
        "body": t(body_key, lang, day=day, **_where(row, lang)),
        "related_table": "deliveries",
        "related_id": row["delivery_id"],
        "about_day": row["planned_on"],
    }


def _route_message(row: dict[str, Any]) -> dict[str, Any]:
    lang = row["lang"]
    return {
        "dedupe_key": f"route:{row['route_id']}",
        "kind": "route",
        "subject": t("notify.route.subject", lang),
        "body": t(
            "notify.route.body",
            lang,
            day=format_date(row["route_day"], lang),
            delegation=row["delegation"] or "—",
            stops=int(row["stops"]),
        ),
        "related_table": "routes",
        "related_id": row["route_id"],
        "about_day": row["route_day"],
    }


def _receipt_message(row: dict[str, Any]) -> dict[str, Any]:
    lang = row["lang"]
    what = (
        f"{format_number(row['value_tnd'] or row['quantity'], lang)} {row['unit']}"  # its currency
        if row["kind"] == "cash"
        else f"{row['item']} × {format_number(row['quantity'], lang)} {t('unit.' + row['unit'], lang)}"
    )
    return {
        "dedupe_key": f"receipt:{row['donation_id']}",
        "kind": "receipt",
        "subject": t("notify.receipt.subject", lang),
        "body": t(
            "notify.receipt.body_code" if row.get("receipt_code") else "notify.receipt.body",
            lang,
            organisation=row["organisation"],
            what=what,
            day=format_date(row["received_on"], lang),
            code=grouped(row["receipt_code"]) if row.get("receipt_code") else "",
        ),
        "related_table": "donations",
        "related_id": row["donation_id"],
        "about_day": None,
    }


MESSAGE_SCHEMA = pa.schema(
    [
        ("dedupe_key", pa.string()),
        ("kind", pa.string()),
        ("channel", pa.string()),
        ("recipient", pa.string()),
        ("lang", pa.string()),
        ("subject", pa.string()),
        ("body", pa.string()),
        ("related_table", pa.string()),
        ("related_id", pa.int64()),
        ("about_day", pa.date32()),
        ("about_code", pa.string()),
    ]
)


def queue_due_messages(db: Database, *, today: dt.date | None = None, at: dt.datetime | None = None) -> int:
    """Queue every message the data calls for and the outbox does not hold yet; returns how many.

    One insert for all of them, and one for their audit rows: a campaign's first pass may queue
    thousands, and row by row costs a commit's worth of work each.
    """
    day = today or dt.date.today()
    when = at or now()
    inactive = list(INACTIVE_HOUSEHOLD_STATUSES)
    # What is due is read without the write lock: a pass that finds nothing (most of them) holds
    # no lock at all, and the insert below skips keys queued meanwhile by another sender.
    with db.reading() as cur:
        sources = [
            (run(cur, "list_code_messages_due", {"today": day, "inactive_statuses": inactive}), _code_message),
            (
                run(cur, "list_reminders_due", {"tomorrow": day + dt.timedelta(days=1), "inactive_statuses": inactive}),
                _reminder_message,
            ),
            (run(cur, "list_route_messages_due", {"today": day}), _route_message),
            (run(cur, "list_receipts_due", {"since": day - dt.timedelta(days=RECEIPT_DAYS)}), _receipt_message),
        ]
    messages = []
    for rows, build in sources:
        for row in rows:
            address = _channel(row)
            if address is None:
                continue
            row["lang"] = row["lang"] if row["lang"] in LANGS else "ar"
            messages.append({**build(row), "channel": address[0], "recipient": address[1], "lang": row["lang"]})
    if not messages:
        return 0
    table = pa.Table.from_pylist(messages, schema=MESSAGE_SCHEMA)
    with db.transaction() as cur:
        queued = run_with_rows(cur, "insert_outbox_messages", table, {"now": when}, table="new_outbox_messages")
        if queued:
            audit = pd.DataFrame(
                {
                    "user_id": pd.array([SYSTEM.user_id] * len(queued), dtype="Int64"),
                    "username": SYSTEM.username,
                    "action": "queue",
                    "table_name": "outbox",
                    "record_id": pd.array([int(q["id"]) for q in queued], dtype="Int64"),
                    "before": [None] * len(queued),
                    "after": [to_json({k: q[k] for k in ("dedupe_key", "kind", "channel", "lang")}) for q in queued],
                }
            )
            run_with_rows(cur, "insert_audit_rows_from_frame", audit, table="audit_rows")
    return len(queued)


def sender_name() -> str:
    """Who holds a claim: this host and process, as the outbox and its attempts record it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _still_true(cur: Any, message: dict[str, Any], today: dt.date) -> bool:
    """Whether what a message says still holds when its turn comes: its delivery still planned on
    that day (a reminder only before it) with the same code, for a household still served; its
    route still ahead; its donation not cancelled."""
    kind, about = message["kind"], message["related_id"]
    if kind in ("household_code", "reminder"):
        state = run(cur, "get_delivery_notice_state", {"id": about})
        return (
            state is not None
            and state["status"] in ("planned", "out_for_delivery")
            and state["household_status"] not in INACTIVE_HOUSEHOLD_STATUSES
            and (message["about_day"] is None or state["planned_on"] == message["about_day"])
            and (message["about_code"] is None or state["confirmation_code"] == message["about_code"])
            and (state["planned_on"] > today if kind == "reminder" else state["planned_on"] >= today)
        )
    if kind == "route":
        day = run(cur, "get_route_day", {"id": about})
        return day is not None and day >= today
    return bool(run(cur, "get_donation_status", {"id": about}) == "received")


def _claim(cur: Any, message_id: int, when: dt.datetime, name: str) -> tuple[dict[str, Any] | None, bool, bool]:
    """Claim one due message in the caller's transaction: (the message or None, withdrawn, lost).

    Both the claim and the withdrawal are conditional UPDATEs on the message's due state, under
    the store's write lock: of two senders, the second finds it no longer due and gets nothing.
    """
    before = run(cur, "get_message_claim", {"id": message_id})
    if before is None:
        return None, False, False
    message = None
    if _still_true(cur, before, when.date()):
        message = run(cur, "take_message", {"id": message_id, "now": when, "lease_until": when + LEASE, "sender": name})
        taken = message is not None
    else:
        taken = run(cur, "withdraw_message", {"id": message_id, "now": when, "reason": "no longer due"}) is not None
    if not taken:
        return None, False, False
    lost = before["status"] == "sending"
    if lost:
        # The last claim ran out with no outcome: its sender stopped, or overran its lease. It may
        # or may not have sent; that attempt is recorded as lost and the message goes out again.
        detail = f"claim of {before['claimed_by']} ran out before an outcome was recorded"
        run(
            cur,
            "insert_outbox_attempt",
            {
                "message_id": message_id,
                "now": when,
                "outcome": "lost",
                "detail": detail,
                "sender": before["claimed_by"],
            },
        )
    if message is None:
        write_audit(cur, SYSTEM, "withdraw", "outbox", message_id, after={"reason": "no longer due"})
    return message, message is None, lost


def _record(cur: Any, message: dict[str, Any], when: dt.datetime, name: str, failure: SendFailed | None) -> bool:
    """Record one attempt and, if this claim still holds, the message's new state; True if given up."""
    claim = {"id": message["id"], "sender": name, "attempts": message["attempts"]}
    attempt = {"message_id": message["id"], "now": when, "sender": name}
    if failure is None:
        run(cur, "mark_message_sent", {**claim, "now": when})
        run(cur, "insert_outbox_attempt", {**attempt, "outcome": "sent", "detail": None})
        write_audit(cur, SYSTEM, "sent", "outbox", message["id"], after={"attempts": message["attempts"]})
        return False
    gave_up = failure.permanent or message["attempts"] >= MAX_ATTEMPTS
    run(
        cur,
        "mark_message_failed",
        {
            **claim,
            "status": "abandoned" if gave_up else "pending",
            "next_attempt_at": when + backoff(message["attempts"]),
            "error": str(failure),
        },
    )
    run(cur, "insert_outbox_attempt", {**attempt, "outcome": "error", "detail": str(failure)})
    if gave_up:
        write_audit(cur, SYSTEM, "abandon", "outbox", message["id"], after={"error": str(failure)})
    return gave_up


def send_due_messages(
    db: Database,
    senders: Mapping[str, Sender],
    *,
    at: dt.datetime | None = None,
    limit: int = 200,
    name: str | None = None,
    stop: threading.Event | None = None,
) -> SendReport:
    """Send what is due on the configured channels; every attempt and its outcome is recorded.

    Each message is claimed in a transaction of its own just before it is sent, so its lease runs
    from its own claim, not from the start of a long run. `at` fixes the clock (tests); otherwise
    every step reads this server's clock, which must agree with the other senders' to well within
    `LEASE` (NTP does). `stop`, once set, ends the pass between two messages: the one in flight
    is sent and recorded first, so a sender stopped on purpose never leaves a claim behind.
    """
    clock = (lambda: at) if at is not None else now
    name = name or sender_name()
    report = {"sent": 0, "failed": 0, "abandoned": 0, "withdrawn": 0, "lost": 0}
    channels = sorted(senders) or ["-"]
    idle = [c for c in CHANNELS if c not in senders] or ["-"]
    with closing(db.cursor()) as cur:
        due = [
            r["id"] for r in run(cur, "list_due_message_ids", {"channels": channels, "now": clock(), "limit": limit})
        ]
        # Due on a channel nobody sends on: they wait, untouched, for a sender to be configured.
        waiting = int(run(cur, "count_due_messages", {"channels": idle, "now": clock()}))
    try:
        for message_id in due:
            if stop is not None and stop.is_set():
                break
            when = clock()
            with db.transaction() as cur:
                message, withdrawn, lost = _claim(cur, message_id, when, name)
            report["withdrawn"] += withdrawn
            report["lost"] += lost
            if message is None:
                continue  # another sender took it, or it no longer holds
            failure: SendFailed | None = None
            try:
                senders[message["channel"]].send(message)
            except SendFailed as exc:
                failure = exc
            except Exception as exc:  # noqa: BLE001 - a sender's own fault must not strand the claim
                failure = SendFailed(f"{type(exc).__name__}: {exc}")
            with db.transaction() as cur:
                gave_up = _record(cur, message, clock(), name, failure)
            report["sent" if failure is None else "failed"] += 1
            report["abandoned"] += gave_up
    finally:
        close_senders(senders)
    return SendReport(**report, waiting=waiting)


def requeue_abandoned(db: Database, message_ids: list[int], *, at: dt.datetime | None = None) -> list[int]:
    """Put abandoned messages back in line (a gateway fixed after a long outage); returns those requeued."""
    when = at or now()
    requeued = []
    with db.transaction() as cur:
        for message_id in message_ids:
            if run(cur, "requeue_message", {"id": message_id, "now": when}) is not None:
                write_audit(cur, SYSTEM, "requeue", "outbox", message_id, after={"status": "pending"})
                requeued.append(message_id)
    return requeued


def message_attempts(db: Database, message_id: int) -> list[dict[str, Any]]:
    """Every attempt at one message and its outcome, oldest first."""
    with closing(db.cursor()) as cur:
        return list(run(cur, "list_message_attempts", {"id": message_id}))


def set_contact(db: Database, actor: Actor, party: str, party_id: int, *, lang: str, email: str | None) -> None:
    """Record the language (and e-mail address) a household, volunteer or donor is written to in."""
    if not actor.may_enter_records:
        raise PermissionDenied()
    email = (email or "").strip() or None
    errors = []
    if party not in PARTIES:
        errors.append(FieldError("party", "error.required"))
    if lang not in LANGS:
        errors.append(FieldError("lang", "fieldops.error.lang"))
    if email is not None and (len(email) > 254 or "@" not in email.strip("@") or " " in email):
        errors.append(FieldError("email", "fieldops.error.email"))
    if errors:
        raise ValidationError(errors)
    values = {"party": party, "party_id": party_id, "lang": lang, "email": email}
    with db.transaction() as cur:
        before = run(cur, "get_contact_preference", {"party": party, "party_id": party_id})
        run(cur, "upsert_contact_preference", values)
        write_audit(cur, actor, "update", "contact_preferences", party_id, before=before, after=values)


def mask(recipient: Any) -> str:
    """An address or number as the outbox list shows it: enough to tell two apart, not to use."""
    text = "" if recipient is None else str(recipient)
    if "@" in text:
        name, _, domain = text.partition("@")
        return f"{name[:1]}…@{domain}"
    return f"…{text[-3:]}" if len(text) > 3 else "…"


def outbox_overview(
    db: Database, actor: Actor, *, limit: int = 100, status: str | None = None
) -> tuple[dict[str, int], pd.DataFrame]:
    """Counts per status and the latest messages (of one status), recipients masked and texts left
    out (organisers and admins only)."""
    if not actor.sees_all_organisations:
        raise PermissionDenied()
    with closing(db.cursor()) as cur:
        counts = {r["status"]: int(r["messages"]) for r in run(cur, "count_outbox_by_status")}
        frame = run(cur, "list_outbox", {"limit": limit, "status": status})
    frame["recipient"] = frame["recipient"].map(mask)
    return counts, frame
