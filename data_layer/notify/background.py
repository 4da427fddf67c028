"""The outbox sent from inside a running app server: one background thread per server process.

A DuckDB file is held by the one process that serves the app, so `notify send` cannot run beside
it; without this thread, messages on a default install would wait until the app is stopped. The
thread does what `notify send` does, pass after pass: `queue_due_messages`, then
`send_due_messages` with the same claims, leases and fencing, over the app's own `Database` (its
writes take the store's write lock for a few milliseconds per message; every send runs outside
any transaction). Several app servers on PostgreSQL each run one: the claims let exactly one of
them send each message, as they do for several `notify send` processes.

It starts only when a channel is configured (the same settings as `notify send`: JESR_SMTP_*,
JESR_SMS_*, from the environment or the secrets file), and not when `JESR_NOTIFY_IN_APP` is `0`
(a deployment that runs `notify send` under a timer instead). `JESR_NOTIFY_EVERY` is the pause
between passes in seconds (60). `stop()` ends it between two messages, the one in flight sent and
recorded first, and runs by itself when the process exits. See docs/notifications.md.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from data_layer.notify.outbox import SendReport, queue_due_messages, send_due_messages, sender_name
from data_layer.notify.senders import Sender, sender_settings, senders_from_env
from data_layer.store.database import Database

log = logging.getLogger(__name__)

DEFAULT_EVERY_S = 60.0
# How long a stop waits for the message in flight (an SMTP send times out after 10 s).
STOP_WAIT_S = 15.0
OFF = ("0", "false", "no", "off")


@dataclass
class OutboxSender:
    """A thread that queues and sends the outbox every `every` seconds until `stop()`."""

    db: Database
    senders_factory: Callable[[], Mapping[str, Sender]]
    every: float = DEFAULT_EVERY_S
    name: str = field(default_factory=lambda: sender_name() + ":app")
    passes: int = 0
    last_report: SendReport | None = None
    last_error: str | None = None
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> OutboxSender:
        # A daemon thread never keeps the server from exiting; the exit hook stops it properly.
        self._thread = threading.Thread(target=self._run, name="jesr-outbox-sender", daemon=True)
        self._thread.start()
        atexit.register(self.stop)
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                queue_due_messages(self.db)
                # New senders each pass, as `notify send` has: one SMTP connection per pass, closed after it.
                self.last_report = send_due_messages(self.db, self.senders_factory(), name=self.name, stop=self._stop)
                self.last_error = None
            except Exception as exc:  # noqa: BLE001 - a database away or a bad setting: try again next pass
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("outbox sender pass failed: %s", self.last_error)
            self.passes += 1
            self._stop.wait(self.every)

    def stop(self, timeout: float = STOP_WAIT_S) -> None:
        """End the loop between two messages and wait for the one in flight to be recorded."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        atexit.unregister(self.stop)


def in_app_settings(environ: Mapping[str, str] | None = None) -> tuple[bool, float]:
    """Whether the app sends the outbox itself (JESR_NOTIFY_IN_APP) and every how many seconds."""
    settings = sender_settings(environ)
    enabled = settings.get("JESR_NOTIFY_IN_APP", "1").strip().lower() not in OFF
    try:
        every = max(float(settings.get("JESR_NOTIFY_EVERY") or DEFAULT_EVERY_S), 0.5)
    except ValueError as exc:
        raise ValueError("JESR_NOTIFY_EVERY must be a number of seconds") from exc
    return enabled, every


def start_in_app_sender(
    db: Database, environ: Mapping[str, str] | None = None, *, name: str | None = None
) -> OutboxSender | None:
    """Start the server's background sender, or None: switched off, no channel configured, or a
    setting malformed (logged; the app itself keeps serving, and `notify status` names the fault)."""
    try:
        enabled, every = in_app_settings(environ)
        configured = enabled and bool(senders_from_env(environ))
    except ValueError as exc:
        log.warning("outbox sender not started: %s", exc)
        return None
    if not configured:
        return None
    sender = OutboxSender(db, lambda: senders_from_env(environ), every=every)
    if name is not None:
        sender.name = name  # who holds the claims; by default this host and process (`host:pid:app`)
    return sender.start()
