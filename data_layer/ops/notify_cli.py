"""`notify`: queue and send the outbox (e-mail, SMS), see what it holds, retry what was given up
(docs/notifications.md). Recipients are shown masked, texts never: a text may hold a household's code."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from data_layer.core.actor import Actor
from data_layer.store.database import Database

# The command line reads the outbox as an organiser does: masked recipients, no texts.
OPERATOR = Actor(user_id=None, username="cli-operator", role="organiser")
STATUSES = ("pending", "sending", "sent", "abandoned", "withdrawn")


def add_parser(sub: argparse._SubParsersAction) -> None:
    notify = sub.add_parser("notify", help="send the outbox of messages (e-mail, SMS) and see what it holds")
    notify_sub = notify.add_subparsers(dest="notify_command", required=True)
    send = notify_sub.add_parser("send", help="queue what is due and send it, every --every seconds until stopped")
    send.add_argument("--once", action="store_true", help="one pass, then exit (for a timer or cron entry)")
    send.add_argument("--every", type=int, default=60, metavar="SECONDS", help="pause between passes (default 60)")
    notify_sub.add_parser("status", help="messages per status, and which channels have a sender")
    show = notify_sub.add_parser("list", help="the latest messages, recipients masked")
    show.add_argument("--status", choices=STATUSES)
    show.add_argument("--limit", type=int, default=50)
    show_one = notify_sub.add_parser("show", help="one message's every attempt, its outcome and sender")
    show_one.add_argument("id", type=int)
    retry = notify_sub.add_parser("retry", help="put abandoned messages back in line")
    retry.add_argument("ids", nargs="+", type=int, metavar="ID")


def _one_pass(db: Database, stop: threading.Event | None = None) -> int:
    from data_layer.notify.outbox import queue_due_messages, send_due_messages
    from data_layer.notify.senders import senders_from_env

    senders = senders_from_env()
    queued = queue_due_messages(db)
    report = send_due_messages(db, senders, stop=stop)
    print(
        f"queued {queued}, sent {report.sent}, failed {report.failed} (given up {report.abandoned}), "
        f"withdrawn {report.withdrawn}, lost claims resent {report.lost}, waiting for a sender {report.waiting}",
        flush=True,
    )
    return report.failed


def run_command(db: Database, args: argparse.Namespace) -> int:
    from data_layer.notify.outbox import message_attempts, outbox_overview, requeue_abandoned
    from data_layer.notify.senders import senders_from_env

    if args.notify_command == "send":
        channels = sorted(senders_from_env())
        if not channels:
            print("No sender configured (JESR_SMTP_HOST, JESR_SMS_URL): messages are queued and wait.", file=sys.stderr)
        if args.once:
            _one_pass(db)
            return 0
        # SIGTERM (systemd, docker stop) and Ctrl-C end the loop between two messages: the one in
        # flight is sent and recorded, so a planned stop leaves no claim to run out.
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        while not stop.is_set():
            _one_pass(db, stop)
            stop.wait(max(args.every, 1))
        print("Stopped.", flush=True)
        return 0
    if args.notify_command == "status":
        counts, _ = outbox_overview(db, OPERATOR, limit=1)
        for status in STATUSES:
            print(f"{status}: {counts.get(status, 0)}")
        configured = sorted(senders_from_env())
        print(f"senders: {', '.join(configured) if configured else 'none'}")
        return 0
    if args.notify_command == "list":
        _, frame = outbox_overview(db, OPERATOR, limit=args.limit, status=args.status)
        print(frame.to_string(index=False) if len(frame) else "No messages.")
        return 0
    if args.notify_command == "show":
        attempts = message_attempts(db, args.id)
        for attempt in attempts:
            print(
                f"{attempt['attempted_at']}  {attempt['outcome']:<5}  {attempt['sender'] or '-'}  {attempt['detail'] or ''}"
            )
        if not attempts:
            print(f"No attempt at message {args.id} on record.")
        return 0
    requeued = requeue_abandoned(db, args.ids)
    skipped = [i for i in args.ids if i not in requeued]
    print(f"Requeued {len(requeued)} message(s).")
    if skipped:
        print(f"Not abandoned, left as they are: {', '.join(map(str, skipped))}", file=sys.stderr)
        return 1
    return 0
