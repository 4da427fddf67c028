"""Sending the outbox for real: e-mail to an SMTP server on loopback (aiosmtpd), SMS to an HTTP
gateway on loopback; once each, in the recipient's language, waiting while a channel is down,
and never twice when two senders run at once."""

from __future__ import annotations

import datetime as dt
import email
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from aiosmtpd.controller import Controller

from data_layer.core.actor import Actor
from data_layer.core.i18n import format_date, t
from data_layer.core.receipt_codes import grouped
from data_layer.distribution.allocation import save_allocations
from data_layer.distribution.deliveries import (
    advance_delivery,
    assign_volunteer,
    create_deliveries,
    reissue_confirmation_code,
)
from data_layer.distribution.routes import build_route
from data_layer.notify.outbox import (
    LEASE,
    message_attempts,
    outbox_overview,
    queue_due_messages,
    send_due_messages,
    sender_name,
    set_contact,
)
from data_layer.notify.senders import HttpSmsSender, SendFailed, SmtpSender, senders_from_env
from data_layer.ops.bootstrap import open_database
from data_layer.ops.cli import main as cli_main
from data_layer.registry.donations import register_donation
from data_layer.registry.households import register_household
from data_layer.store.database import Database
from tests.conftest import ON_POSTGRES, ROOT

DAY = dt.date(2020, 5, 17)  # the demo volunteer (on foot: 3 a day) carries nothing that day
EVE = DAY - dt.timedelta(days=1)
AT = dt.datetime(2020, 5, 16, 18, 0, 0)  # the evening before, when the sender runs
SALMA = "salma@example.org"
PHONE = "+21650000001"


# --- the far ends: a real SMTP server and a real HTTP gateway on loopback -------------------------


class Mailbox:
    """aiosmtpd's handler: keeps every message it accepts; `refuse` answers 451 (try later)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.messages: list[EmailMessage] = []
        self.connections: set[tuple[str, int]] = set()
        self.refuse = False
        self.delay = delay
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        if self.refuse:
            return "451 4.3.0 try again later"
        if self.delay:
            time.sleep(self.delay)  # a slow server keeps two senders' sends overlapping
        parsed = email.message_from_bytes(envelope.original_content, policy=default_policy)
        with self.lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
            self.connections.add(session.peer)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, SmtpSender]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield mailbox, SmtpSender(host="127.0.0.1", port=controller.port, sender="jesr@example.org")
    finally:
        controller.stop()


class Gateway:
    """Requests the SMS gateway received; `status` is what it answers (503: down)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200

    def texts_to(self, number: str) -> list[str]:
        return [r["json"]["text"] for r in self.requests if r["json"] and r["json"]["to"] == number]


@pytest.fixture
def gateway() -> Iterator[tuple[Gateway, str]]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.requests.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "auth": self.headers.get("Authorization"),
                    "api_key": self.headers.get("X-Api-Key"),
                    "json": json.loads(body) if body else None,
                }
            )
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_GET = _answer  # noqa: N815 - http.server's names

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/send"
    finally:
        server.shutdown()
        server.server_close()


# --- the data: one household of ATSS with its delivery on a volunteer's route on DAY ---------------


def _one(db: Database, sql: str, params: object = None) -> Any:
    return db.conn.execute(sql, params or []).fetchall()[0][0]


def _rows(db: Database, sql: str, params: object = None) -> list[tuple]:
    return db.conn.execute(sql, params or []).fetchall()


@pytest.fixture
def demo_told(db: Database) -> None:
    """The demo's households were told of their deliveries before: those messages are on record
    as sent, so what a test sends is its own households' alone."""
    queue_due_messages(db, today=EVE, at=AT)
    with db.transaction() as cur:
        cur.execute("UPDATE outbox SET status = 'sent', sent_at = ?", [AT])


