"""The frame the three public forms share (aid request, pledge, volunteer offer).

Before the form: the receipt instead of it once sent, the intro and the consent notice. At its
end: consent, the challenge and Send. After it: the fields checked, then the challenge, then the
sending (ui.captcha.send_checked), and the refusals put under their fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from data_layer.public.forms import Receipt
from ui.captcha import (
    captcha_widget,
    client_address,
    consent_checkbox,
    consent_notice,
    send_checked,
    show_receipt_instead_of_form,
)
from ui.fields import FieldErrors
from ui.session import PageContext

# A public form's submit function of data_layer.public.forms: (db, raw, client=, consent_given=, lang=).
Submit = Callable[..., Receipt]


@dataclass
class PublicForm:
    """One public form of `kind` ("request", "pledge", "volunteer"): its page is `public_<kind>`,
    its widget keys start with `prefix`."""

    ctx: PageContext
    kind: str
    prefix: str
    errors: FieldErrors
    consent: bool = False
    answer: str = ""
    submitted: bool = False

    def end(self, *, consent_slot: bool = False) -> None:
        """Consent, challenge and Send: call last inside the form. With `consent_slot` a refused
        consent shows under its box (in a form whose fields all have their slots)."""
        self.consent = consent_checkbox(self.ctx, self.prefix)
        if consent_slot:
            self.errors.slot("consent")
        self.answer = captcha_widget(self.ctx, self.prefix)
        self.submitted = st.form_submit_button(self.ctx.tr("public.send"), type="primary")

    def finish(self, raw: dict[str, Any], submit: Submit) -> None:
        """After the form: send `raw` if Send was pressed, then show any refusal under its field."""
        if self.submitted:
            ctx = self.ctx
            send_checked(
                ctx,
                self.prefix,
                self.kind,
                raw,
                consent_given=self.consent,
                answer=self.answer,
                errors=self.errors,
                send=lambda: submit(ctx.db, raw, client=client_address(), consent_given=self.consent, lang=ctx.lang),
            )
        self.errors.show()


def open_public_form(ctx: PageContext, kind: str) -> PublicForm:
    """What comes before the form of `kind` (its page has called ui.session.page_setup, which checks
    the page's own file); stops the page at the receipt once sent."""
    prefix = f"public_{kind}_"
    show_receipt_instead_of_form(ctx, prefix)
    st.write(ctx.tr(f"public.intro.{kind}"))
    consent_notice(ctx, kind)
    return PublicForm(ctx, kind, prefix, FieldErrors(ctx.lang, prefix))
