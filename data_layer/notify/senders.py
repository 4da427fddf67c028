"""How a message leaves: e-mail over SMTP (smtplib), SMS through an HTTP gateway.

Settings come from the environment, else from `.streamlit/secrets.toml` (`[smtp]` and `[sms]`,
the same names in lower case without the prefix), so a timer or cron entry and the app read one
configuration:

    JESR_SMTP_HOST, JESR_SMTP_PORT (25), JESR_SMTP_FROM, JESR_SMTP_USER, JESR_SMTP_PASSWORD,
    JESR_SMTP_STARTTLS (1 to upgrade the connection before logging in)
    JESR_SMS_URL (the gateway's endpoint, a template: {to}, {text} and {key} are replaced,
    URL-encoded), JESR_SMS_METHOD (POST, or GET), JESR_SMS_AUTH_HEADER ("Name: value", e.g.
    "Authorization: Basic …" or "X-Api-Key: …"), JESR_SMS_TOKEN (shorthand for a Bearer token)

A POST carries the JSON body `{"to": "+216…", "text": "…", "key": "code:12:2020-05-21"}`; a GET
only the URL. Any 2xx answer means accepted. `key` is the outbox's idempotency key: a gateway that
keeps it can refuse a repeat after a sender stopped between the send and its record. E-mail
carries it as the Message-ID and `X-Jesr-Key`.

A refusal that trying again cannot cure (every recipient refused with a 5xx, the gateway
answering 400 or 422) is permanent: the message is abandoned at once instead of retried for a day.
"""

from __future__ import annotations

import json
import os
import re
import smtplib
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from data_layer.core.secrets import DEFAULT_SECRETS_FILE, SECRETS_FILE_ENV

TIMEOUT_S = 10
# A connection idle this long is checked (NOOP) before reuse; servers drop idle ones after minutes.
IDLE_CHECK_S = 10.0
# Answers of a gateway that say "this message, as it is, will never be taken".
PERMANENT_HTTP = frozenset({400, 422})


class SendFailed(Exception):
    """The channel did not take the message; the text says why (kept in the outbox)."""

    def __init__(self, detail: str, *, permanent: bool = False) -> None:
        super().__init__(detail[:300])
        self.permanent = permanent


class Sender(Protocol):
    channel: str

    def send(self, message: dict[str, Any]) -> None: ...


def close_senders(senders: Mapping[str, Sender]) -> None:
    """End what a sender keeps open between messages (an SMTP connection)."""
    for sender in senders.values():
        close = getattr(sender, "close", None)
        if callable(close):
            close()


@dataclass
class SmtpSender:
    """One connection for a whole pass (TLS and login once, not per message): `close()` ends it.
    Not shared between threads: each sender has its own."""

    host: str
    port: int = 25
    sender: str = "jesr@localhost"
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    channel: str = "email"
    _smtp: smtplib.SMTP | None = field(default=None, init=False, repr=False, compare=False)
    _used_at: float = field(default=0.0, init=False, repr=False, compare=False)

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            if time.monotonic() - self._used_at < IDLE_CHECK_S:
                return self._smtp
            # A connection the server may have closed while idle is found out before the send,
            # never by repeating a send that may have gone through.
            try:
                if self._smtp.noop()[0] == 250:
                    return self._smtp
            except (OSError, smtplib.SMTPException):
                pass
            self.close()
        smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S)
        try:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return smtp

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()

    def send(self, message: dict[str, Any]) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message["recipient"]
        email["Subject"] = message["subject"] or ""
        # The same message sent again (after a stop between send and record) keeps its Message-ID.
        domain = self.sender.rpartition("@")[2] or "localhost"
        email["Message-ID"] = f"<jesr.{message['id']}.{re.sub(r'[^A-Za-z0-9.-]', '.', message['dedupe_key'])}@{domain}>"
        email["X-Jesr-Key"] = message["dedupe_key"]
        email.set_content(message["body"])
        email["Content-Language"] = message["lang"]  # after set_content, which clears Content-* headers
        try:
            self._connection().send_message(email)
            self._used_at = time.monotonic()
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise SendFailed(f"smtp: recipient refused {codes}", permanent=all(c >= 500 for c in codes)) from exc
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            self.close()
            raise SendFailed(f"smtp: {type(exc).__name__}: {exc}") from exc