@pytest.fixture
def salma(db: Database, actors: dict[str, Actor], demo_told: None) -> dict[str, Any]:
    """Salma's household (written to in Arabic, by e-mail) and Hedi's (no e-mail: by SMS), each
    with a coat on a delivery of the demo volunteer's route on DAY."""
    atss = actors["atss"]
    donation = register_donation(
        db,
        atss,
        {
            "donor_type": "individual",
            "donor_name": "Donor",
            "category": "clothes",
            "kind": "in_kind",
            "item": "Coats",
            "quantity": "5",
            "unit": "piece",
            "governorate": "TN-11",
            "received_on": dt.date(2020, 5, 10),
        },
    )
    households = {}
    for national_id, name, phone, address in [
        ("91000001", "Salma Ben Ali", "+21650000101", "نهج 2"),
        ("91000002", "Hedi Trabelsi", PHONE, "نهج 9"),
    ]:
        households[name] = register_household(
            db,
            atss,
            {
                "national_id": national_id,
                "full_name": name,
                "phone": phone,
                "governorate": "TN-11",
                "delegation": "Bab Souika",
                "address": address,
                "household_size": 3,
                "vulnerabilities": "",
                "needs": "clothes:1",
            },
        )
    needs = dict(
        _rows(
            db, "SELECT household_id, id FROM needs WHERE list_contains(?, household_id)", [list(households.values())]
        )
    )
    save_allocations(
        db,
        atss,
        [
            {"donation_id": donation, "need_id": needs[h], "quantity": 1, "category_code": "clothes"}
            for h in households.values()
        ],
    )
    create_deliveries(db, atss, governorate_code="TN-11")
    deliveries = {
        name: int(_one(db, "SELECT id FROM deliveries WHERE household_id = ?", [household_id]))
        for name, household_id in households.items()
    }
    route_id = build_route(
        db,
        actors["organiser"],
        governorate_code="TN-11",
        delegation="Bab Souika",
        volunteer_id=actors["volunteer"].volunteer_id,
        day=DAY,
        delivery_ids=list(deliveries.values()),
    )
    set_contact(db, atss, "household", households["Salma Ben Ali"], lang="ar", email=SALMA)
    codes = {
        name: str(_one(db, "SELECT confirmation_code FROM deliveries WHERE id = ?", [d]))
        for name, d in deliveries.items()
    }
    return {"households": households, "deliveries": deliveries, "codes": codes, "route": route_id}


def _outbox(db: Database, key_prefix: str) -> list[tuple]:
    return _rows(
        db,
        "SELECT dedupe_key, status, attempts, last_error FROM outbox WHERE dedupe_key LIKE ? ORDER BY id",
        [key_prefix + "%"],
    )


def _attempts(db: Database, dedupe_key: str) -> list[str]:
    message_id = int(_one(db, "SELECT id FROM outbox WHERE dedupe_key = ?", [dedupe_key]))
    return [a["outcome"] for a in message_attempts(db, message_id)]


# --- the tests -----------------------------------------------------------------------------------


def test_the_code_and_the_reminder_reach_the_smtp_server_once_each_in_arabic(db, salma, smtp) -> None:
    mailbox, sender = smtp
    delivery, code = salma["deliveries"]["Salma Ben Ali"], salma["codes"]["Salma Ben Ali"]
    queue_due_messages(db, today=EVE, at=AT)
    report = send_due_messages(db, {"email": sender}, at=AT)
    # Queued again and sent again, later and from the start: nothing more reaches the server.
    assert queue_due_messages(db, today=EVE, at=AT) == 0
    again = send_due_messages(db, {"email": sender}, at=AT + dt.timedelta(hours=1))
    received = mailbox.to(SALMA)
    assert sorted(m["Subject"] for m in received) == sorted(
        [t("notify.code.subject", "ar"), t("notify.reminder.subject", "ar")]
    )
    assert len(mailbox.messages) == 2 and report.sent == 2 and again.sent == 0
    assert len(mailbox.connections) == 1  # one connection for the pass, not one per message
    by_key = {m["X-Jesr-Key"]: m for m in received}
    day = format_date(DAY, "ar")
    code_mail = by_key[f"code:{delivery}:{DAY.isoformat()}"]
    assert code_mail.get_content().strip() == t("notify.code.body", "ar", code=code, day=day)
    assert code_mail["Content-Language"] == "ar" and code_mail["From"] == "jesr@example.org"
    reminder = by_key[f"reminder:{delivery}:{DAY.isoformat()}"]
    assert reminder.get_content().strip() == t("notify.reminder.body", "ar", day=day)
    assert _attempts(db, f"code:{delivery}:{DAY.isoformat()}") == ["sent"]
    # Hedi has no e-mail: his messages wait for an SMS sender, untouched.
    assert [(s, n) for _, s, n, _ in _outbox(db, f"code:{salma['deliveries']['Hedi Trabelsi']}:")] == [("pending", 0)]
    assert report.waiting == 3  # Hedi's code and reminder, the volunteer's route


