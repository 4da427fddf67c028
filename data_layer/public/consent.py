"""Consent to the processing of personal data (Tunisia's Organic Law 2004-63).

Each public form shows the texts below (purpose, who sees the data, for how long,
the person's rights) and refuses to save without an explicit tick. The consent row
keeps which version of the text was agreed to, in which language, and when.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from data_layer.store.queries import run

# Change the version whenever the consent texts in locales/public.json change meaning.
CONSENT_VERSION = "public-2026-11-v1"
RETENTION_MONTHS = 12
PUBLIC_FORMS = ("request", "volunteer", "pledge")


def consent_text_keys(kind: str) -> list[str]:
    """The message keys of the notice shown above a public form, in reading order."""
    if kind not in PUBLIC_FORMS:
        raise ValueError(f"unknown public form {kind!r}")
    return [
        f"public.consent.purpose.{kind}",
        f"public.consent.who.{kind}",
        "public.consent.how_long",
        "public.consent.rights",
    ]


def record_consent(
    cur: Any, reference: str, subject_table: str, subject_id: int | None, lang: str, given_at: dt.datetime
) -> int:
    """Store the consent beside the record it covers (caller holds the transaction)."""
    return run(
        cur,
        "insert_consent",
        {
            "receipt_reference": reference,
            "subject_table": subject_table,
            "subject_id": subject_id,
            "text_version": CONSENT_VERSION,
            "lang": lang,
            "given_at": given_at,
        },
    )
