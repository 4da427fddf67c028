"""The public forms' field checks run alone, before the challenge is judged: a person sees every
field to fix together with a wrong answer to the challenge, never one hiding the other.

The same rules as the sending functions of data_layer.public.forms (which check again when
sending); nothing is written here.
"""

from __future__ import annotations

from typing import Any

from data_layer.core.errors import FieldError
from data_layer.core.validation import clean_household, clean_volunteer
from data_layer.public.forms import _with_form_checks, clean_pledge
from data_layer.registry.donations import gift_currency_of_area
from data_layer.store.database import Database
from data_layer.store.reference import get_reference


def check_public_form(db: Database, kind: str, raw: dict[str, Any], *, consent_given: bool) -> None:
    """Raise ValidationError listing every field of a `kind` form ("request", "volunteer",
    "pledge") that would be refused."""
    reference = get_reference(db)
    if kind == "request":
        missing_needs = [] if raw.get("needs") else [FieldError("needs", "public.error.need_required")]
        currency = gift_currency_of_area(db, raw.get("governorate"))
        _with_form_checks(
            lambda: clean_household(reference, dict(raw, notes=None), campaign_currency=currency),
            consent_given,
            missing_needs,
        )
    elif kind == "volunteer":
        _with_form_checks(lambda: clean_volunteer(reference, raw), consent_given)
    elif kind == "pledge":
        currency = gift_currency_of_area(db, raw.get("governorate"))
        _with_form_checks(lambda: clean_pledge(reference, raw, currency=currency), consent_given)
    else:
        raise ValueError(kind)
