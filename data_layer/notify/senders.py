"""How a message leaves: e-mail over SMTP (smtplib), SMS through an HTTP gateway.

Both are configured from the environment, so a systemd timer or cron entry sets them once:

    JESR_SMTP_HOST, JESR_SMTP_PORT (25), JESR_SMTP_FROM, JESR_SMTP_USER, JESR_SMTP_PASSWORD,
    JESR_SMTP_STARTTLS (1 to upgrade the connection)
    JESR_SMS_URL (the gateway's endpoint), JESR_SMS_TOKEN (sent as a Bearer token)

The gateway receives a JSON POST `{"to": "+216…", "text": "…", "key": "code:12"}`; any 2xx answer
means accepted. `key` is the outbox's idempotency key: a gateway that keeps it refuses a repeat
even if a sender stopped between the send and its record. E-mail carries it as the Message-ID.
"""

from __future__ import annotations

import json
import os
import re
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol

TIMEOUT_S = 10


class SendFailed(Exception):
    """The channel did not take the message; the text says why (kept in the outbox)."""


class Sender(Protocol):
    channel: str

    def send(self, message: dict[str, Any]) -> None: ...


@dataclass
class SmtpSender:
    host: str
    port: int = 25
    sender: str = "jesr@localhost"
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    channel: str = "email"

    def send(self, message: dict[str, Any]) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message["recipient"]
        email["Subject"] = message["subject"] or ""
        email["Message-ID"] = make_msgid(idstring=re.sub(r"[^A-Za-z0-9.-]", ".", message["dedupe_key"]))
        email["X-Jesr-Key"] = message["dedupe_key"]
        email["Content-Language"] = message["lang"]
        email.set_content(message["body"])
        try:
            with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            raise SendFailed(f"smtp: {type(exc).__name__}: {exc}"[:300]) from exc


@dataclass
class HttpSmsSender:
    url: str
    token: str | None = None
    channel: str = "sms"

    def send(self, message: dict[str, Any]) -> None:
        payload = json.dumps(
            {"to": message["recipient"], "text": message["body"], "key": message["dedupe_key"]}, ensure_ascii=False
        ).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=payload, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                if not 200 <= response.status < 300:
                    raise SendFailed(f"sms gateway: HTTP {response.status}")
        except urllib.error.HTTPError as exc:
            raise SendFailed(f"sms gateway: HTTP {exc.code}") from exc
        except OSError as exc:
            raise SendFailed(f"sms gateway: {type(exc).__name__}: {exc}"[:300]) from exc


def senders_from_env(environ: dict[str, str] | None = None) -> dict[str, Sender]:
    """The senders the environment configures; a channel left out keeps its messages waiting."""
    env = os.environ if environ is None else environ
    senders: dict[str, Sender] = {}
    if env.get("JESR_SMTP_HOST"):
        senders["email"] = SmtpSender(
            host=env["JESR_SMTP_HOST"],
            port=int(env.get("JESR_SMTP_PORT") or 25),
            sender=env.get("JESR_SMTP_FROM") or "jesr@localhost",
            user=env.get("JESR_SMTP_USER") or None,
            password=env.get("JESR_SMTP_PASSWORD") or None,
            starttls=env.get("JESR_SMTP_STARTTLS") == "1",
        )
    if env.get("JESR_SMS_URL"):
        senders["sms"] = HttpSmsSender(url=env["JESR_SMS_URL"], token=env.get("JESR_SMS_TOKEN") or None)
    return senders