def _split_header(text: str | None) -> tuple[str, str] | None:
    if not text:
        return None
    name, sep, value = text.partition(":")
    if not sep or not name.strip() or not value.strip():
        raise ValueError("JESR_SMS_AUTH_HEADER must read 'Name: value'")
    return name.strip(), value.strip()


@dataclass
class HttpSmsSender:
    url: str
    method: str = "POST"
    token: str | None = None
    auth_header: str | None = None
    channel: str = "sms"

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        if self.method not in ("POST", "GET"):
            raise ValueError("JESR_SMS_METHOD must be POST or GET")
        _split_header(self.auth_header)  # refuse a malformed header when configured, not at the first send

    def request_for(self, message: dict[str, Any]) -> urllib.request.Request:
        fields = {"to": message["recipient"], "text": message["body"], "key": message["dedupe_key"]}
        url = self.url
        for name, value in fields.items():
            url = url.replace("{" + name + "}", urllib.parse.quote(str(value), safe=""))
        headers = {}
        data = None
        if self.method == "POST":
            data = json.dumps(fields, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        header = _split_header(self.auth_header)
        if header:
            headers[header[0]] = header[1]
        return urllib.request.Request(url, data=data, headers=headers, method=self.method)

    def send(self, message: dict[str, Any]) -> None:
        try:
            request = self.request_for(message)
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                if not 200 <= response.status < 300:
                    raise SendFailed(f"sms gateway: HTTP {response.status}")
        except urllib.error.HTTPError as exc:
            raise SendFailed(f"sms gateway: HTTP {exc.code}", permanent=exc.code in PERMANENT_HTTP) from exc
        except (OSError, ValueError) as exc:
            raise SendFailed(f"sms gateway: {type(exc).__name__}: {exc}") from exc


def _secrets_sections(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (FileNotFoundError, tomllib.TOMLDecodeError):
        return {}


def sender_settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every JESR_SMTP_*, JESR_SMS_* and JESR_NOTIFY_* setting: the environment's, else the secrets file's."""
    env = os.environ if environ is None else environ
    settings: dict[str, str] = {}
    secrets = _secrets_sections(Path(env.get(SECRETS_FILE_ENV) or DEFAULT_SECRETS_FILE))
    for section in ("smtp", "sms", "notify"):
        values = secrets.get(section)
        if isinstance(values, dict):
            for name, value in values.items():
                settings[f"JESR_{section.upper()}_{str(name).upper()}"] = str(value)
    settings.update(
        {k: v for k, v in env.items() if k.startswith(("JESR_SMTP_", "JESR_SMS_", "JESR_NOTIFY_")) and v != ""}
    )
    return settings


def senders_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Sender]:
    """The senders the settings configure; a channel left out keeps its messages waiting."""
    env = sender_settings(environ)
    senders: dict[str, Sender] = {}
    if env.get("JESR_SMTP_HOST"):
        senders["email"] = SmtpSender(
            host=env["JESR_SMTP_HOST"],
            port=int(env.get("JESR_SMTP_PORT") or 25),
            sender=env.get("JESR_SMTP_FROM") or "jesr@localhost",
            user=env.get("JESR_SMTP_USER") or None,
            password=env.get("JESR_SMTP_PASSWORD") or None,
            starttls=env.get("JESR_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
        )
    if env.get("JESR_SMS_URL"):
        senders["sms"] = HttpSmsSender(
            url=env["JESR_SMS_URL"],
            method=env.get("JESR_SMS_METHOD") or "POST",
            token=env.get("JESR_SMS_TOKEN") or None,
            auth_header=env.get("JESR_SMS_AUTH_HEADER") or None,
        )
    return senders