def test_the_gateway_down_keeps_messages_waiting_with_the_error_and_sends_them_when_back(db, salma, gateway) -> None:
    state, url = gateway
    hedi = salma["deliveries"]["Hedi Trabelsi"]
    key = f"code:{hedi}:{DAY.isoformat()}"
    sms = {"sms": HttpSmsSender(url=url, token="s3cret")}
    queue_due_messages(db, today=EVE, at=AT)
    state.status = 503
    first = send_due_messages(db, sms, at=AT)
    assert (first.sent, first.failed) == (0, 3)  # Hedi's code and reminder, the volunteer's route
    assert _outbox(db, key) == [(key, "pending", 1, "sms gateway: HTTP 503")]
    assert _one(db, "SELECT next_attempt_at FROM outbox WHERE dedupe_key = ?", [key]) == AT + dt.timedelta(minutes=1)
    # Before the back-off ends nothing is tried; after it, still down: the wait doubles.
    tried = len(state.requests)
    send_due_messages(db, sms, at=AT + dt.timedelta(seconds=30))
    assert len(state.requests) == tried
    send_due_messages(db, sms, at=AT + dt.timedelta(minutes=1))
    assert _outbox(db, key) == [(key, "pending", 2, "sms gateway: HTTP 503")]
    assert _one(db, "SELECT next_attempt_at FROM outbox WHERE dedupe_key = ?", [key]) == AT + dt.timedelta(minutes=3)
    # Back up: everything goes out, once, with its key and the token.
    state.status = 200
    state.requests.clear()
    back = send_due_messages(db, sms, at=AT + dt.timedelta(minutes=3))
    assert back.failed == 0 and back.sent == first.failed
    assert _outbox(db, key) == [(key, "sent", 3, None)]
    assert _attempts(db, key) == ["error", "error", "sent"]
    assert state.texts_to(PHONE) == sorted(
        [
            t("notify.code.body", "ar", code=salma["codes"]["Hedi Trabelsi"], day=format_date(DAY, "ar")),
            t("notify.reminder.body", "ar", day=format_date(DAY, "ar")),
        ],
        key=[r["json"]["text"] for r in state.requests if r["json"]["to"] == PHONE].index,
    )
    assert {r["auth"] for r in state.requests} == {"Bearer s3cret"}
    assert len({r["json"]["key"] for r in state.requests}) == len(state.requests)
    # The volunteer is sent the route, in the account's language.
    [route] = [r["json"]["text"] for r in state.requests if r["json"]["key"] == f"route:{salma['route']}"]
    lang = _one(db, "SELECT lang FROM outbox WHERE dedupe_key = ?", [f"route:{salma['route']}"])
    assert lang == "ar"
    assert route == t("notify.route.body", lang, day=format_date(DAY, lang), delegation="Bab Souika", stops=2)
    assert send_due_messages(db, sms, at=AT + dt.timedelta(hours=1)).sent == 0


