"""Abuse protection and the shared frame of the public forms: captcha, client address,
consent notice and the receipt shown after sending.

The captcha text is made on the server and kept in session state under
`<prefix>captcha_text`; the browser only gets a picture of it. Tests answer it the
way a person does, by reading that server-side text (AppTest can read session state),
so there is no bypass switch in the app.
"""

from __future__ import annotations

import hmac
import secrets

import streamlit as st
from captcha.image import ImageCaptcha

from data_layer.public.consent import RETENTION_MONTHS, consent_text_keys
from data_layer.public.forms import Receipt
from data_layer.public.ratelimit import UNKNOWN_CLIENT, trusted_proxies
from data_layer.public.ratelimit import client_address as ratelimit_client
from ui.messages import reset_widgets
from ui.session import PageContext

# Letters and digits that do not look alike in a distorted picture.
CAPTCHA_ALPHABET = "ABCDEFGHJKMNPRSTUVWXYZ23456789"
CAPTCHA_LENGTH = 5


def captcha_text_key(prefix: str) -> str:
    return prefix + "captcha_text"


def new_captcha_text() -> str:
    return "".join(secrets.choice(CAPTCHA_ALPHABET) for _ in range(CAPTCHA_LENGTH))


def captcha_matches(expected: str | None, given: str | None) -> bool:
    """Case-insensitive, spaces ignored; an empty answer never matches."""
    if not expected or not given:
        return False
    answer = "".join(given.split()).upper()
    return hmac.compare_digest(answer.encode("utf-8"), expected.upper().encode("utf-8"))


def captcha_widget(ctx: PageContext, prefix: str) -> str:
    """The picture and the answer box (call inside the form); returns the typed answer."""
    key = captcha_text_key(prefix)
    if not st.session_state.get(key):
        st.session_state[key] = new_captcha_text()
    if st.session_state.pop(prefix + "captcha_failed", False):
        st.error(ctx.tr("public.error.captcha"))
    st.image(ImageCaptcha(width=220, height=80).generate(st.session_state[key]).getvalue(), width=220)
    return st.text_input(
        ctx.tr("public.captcha_label"),
        key=prefix + "captcha_answer",
        max_chars=12,
        help=ctx.tr("public.captcha_help"),
        autocomplete="off",
    )


def captcha_passed(prefix: str, answer: str | None) -> bool:
    """Check the answer once: whatever the outcome, the next attempt gets a new picture."""
    key = captcha_text_key(prefix)
    passed = captcha_matches(st.session_state.get(key), answer)
    st.session_state[key] = new_captcha_text()
    if not passed:
        st.session_state[prefix + "captcha_failed"] = True  # shown beside the new picture after the rerun
    return passed


def client_address() -> str:
    """The sender's address for the daily limits (data_layer.public.ratelimit.client_address)."""
    # Only real strings count: outside a browser session (AppTest) the context holds stand-in objects.
    try:
        peer = st.context.ip_address
        forwarded = (st.context.headers or {}).get("X-Forwarded-For")
    except (AttributeError, RuntimeError):
        return UNKNOWN_CLIENT
    peer = peer if isinstance(peer, str) else None
    forwarded = forwarded if isinstance(forwarded, str) else None
    if peer is None and forwarded is None:
        return UNKNOWN_CLIENT
    return ratelimit_client(peer, forwarded, trusted_proxies())


def consent_notice(ctx: PageContext, kind: str) -> None:
    """Purpose, who sees the data, for how long, and the person's rights — shown before the form."""
    st.info(
        f"**{ctx.tr('public.consent.heading')}**\n\n"
        + "\n\n".join(ctx.tr(key, months=RETENTION_MONTHS) for key in consent_text_keys(kind))
    )


def consent_checkbox(ctx: PageContext, prefix: str) -> bool:
    return st.checkbox(ctx.tr("public.consent_checkbox"), key=prefix + "consent", value=False)


def show_receipt_instead_of_form(ctx: PageContext, prefix: str) -> None:
    """Once the page's form is sent (its Receipt in session_state[prefix + "receipt"]), show the
    reference and what happens next instead of the form and stop the page; "send another" empties it."""
    receipt: Receipt | None = st.session_state.get(prefix + "receipt")
    if not receipt:
        return
    st.success(ctx.tr("public.sent", reference=receipt.reference))
    st.markdown(f"## `{receipt.reference}`")
    st.caption(ctx.tr("public.keep_reference"))
    if receipt.receipt_code:
        st.markdown(f"## `{receipt.receipt_code}`")
        st.caption(ctx.tr("receipt.pledge_code", code=receipt.receipt_code))
    st.info(ctx.tr(f"public.next.{receipt.kind}"))
    if st.button(ctx.tr("public.send_another"), key=prefix + "again"):
        reset_widgets(prefix)
        st.rerun()
    st.stop()
