"""The outbox sent from inside the running app: a real `streamlit run app.py` on DuckDB (which no
`notify send` can open beside it) and a real SMTP server (aiosmtpd) on loopback. The household's
code and the day-before reminder arrive once each; a code reissued on the Deliveries page, while
the app runs, arrives once; nothing arrives twice over many passes; the sender stops with the server.
And the settings: no channel, or JESR_NOTIFY_IN_APP=0, start no thread."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from data_layer.distribution.allocation import save_allocations
from data_layer.distribution.deliveries import create_deliveries
from data_layer.distribution.routes import build_route
from data_layer.notify.background import in_app_settings, start_in_app_sender
from data_layer.notify.outbox import set_contact
from data_layer.ops.bootstrap import open_database
from data_layer.registry.donations import register_donation
from data_layer.registry.households import register_household
from data_layer.store.database import Database
from tests.conftest import ON_POSTGRES, actor_for
from tests.servers import start_app
from tests.streamlit_client import Tab, login_cookie
from tests.test_notify_send import Mailbox, _free_port

SALMA = "salma.inapp@example.org"


def _seed(db: Database) -> int:
    """Salma's delivery (written to in Arabic, by e-mail) on the demo volunteer's route tomorrow:
    her code and tomorrow's reminder are due today. Returns the delivery's id."""
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    atss, organiser, volunteer = (actor_for(db, name) for name in ("atss", "organiser", "volunteer"))
    with db.transaction() as cur:
        cur.execute(
            "UPDATE volunteers SET available_to = ? WHERE id = ?",
            [tomorrow + dt.timedelta(days=30), volunteer.volunteer_id],
        )
    donation = register_donation(
        db,
        atss,
        {
            "donor_type": "individual",
            "donor_name": "Donor",
            "category": "clothes",
            "kind": "in_kind",
            "item": "Coats",
            "quantity": "2",
            "unit": "piece",
            "governorate": "TN-11",
            "received_on": dt.date(2020, 5, 10),
        },
    )
    household = register_household(
        db,
        atss,
        {
            "national_id": "93000001",
            "full_name": "Salma Inapp",
            "phone": "+21652000001",
            "governorate": "TN-11",
            "delegation": "Bab Souika",
            "address": "نهج 4",
            "household_size": 3,
            "vulnerabilities": "",
            "needs": "clothes:1",
        },
    )
    need = db.conn.execute("SELECT id FROM needs WHERE household_id = ?", [household]).fetchall()[0][0]
    save_allocations(db, atss, [{"donation_id": donation, "need_id": need, "quantity": 1, "category_code": "clothes"}])
    create_deliveries(db, atss, governorate_code="TN-11")
    delivery = int(db.conn.execute("SELECT id FROM deliveries WHERE household_id = ?", [household]).fetchall()[0][0])
    build_route(
        db,
        organiser,
        governorate_code="TN-11",
        delegation="Bab Souika",
        volunteer_id=volunteer.volunteer_id,
        day=tomorrow,
        delivery_ids=[delivery],
    )
    set_contact(db, atss, "household", household, lang="ar", email=SALMA)
    return delivery


def _wait_for(condition: Callable[[], bool], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.skipif(ON_POSTGRES, reason="the case this covers is DuckDB's: one process holds the file")
def test_the_running_app_sends_the_outbox_once_each_and_stops_with_the_server(db_path: Path, tmp_path: Path) -> None:
    database = open_database(db_path)
    try:
        delivery = _seed(database)
        first_code = database.conn.execute("SELECT confirmation_code FROM deliveries WHERE id = ?", [delivery])
        first_code = first_code.fetchall()[0][0]
    finally:
        database.close()
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    env = {
        "JESR_SMTP_HOST": "127.0.0.1",
        "JESR_SMTP_PORT": str(controller.port),
        "JESR_SMTP_FROM": "jesr@example.org",
        "JESR_SMS_URL": "",
        "JESR_NOTIFY_IN_APP": "1",
        "JESR_NOTIFY_EVERY": "0.5",
    }
    server = start_app(db_path, tmp_path / "streamlit.log", env=env)
    try:
        tab = Tab(server.url, login_cookie("atss"), lang="ar")
        try:
            assert tab.rerun("").exceptions == []  # the first page view starts the server's sender
            assert _wait_for(lambda: len(mailbox.to(SALMA)) >= 2), server.log_tail()
            # A code reissued in the app while it runs: the new code goes out from the app too.
            shown = tab.rerun("deliveries")
            options = shown.widgets["deliveries_delivery"].options
            label = next(o for o in options if o.startswith(f"#{delivery} "))
            tab.set("deliveries_delivery", label)
            tab.rerun("deliveries")
            reissued = tab.rerun("deliveries", press=f"deliveries_reissue_{delivery}")
            assert reissued.exceptions == [] and reissued.texts("success") != []
            assert _wait_for(lambda: len(mailbox.to(SALMA)) >= 3), server.log_tail()
        finally:
            tab.close()
        time.sleep(3)  # six more passes of the sender: they must add nothing
    finally:
        server.stop()
        controller.stop()
    keys = sorted(m["X-Jesr-Key"] for m in mailbox.to(SALMA))
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert keys == [f"code:{delivery}:{tomorrow}", f"code:{delivery}:{tomorrow}:2", f"reminder:{delivery}:{tomorrow}"]
    assert server.process.returncode == 0, server.log_tail()
    database = open_database(db_path)
    try:
        rows = database.conn.execute(
            "SELECT o.dedupe_key, o.status, o.claimed_by, count(a.id) FROM outbox o"
            " LEFT JOIN outbox_attempts a ON a.message_id = o.id WHERE o.recipient = ?"
            " GROUP BY ALL ORDER BY o.dedupe_key",
            [SALMA],
        ).fetchall()
        new_code = database.conn.execute("SELECT confirmation_code FROM deliveries WHERE id = ?", [delivery])
        new_code = new_code.fetchall()[0][0]
    finally:
        database.close()
    # The first code was withdrawn only if still unsent; it went out first, so all three are sent,
    # each with one attempt, by this app server's sender.
    assert [(k, s, n) for k, s, _, n in rows] == [(k, "sent", 1) for k in keys]
    assert all(str(by).endswith(f":{server.process.pid}:app") for _, _, by, _ in rows)
    bodies = {m["X-Jesr-Key"]: m.get_content() for m in mailbox.to(SALMA)}
    assert str(first_code) in bodies[f"code:{delivery}:{tomorrow}"]
    assert new_code != first_code and str(new_code) in bodies[f"code:{delivery}:{tomorrow}:2"]


def test_no_channel_or_switched_off_starts_no_sender_and_a_started_one_stops(db: Database, tmp_path: Path) -> None:
    nowhere = str(tmp_path / "no-secrets.toml")
    assert start_in_app_sender(db, {"JESR_SECRETS_FILE": nowhere}) is None
    off = {"JESR_SECRETS_FILE": nowhere, "JESR_SMTP_HOST": "127.0.0.1", "JESR_NOTIFY_IN_APP": "0"}
    assert start_in_app_sender(db, off) is None
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[smtp]\nhost = "127.0.0.1"\n[notify]\nevery = 7\n')
    assert in_app_settings({"JESR_SECRETS_FILE": str(secrets)}) == (True, 7.0)
    with pytest.raises(ValueError, match="JESR_NOTIFY_EVERY"):
        in_app_settings({"JESR_SECRETS_FILE": nowhere, "JESR_NOTIFY_EVERY": "soon"})
    # A malformed setting starts nothing, and does not stop the app from serving.
    assert start_in_app_sender(db, {**off, "JESR_NOTIFY_IN_APP": "1", "JESR_NOTIFY_EVERY": "soon"}) is None
    assert (
        start_in_app_sender(db, {"JESR_SECRETS_FILE": nowhere, "JESR_SMS_URL": "http://x", "JESR_SMS_METHOD": "PUT"})
        is None
    )
    # Nothing is due in the demo today, and port 9 refuses: a pass runs, the thread stops on request.
    env = {
        "JESR_SECRETS_FILE": nowhere,
        "JESR_SMTP_HOST": "127.0.0.1",
        "JESR_SMTP_PORT": "9",
        "JESR_NOTIFY_EVERY": "60",
    }
    sender = start_in_app_sender(db, env)
    assert sender is not None and sender.running
    assert _wait_for(lambda: sender.passes >= 1, timeout=30)
    started = time.monotonic()
    sender.stop()
    assert not sender.running and time.monotonic() - started < 5  # not the 60 s pause
    assert sender.last_error is None and sender.last_report is not None
    assert "jesr-outbox-sender" not in [t.name for t in threading.enumerate()]


def test_two_app_servers_senders_send_each_message_once(db: Database, db_path: Path, tmp_path: Path) -> None:
    """Two servers' background senders at once (on PostgreSQL, each with its own pool, as two app
    servers have; on DuckDB, two threads over the one connection): each message reaches the SMTP
    server once, claimed by one of them."""
    delivery = _seed(db)
    mailbox = Mailbox(delay=0.3)  # a slow server keeps both senders busy at the same time
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    env = {
        "JESR_SECRETS_FILE": str(tmp_path / "no-secrets.toml"),
        "JESR_SMTP_HOST": "127.0.0.1",
        "JESR_SMTP_PORT": str(controller.port),
        "JESR_NOTIFY_EVERY": "0.5",
    }
    other = open_database(db_path) if ON_POSTGRES else db
    senders = []
    try:
        senders = [start_in_app_sender(db, env, name="server-1"), start_in_app_sender(other, env, name="server-2")]
        assert all(s is not None for s in senders)
        assert _wait_for(lambda: len(mailbox.to(SALMA)) >= 2)
        assert _wait_for(lambda: all(s.passes >= 4 for s in senders))  # type: ignore[union-attr]
    finally:
        for sender in senders:
            if sender is not None:
                sender.stop()
        controller.stop()
        if other is not db:
            other.close()
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert sorted(m["X-Jesr-Key"] for m in mailbox.to(SALMA)) == [
        f"code:{delivery}:{tomorrow}",
        f"reminder:{delivery}:{tomorrow}",
    ]
    rows = db.conn.execute(
        "SELECT o.status, count(a.id) FROM outbox o JOIN outbox_attempts a ON a.message_id = o.id"
        " WHERE o.recipient = ? GROUP BY o.id, o.status",
        [SALMA],
    ).fetchall()
    assert rows == [("sent", 1), ("sent", 1)]
    claimants = db.conn.execute("SELECT claimed_by FROM outbox WHERE recipient = ?", [SALMA]).fetchall()
    assert {c for (c,) in claimants} <= {"server-1", "server-2"}
