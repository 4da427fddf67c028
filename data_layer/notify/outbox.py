"""The outbox: messages derived from the data, each sent once, every attempt recorded.

`queue_due_messages` looks at what the data says people should be told and queues what is not
queued yet: a household's code and delivery day once its delivery has a firm day (a volunteer or
a pick-up point), a reminder the day before, a volunteer's route, a donor's receipt. Each message
has a key naming what it is about (`code:12`, `reminder:12:2020-05-21`, `route:3`, `receipt:40`),
unique in the table: queueing again, from any server, adds nothing.

`send_due_messages` takes each due message with a conditional UPDATE (a lease: two senders never
take the same one), sends it outside any transaction, then records the outcome. A failure waits
with back-off (1, 2, 4 … minutes, at most 6 hours) and is tried again on a later run; after
`MAX_ATTEMPTS` the message is abandoned, never dropped. A channel with no sender configured keeps
its messages waiting untouched. A sender stopped between sending and recording (a crash) leaves
the message leased; once the lease ends it is sent again — the key travels with it (Message-ID,
the gateway's `key`) so the far end can recognise the repeat.

Messages are written in the recipient's language (`contact_preferences`, else the account's, else
Arabic) and go by e-mail when an address is known, else by SMS.
"""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import pandas as pd

from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import FieldError, PermissionDenied, ValidationError
from data_layer.core.i18n import LANGS, format_date, format_number, t
from data_layer.core.statuses import INACTIVE_HOUSEHOLD_STATUSES
from data_layer.notify.senders import Sender, SendFailed
from data_layer.store.audit import write_audit
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
        "dedupe_key": f"code:{row['delivery_id']}",
        "kind": "household_code",
        "subject": t("notify.code.subject", lang),
        "body": t(body_key, lang, code=row["confirmation_code"], day=day, **_where(row, lang)),
        "related_table": "deliveries",
        "related_id": row["delivery_id"],
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
    }


def _receipt_message(row: dict[str, Any]) -> dict[str, Any]:
    lang = row["lang"]
    what = (
        f"{format_number(row['value_tnd'] or row['quantity'], lang)} TND"
        if row["kind"] == "cash"
        else f"{row['item']} × {format_number(row['quantity'], lang)} {t('unit.' + row['unit'], lang)}"
    )
    return {
        "dedupe_key": f"receipt:{row['donation_id']}",
        "kind": "receipt",
        "subject": t("notify.receipt.subject", lang),
        "body": t(
            "notify.receipt.body",
            lang,
            organisation=row["organisation"],
            what=what,
            day=format_date(row["received_on"], lang),
        ),
        "related_table": "donations",
        "related_id": row["donation_id"],
    }


def queue_due_messages(db: Database, *, today: dt.date | None = None, at: dt.datetime | None = None) -> int:
    """Queue every message the data calls for and the outbox does not hold yet; returns how many."""
    day = today or dt.date.today()
    when = at or now()
    inactive = list(INACTIVE_HOUSEHOLD_STATUSES)
    queued = 0
    with db.transaction() as cur:
        sources = [
            (run(cur, "list_code_messages_due", {"today": day, "inactive_statuses": inactive}), _code_message),
            (
                run(cur, "list_reminders_due", {"tomorrow": day + dt.timedelta(days=1), "inactive_statuses": inactive}),
                _reminder_message,
            ),
            (run(cur, "list_route_messages_due", {"today": day}), _route_message),
            (run(cur, "list_receipts_due", {"since": day - dt.timedelta(days=RECEIPT_DAYS)}), _receipt_message),
        ]
        for rows, build in sources:
            for row in rows:
                address = _channel(row)
                if address is None:
                    continue
                row["lang"] = row["lang"] if row["lang"] in LANGS else "ar"
                message = {**build(row), "channel": address[0], "recipient": address[1], "lang": row["lang"]}
                message_id = run(cur, "insert_outbox_message", {**message, "now": when})
                if message_id is None:
                    continue
                write_audit(
                    cur,
                    SYSTEM,
                    "queue",
                    "outbox",
                    message_id,
                    after={k: message[k] for k in ("dedupe_key", "kind", "channel", "lang")},
                )
                queued += 1
    return queued


def send_due_messages(
    db: Database, senders: dict[str, Sender], *, at: dt.datetime | None = None, limit: int = 200
) -> SendReport:
    """Send what is due on the configured channels; every attempt and its outcome is recorded."""
    when = at or now()
    channels = sorted(senders) or ["-"]
    sent = failed = abandoned = 0
    with closing(db.cursor()) as cur:
        due = [r["id"] for r in run(cur, "list_due_message_ids", {"channels": channels, "now": when, "limit": limit})]
        # Due on a channel nobody sends on: they wait, untouched, for a sender to be configured.
        idle = [c for c in CHANNELS if c not in senders]
        waiting = len(run(cur, "list_due_message_ids", {"channels": idle, "now": when, "limit": limit})) if idle else 0
    for message_id in due:
        with db.transaction() as cur:
            message = run(cur, "take_message", {"id": message_id, "now": when, "lease_until": when + LEASE})
        if message is None:
            continue  # another sender took it
        try:
            senders[message["channel"]].send(message)
        except SendFailed as exc:
            gave_up = message["attempts"] >= MAX_ATTEMPTS
            status = "abandoned" if gave_up else "pending"
            with db.transaction() as cur:
                run(
                    cur,
                    "mark_message_failed",
                    {
                        "id": message_id,
                        "status": status,
                        "next_attempt_at": when + backoff(message["attempts"]),
                        "error": str(exc),
                    },
                )
                run(
                    cur,
                    "insert_outbox_attempt",
                    {"message_id": message_id, "now": when, "outcome": "error", "detail": str(exc)},
                )
                if gave_up:
                    write_audit(cur, SYSTEM, "abandon", "outbox", message_id, after={"error": str(exc)})
            failed += 1
            abandoned += gave_up
        else:
            with db.transaction() as cur:
                run(cur, "mark_message_sent", {"id": message_id, "now": when})
                run(
                    cur,
                    "insert_outbox_attempt",
                    {"message_id": message_id, "now": when, "outcome": "sent", "detail": None},
                )
                write_audit(cur, SYSTEM, "sent", "outbox", message_id, after={"attempts": message["attempts"]})
            sent += 1
    return SendReport(sent=sent, failed=failed, abandoned=abandoned, waiting=waiting)


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


def outbox_overview(db: Database, actor: Actor, *, limit: int = 100) -> tuple[dict[str, int], pd.DataFrame]:
    """Counts per status and the latest messages, recipients masked and texts left out (organisers)."""
    if not actor.sees_all_organisations:
        raise PermissionDenied()
    with closing(db.cursor()) as cur:
        counts = {r["status"]: int(r["messages"]) for r in run(cur, "count_outbox_by_status")}
        frame = run(cur, "list_outbox", {"limit": limit})
    frame["recipient"] = frame["recipient"].map(mask)
    return counts, frame