def test_two_senders_at_once_send_each_message_once(db, db_path, salma) -> None:
    mailbox = Mailbox(delay=0.02)
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        atss = Actor(user_id=None, username="atss", role="association", organisation_id=3)
        # Every household message of the day by e-mail, so both senders have the same work.
        for household_id in salma["households"].values():
            set_contact(db, atss, "household", household_id, lang="fr", email=f"h{household_id}@example.org")
        queued = queue_due_messages(db, today=EVE, at=AT)
        assert queued >= 4
        # Two servers: on PostgreSQL each has its own connections; a DuckDB file has one process.
        second = open_database(db_path) if ON_POSTGRES else db
        reports: dict[str, Any] = {}
        start = threading.Barrier(2)

        def run(name: str, database: Database) -> None:
            start.wait()
            sender = SmtpSender(host="127.0.0.1", port=controller.port)
            reports[name] = send_due_messages(database, {"email": sender}, at=AT, name=name)

        threads = [threading.Thread(target=run, args=(n, d)) for n, d in (("one", db), ("two", second))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        if second is not db:
            second.close()
    finally:
        controller.stop()
    emails = _rows(db, "SELECT dedupe_key FROM outbox WHERE channel = 'email' ORDER BY dedupe_key")
    keys = sorted(m["X-Jesr-Key"] for m in mailbox.messages)
    assert keys == [k for (k,) in emails] and len(keys) == 4
    assert reports["one"].sent + reports["two"].sent == 4
    assert _rows(db, "SELECT DISTINCT status, attempts FROM outbox WHERE channel = 'email'") == [("sent", 1)]
    assert _one(db, "SELECT count(*) FROM outbox_attempts WHERE outcome = 'sent'") == 4
    # In French, as recorded.
    assert {m["Content-Language"] for m in mailbox.messages} == {"fr"}


class Stop(BaseException):
    """A sender stopped mid-way (kill -9 of the process, as far as the outbox can tell)."""


def test_a_sender_stopped_before_sending_loses_nothing(db, db_path, salma, smtp, capsys) -> None:
    mailbox, sender = smtp
    delivery = salma["deliveries"]["Salma Ben Ali"]
    key = f"code:{delivery}:{DAY.isoformat()}"

    class StopsFirst:
        channel = "email"

        def send(self, message: dict[str, Any]) -> None:
            raise Stop()

    queue_due_messages(db, today=EVE, at=AT)
    with pytest.raises(Stop):
        send_due_messages(db, {"email": StopsFirst()}, at=AT, name="crashed")
    assert _outbox(db, key)[0][1] == "sending"
    # While the claim holds nobody else takes it; once it runs out it goes out, and the lost
    # attempt is on record.
    assert send_due_messages(db, {"email": sender}, at=AT + LEASE - dt.timedelta(seconds=1)).sent == 1  # the reminder
    assert mailbox.to(SALMA)[0]["X-Jesr-Key"].startswith("reminder:")
    later = send_due_messages(db, {"email": sender}, at=AT + LEASE + dt.timedelta(seconds=1))
    assert later.sent == 1 and later.lost == 1
    assert [m["X-Jesr-Key"] for m in mailbox.to(SALMA)].count(key) == 1
    assert _attempts(db, key) == ["lost", "sent"]
    message_id = _one(db, "SELECT id FROM outbox WHERE dedupe_key = ?", [key])
    assert cli_main(["--db", str(db_path), "notify", "show", str(message_id)]) == 0
    lost, sent = capsys.readouterr().out.splitlines()
    assert "lost   crashed  claim of crashed ran out" in lost and f"sent   {sender_name()}" in sent


def test_a_sender_stopped_after_sending_sends_again_with_the_same_key(db, salma, smtp) -> None:
    """The one edge of at-least-once: sent, then stopped before the record. The repeat carries the
    same Message-ID and key, so the far end can drop it."""
    mailbox, sender = smtp

    class SendsThenStops:
        channel = "email"

        def send(self, message: dict[str, Any]) -> None:
            sender.send(message)
            raise Stop()

    queue_due_messages(db, today=EVE, at=AT)
    with pytest.raises(Stop):
        send_due_messages(db, {"email": SendsThenStops()}, at=AT, name="crashed", limit=1)
    send_due_messages(db, {"email": sender}, at=AT + LEASE + dt.timedelta(seconds=1))
    first_key = mailbox.messages[0]["X-Jesr-Key"]
    repeats = [m for m in mailbox.messages if m["X-Jesr-Key"] == first_key]
    assert len(repeats) == 2 and repeats[0]["Message-ID"] == repeats[1]["Message-ID"]
    assert _attempts(db, first_key) == ["lost", "sent"]


def test_a_message_no_longer_true_is_withdrawn_and_a_new_day_is_told(db, salma, smtp, actors) -> None:
    mailbox, sender = smtp
    delivery = salma["deliveries"]["Salma Ben Ali"]
    queue_due_messages(db, today=EVE - dt.timedelta(days=1), at=AT)  # the code only: DAY is two days off
    # Moved to the day after before the sender ran: the old day is withdrawn, the new one told.
    new_day = DAY + dt.timedelta(days=1)
    assign_volunteer(db, actors["organiser"], delivery, actors["volunteer"].volunteer_id, new_day)
    queue_due_messages(db, today=EVE, at=AT)
    report = send_due_messages(db, {"email": sender}, at=AT)
    assert [(k, s) for k, s, _, _ in _outbox(db, f"code:{delivery}:")] == [
        (f"code:{delivery}:{DAY.isoformat()}", "withdrawn"),
        (f"code:{delivery}:{new_day.isoformat()}", "sent"),
    ]
    assert [m["X-Jesr-Key"] for m in mailbox.to(SALMA)] == [f"code:{delivery}:{new_day.isoformat()}"]
    assert report.withdrawn == 1
    # A cancelled delivery's reminder is never sent.
    queue_due_messages(db, today=DAY, at=AT)
    advance_delivery(db, actors["atss"], delivery, "cancelled")
    send_due_messages(db, {"email": sender}, at=AT + dt.timedelta(days=1))
    assert _outbox(db, f"reminder:{delivery}:") == [
        (f"reminder:{delivery}:{new_day.isoformat()}", "withdrawn", 0, "no longer due")
    ]
    assert len(mailbox.to(SALMA)) == 1


def test_a_reissued_code_withdraws_the_old_message_and_tells_the_new_code(db, salma, smtp, actors) -> None:
    mailbox, sender = smtp
    delivery, day = salma["deliveries"]["Salma Ben Ali"], DAY.isoformat()
    queue_due_messages(db, today=EVE - dt.timedelta(days=1), at=AT)
    new_code = reissue_confirmation_code(db, actors["atss"], delivery)
    assert queue_due_messages(db, today=EVE - dt.timedelta(days=1), at=AT) == 1
    send_due_messages(db, {"email": sender}, at=AT)
    assert [(k, st) for k, st, _, _ in _outbox(db, f"code:{delivery}:")] == [
        (f"code:{delivery}:{day}", "withdrawn"),
        (f"code:{delivery}:{day}:2", "sent"),
    ]
    [told] = mailbox.to(SALMA)
    assert told.get_content().strip() == t("notify.code.body", "ar", code=new_code, day=format_date(DAY, "ar"))
    assert queue_due_messages(db, today=EVE - dt.timedelta(days=1), at=AT) == 0


def test_without_a_language_of_their_own_people_are_written_to_in_their_countrys(db, salma) -> None:
    with db.transaction() as cur:
        cur.execute("UPDATE country_settings SET default_lang = 'fr' WHERE country_code = 'TN'")
    queue_due_messages(db, today=EVE, at=AT)
    hedi, salma_delivery = salma["deliveries"]["Hedi Trabelsi"], salma["deliveries"]["Salma Ben Ali"]
    langs = dict(
        _rows(
            db,
            "SELECT related_id, lang FROM outbox WHERE kind = 'household_code' AND related_id IN (?, ?)",
            [hedi, salma_delivery],
        )
    )
    assert langs == {hedi: "fr", salma_delivery: "ar"}  # Salma chose Arabic
    body = _one(db, "SELECT body FROM outbox WHERE kind = 'household_code' AND related_id = ?", [hedi])
    assert body == t("notify.code.body", "fr", code=salma["codes"]["Hedi Trabelsi"], day=format_date(DAY, "fr"))


def test_the_donor_gets_the_receipt_code_in_their_language(db, actors, demo_told, gateway) -> None:
    state, url = gateway
    donation = register_donation(
        db,
        actors["atss"],
        {
            "donor_type": "individual",
            "donor_name": "Karim Mansour",
            "donor_phone": "+21620000777",
            "category": "food",
            "kind": "in_kind",
            "item": "Rice",
            "quantity": "12",
            "unit": "kg",
            "governorate": "TN-11",
            "received_on": dt.date(2020, 5, 15),
        },
    )
    donor = _one(db, "SELECT donor_id FROM donations WHERE id = ?", [donation])
    set_contact(db, actors["atss"], "donor", donor, lang="fr", email=None)
    code = _one(db, "SELECT code FROM receipt_codes WHERE donation_id = ?", [donation])
    queue_due_messages(db, today=EVE, at=AT)
    send_due_messages(db, {"sms": HttpSmsSender(url=url)}, at=AT)
    [text] = state.texts_to("+21620000777")
    assert grouped(code) in text and text.startswith("Merci.")


def test_a_refusal_for_good_is_given_up_at_once_and_can_be_requeued(db, db_path, salma, gateway, capsys) -> None:
    state, url = gateway
    state.status = 400
    senders = senders_from_env(
        {
            "JESR_SECRETS_FILE": "/nonexistent/secrets.toml",
            "JESR_SMS_URL": url + "?to={to}&text={text}",
            "JESR_SMS_METHOD": "get",
            "JESR_SMS_AUTH_HEADER": "X-Api-Key: k-123",
        }
    )
    assert sorted(senders) == ["sms"]
    queue_due_messages(db, today=EVE, at=AT)
    report = send_due_messages(db, senders, at=AT)
    hedi = f"code:{salma['deliveries']['Hedi Trabelsi']}:{DAY.isoformat()}"
    assert _outbox(db, hedi) == [(hedi, "abandoned", 1, "sms gateway: HTTP 400")]
    assert report.abandoned == report.failed == 3
    request = next(r for r in state.requests if "to=%2B21650000001" in r["path"])
    assert request["method"] == "GET" and request["json"] is None and request["api_key"] == "k-123"
    assert parse_qs(urlparse(request["path"]).query)["text"][0].startswith("تصلكم")  # Arabic, intact
    message_id = int(_one(db, "SELECT id FROM outbox WHERE dedupe_key = ?", [hedi]))
    assert cli_main(["--db", str(db_path), "notify", "retry", str(message_id), str(message_id + 10_000)]) == 1
    assert "Requeued 1 message(s)." in capsys.readouterr().out
    assert _outbox(db, hedi) == [(hedi, "pending", 0, None)]


def test_the_command_line_sends_and_lists_without_showing_addresses(db, db_path, salma, smtp, monkeypatch, capsys):
    mailbox, sender = smtp
    monkeypatch.setenv("JESR_SECRETS_FILE", "/nonexistent/secrets.toml")
    monkeypatch.setenv("JESR_SMTP_HOST", sender.host)
    monkeypatch.setenv("JESR_SMTP_PORT", str(sender.port))
    monkeypatch.delenv("JESR_SMS_URL", raising=False)
    # The demo's days are long past: the command's pass finds nothing of Salma's due today.
    assert cli_main(["--db", str(db_path), "notify", "send", "--once"]) == 0
    assert "sent 0," in capsys.readouterr().out and mailbox.messages == []
    queue_due_messages(db, today=EVE, at=AT)
    assert cli_main(["--db", str(db_path), "notify", "status"]) == 0
    status = capsys.readouterr().out
    counts, frame = outbox_overview(db, Actor(user_id=None, username="o", role="organiser"), limit=1000)
    assert f"pending: {counts['pending']}" in status and "senders: email" in status
    assert cli_main(["--db", str(db_path), "notify", "list", "--status", "pending", "--limit", "1000"]) == 0
    shown = capsys.readouterr().out
    assert "s…@example.org" in shown and SALMA not in shown
    assert PHONE not in shown and "…001" in shown
    assert salma["codes"]["Hedi Trabelsi"] not in shown and "body" not in shown


def test_only_organisers_see_the_outbox_and_senders_read_the_secrets_file(db, tmp_path) -> None:
    from data_layer.core.errors import PermissionDenied

    for role in ("association", "observer", "volunteer"):
        with pytest.raises(PermissionDenied):
            outbox_overview(db, Actor(user_id=None, username="x", role=role, organisation_id=3))
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[smtp]\nhost = "mail.example.org"\nport = 587\nstarttls = true\nuser = "jesr"\npassword = "pw"\n'
        '[sms]\nurl = "https://sms.example.org/send"\nauth_header = "Authorization: Basic abc"\n',
        encoding="utf-8",
    )
    senders = senders_from_env({"JESR_SECRETS_FILE": str(secrets), "JESR_SMTP_PORT": "2525"})
    mail, sms = senders["email"], senders["sms"]
    assert isinstance(mail, SmtpSender) and isinstance(sms, HttpSmsSender)
    assert (mail.host, mail.port, mail.starttls, mail.user) == ("mail.example.org", 2525, True, "jesr")
    assert sms.request_for({"recipient": "+1", "body": "x", "dedupe_key": "k"}).get_header("Authorization") == (
        "Basic abc"
    )
    assert senders_from_env({"JESR_SECRETS_FILE": str(tmp_path / "none.toml")}) == {}
    with pytest.raises(ValueError):
        HttpSmsSender(url="http://x", auth_header="no colon")


