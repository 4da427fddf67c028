"""Countries added to a live database: an area file and a few settings, all or nothing."""

from __future__ import annotations

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.countries import CountryAreas, clean_country_settings, country_names, parse_area_file
from data_layer.core.errors import FieldError, PermissionDenied, ValidationError
from data_layer.store.audit import write_audit
from data_layer.store.bulk import rows_table
from data_layer.store.database import Database
from data_layer.store.migrations import areas_table
from data_layer.store.queries import run


def add_country(
    db: Database,
    actor: Actor,
    area_file: bytes | str,
    *,
    currency: str,
    phone_region: str | None = None,
    id_pattern: str | None = None,
    default_lang: str = "ar",
) -> CountryAreas:
    """Add the country of `area_file` with its areas and settings, in one transaction.

    A bad file or setting raises ValidationError (each error naming its line) before anything is
    written; a country already present is refused, so its areas are never half replaced.
    """
    if actor.role != "admin":
        raise PermissionDenied()
    country = parse_area_file(area_file)
    settings = clean_country_settings(country.country_code, currency, phone_region, id_pattern, default_lang)
    names = country_names(country)
    table = areas_table(country)
    with db.transaction() as cur:
        if run(cur, "get_country_exists", {"code": country.country_code}):
            raise ValidationError(
                [FieldError("country", "countries.error.exists", {"line": 0, "value": country.country_code})]
            )
        with rows_table(cur, table):
            taken = [row["code"] for row in run(cur, "list_taken_area_codes")]
            if taken:
                line = next(area.line for area in country.areas if area.code == taken[0])
                raise ValidationError(
                    [FieldError("adm1", "countries.error.area_taken", {"line": line, "code": taken[0]})]
                )
            run(cur, "insert_country", {"code": country.country_code, **{f"name_{k}": v for k, v in names.items()}})
            run(
                cur,
                "insert_country_settings",
                {
                    "country_code": settings.code,
                    "currency": settings.currency,
                    "phone_region": settings.phone_region,
                    "id_pattern": settings.id_pattern,
                    "default_lang": settings.default_lang,
                },
            )
            run(cur, "insert_reference_areas")
            # Every server holding the areas reads them again at its next use (store/reference.py).
            run(cur, "bump_reference_version")
        write_audit(
            cur,
            actor,
            "insert",
            "countries",
            None,
            after={"code": settings.code, "currency": settings.currency, "areas": len(country.areas)},
        )
    return country


def list_countries(db: Database) -> pd.DataFrame:
    with db.reading() as cur:
        return run(cur, "list_countries")
