"""Abuse protection and the shared frame of the public forms: captcha, client address,
consent notice and the receipt shown after sending.

The captcha is a small sum made on the server; its answer stays in session state under
`<prefix>captcha_text`. AppTest tests read it there; the browser tests start the app with
JESR_TEST_HOOKS=1, which writes the answer into a hidden element. Nothing lets a wrong answer pass.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Callable
from typing import Any

import streamlit as st
from captcha.image import ImageCaptcha

from data_layer.core.errors import JesrError, ValidationError
from data_layer.public.consent import RETENTION_MONTHS, consent_text_keys
from data_layer.public.forms import Receipt
from data_layer.public.precheck import check_public_form
from data_layer.public.ratelimit import UNKNOWN_CLIENT, trusted_proxies
from data_layer.public.ratelimit import client_address as ratelimit_client
from ui.fields import FieldErrors
from ui.messages import reset_widgets
from ui.session import PageContext

# A sum of two numbers from one to nine: shown as a picture of Latin digits, written out in words
# in the user's language (read aloud by screen readers) and in Arabic-Indic digits. A light
# barrier against scripted sending; the daily limits (data_layer.public.ratelimit) do the rest.
CAPTCHA_LOW, CAPTCHA_HIGH = 1, 9
_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_TO_LATIN = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Only with JESR_TEST_HOOKS=1 (set by the browser tests) is the answer written into the page.
TEST_HOOKS = os.environ.get("JESR_TEST_HOOKS") == "1"


def captcha_text_key(prefix: str) -> str:
    """Session key of the expected answer (kept on the server, never sent to the browser)."""
    return prefix + "captcha_text"


def _question_key(prefix: str) -> str:
    return prefix + "captcha_question"


def new_captcha_question() -> tuple[int, int]:
    return (
        CAPTCHA_LOW + secrets.randbelow(CAPTCHA_HIGH - CAPTCHA_LOW + 1),
        CAPTCHA_LOW + secrets.randbelow(CAPTCHA_HIGH - CAPTCHA_LOW + 1),
    )


def new_captcha(prefix: str) -> None:
    # After a wrong answer the visitor must see another question, never the one just failed.
    previous = st.session_state.get(_question_key(prefix))
    first, second = new_captcha_question()
    while (first, second) == previous:
        first, second = new_captcha_question()
    st.session_state[_question_key(prefix)] = (first, second)
    st.session_state[captcha_text_key(prefix)] = str(first + second)


def captcha_matches(expected: str | None, given: str | None) -> bool:
    """Case-insensitive, spaces ignored, Arabic-Indic digits read as digits; an empty answer never matches."""
    if not expected or not given:
        return False
    answer = "".join(given.translate(_TO_LATIN).split()).upper()
    return hmac.compare_digest(answer.encode("utf-8"), expected.upper().encode("utf-8"))


def captcha_widget(ctx: PageContext, prefix: str) -> str:
    """The question (picture and words) and the answer box (call inside the form); returns the typed answer."""
    if not st.session_state.get(captcha_text_key(prefix)) or _question_key(prefix) not in st.session_state:
        new_captcha(prefix)
    first, second = st.session_state[_question_key(prefix)]
    if st.session_state.pop(prefix + "captcha_failed", False):
        st.error(ctx.tr("public.error.captcha_sum"))
    latin = f"{first} + {second}"
    picture = ImageCaptcha(width=220, height=80).generate(f"{first}+{second}").getvalue()
    st.image(picture, width=220, caption=f"{latin}  ·  {latin.translate(_ARABIC_INDIC)}")
    question = ctx.tr("public.captcha_question", first=ctx.tr(f"number.{first}"), second=ctx.tr(f"number.{second}"))
    if TEST_HOOKS:
        question += f"<span class='jesr-test-captcha' hidden>{st.session_state[captcha_text_key(prefix)]}</span>"
        st.markdown(question, unsafe_allow_html=True)
    else:
        st.markdown(question)
    return st.text_input(
        ctx.tr("public.captcha_answer_label"),
        key=prefix + "captcha_answer",
        max_chars=3,
        help=ctx.tr("public.captcha_answer_help"),
        autocomplete="off",
    )


def captcha_passed(prefix: str, answer: str | None) -> bool:
    """Check the answer once: whatever the outcome, the next attempt gets a new question and an
    empty answer box (the form is drawn again by the rerun that follows a refusal)."""
    passed = captcha_matches(st.session_state.get(captcha_text_key(prefix)), answer)
    new_captcha(prefix)
    if not passed:
        st.session_state[prefix + "captcha_failed"] = True  # shown beside the new question after the rerun
    return passed


def forget_answer(prefix: str) -> None:
    """Empty the answer box before the rerun: a used answer is never right again."""
    st.session_state.pop(prefix + "captcha_answer", None)


def send_checked(
    ctx: PageContext,
    prefix: str,
    kind: str,
    raw: dict[str, Any],
    *,
    consent_given: bool,
    answer: str | None,
    errors: FieldErrors,
    send: Callable[[], Receipt],
) -> None:
    """After Send: the fields are checked first, then the challenge, so both kinds of mistake show
    together; any refusal draws the form again with a new question and an empty answer box."""
    errors.clear()
    problem: ValidationError | None = None
    try:
        check_public_form(ctx.db, kind, raw, consent_given=consent_given)
    except ValidationError as exc:
        problem = exc
    passed = captcha_passed(prefix, answer)
    forget_answer(prefix)
    if problem is not None:
        errors.refuse(problem)
    elif passed:
        try:
            receipt = send()
        except JesrError as exc:
            errors.refuse(exc)
        else:
            reset_widgets(prefix)
            st.session_state[prefix + "receipt"] = receipt
    st.rerun()


def client_address() -> str:
    """The sender's address for the daily limits (data_layer.public.ratelimit.client_address)."""
    # Only real strings count: outside a browser session (AppTest) the context holds stand-in objects.
    try:
        peer = st.context.ip_address
        headers = st.context.headers
        # Every X-Forwarded-For line, in order: a proxy may add its own line after the one the
        # visitor wrote, and the first line alone would be the visitor's word.
        lines = headers.get_all("X-Forwarded-For") if headers is not None else []
    except (AttributeError, RuntimeError):
        return UNKNOWN_CLIENT
    peer = peer if isinstance(peer, str) else None
    strings = [line for line in lines if isinstance(line, str)] if isinstance(lines, list) else []
    forwarded = ", ".join(strings) if strings else None
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