def test_an_smtp_server_that_is_down_or_refuses_leaves_the_message_waiting(db, salma, smtp) -> None:
    mailbox, sender = smtp
    queue_due_messages(db, today=EVE, at=AT)
    mailbox.refuse = True
    refused = send_due_messages(db, {"email": sender}, at=AT)
    down = SmtpSender(host="127.0.0.1", port=_free_port())
    with pytest.raises(SendFailed) as failed:
        down.send({"id": 1, "recipient": SALMA, "subject": "s", "body": "b", "dedupe_key": "k", "lang": "ar"})
    assert "ConnectionRefusedError" in str(failed.value) and not failed.value.permanent
    assert refused.failed == 2 and refused.sent == 0
    errors = {e for _, _, _, e in _outbox(db, "code:") + _outbox(db, "reminder:") if e}
    assert errors == {"smtp: SMTPDataError: (451, b'4.3.0 try again later')"}
    mailbox.refuse = False
    assert send_due_messages(db, {"email": sender}, at=AT + dt.timedelta(minutes=1)).sent == 2
    assert len(mailbox.to(SALMA)) == 2


def test_the_sender_loop_sends_and_stops_cleanly_on_sigterm(db_path, smtp) -> None:
    mailbox, sender = smtp
    database = open_database(db_path)
    try:
        # A demo donor of one donation: exactly one receipt is theirs.
        donation = _one(
            database,
            "SELECT max(d.id) FROM donations d WHERE d.status = 'received'"
            " AND (SELECT count(*) FROM donations x WHERE x.donor_id = d.donor_id) = 1",
        )
        donor, received = _rows(database, "SELECT donor_id, received_on FROM donations WHERE id = ?", [donation])[0]
        staff = Actor(user_id=None, username="staff", role="organiser")
        set_contact(database, staff, "donor", donor, lang="en", email="donor@example.org")
        queue_due_messages(database, today=received)
    finally:
        database.close()
    env = {
        **os.environ,
        "JESR_SECRETS_FILE": "/nonexistent/secrets.toml",
        "JESR_SMTP_HOST": sender.host,
        "JESR_SMTP_PORT": str(sender.port),
    }
    env.pop("JESR_SMS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "data_layer", "--db", str(db_path), "notify", "send", "--every", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not mailbox.to("donor@example.org") and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert out.splitlines()[-1] == "Stopped." and "sent 1," in out
    [receipt] = mailbox.to("donor@example.org")
    assert receipt["Subject"] == t("notify.receipt.subject", "en")
