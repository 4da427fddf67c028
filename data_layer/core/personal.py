"""The personal fields a record's audit values may hold: erased by anonymisation, masked in the audit viewer."""

from __future__ import annotations

PERSONAL_KEYS = ("full_name", "national_id", "phone", "address", "notes", "donor_name", "donor_phone")
