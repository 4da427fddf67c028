"""The home, progress and transparency pages with a second country beside Tunisia: each page shows
one country (the reader's, or the one a regional reader or visitor picks), and money in each
currency on its own — never a dinar added to a dirham."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from data_layer.access.accounts import create_user
from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.i18n import t
from data_layer.ops.bootstrap import open_database
from data_layer.registry.campaigns import create_campaign
from data_layer.registry.countries import add_country
from data_layer.registry.donations import register_donation
from data_layer.registry.households import register_household
from data_layer.registry.organisations import create_organisation
from tests.conftest import open_page

MOROCCO = (
    "#country+code,#country+name+i_fr,#adm1+code,#adm1+name+i_ar,#adm1+name+i_fr,#adm1+name+i_en\n"
    "MA,Maroc,MA-01,طنجة تطوان الحسيمة,Tanger-Tétouan-Al Hoceïma,Tanger-Tetouan-Al Hoceima\n"
    "MA,,MA-04,الرباط سلا القنيطرة,Rabat-Salé-Kénitra,Rabat-Sale-Kenitra\n"
    "MA,,MA-06,الدار البيضاء سطات,Casablanca-Settat,Casablanca-Settat\n"
)


@pytest.fixture
def with_morocco(db_path: Path | str) -> Path | str:
    """The demo (Tunisia, May 2020) and Morocco: a campaign of this month, of 2 households and
    5,000 MAD; one household in Rabat, 500 MAD and 3 baskets received there; Karima, staff of Mawada."""
    today = dt.date.today()
    start, end = (today - dt.timedelta(days=10)).isoformat(), (today + dt.timedelta(days=20)).isoformat()
    db = open_database(db_path)
    try:
        add_country(db, SYSTEM, MOROCCO, currency="MAD", id_pattern="[A-Z]{1,2}[0-9]{5,6}")
        org = create_organisation(
            db, SYSTEM, {"code": "MAWADA", "name": "Mawada", "kind": "association", "areas": ["MA-04", "MA-06"]}
        )
        create_campaign(
            db,
            SYSTEM,
            {"name": "رمضان المغرب", "name_en": "Morocco Ramadan", "starts_on": start, "ends_on": end,
             "target_households": 2, "target_value": 5000, "country_code": "MA"},
        )  # fmt: skip
        staff = Actor(user_id=None, username="karima", role="association", organisation_id=org, country_code="MA")
        register_household(
            db, staff, {"national_id": "AB123456", "full_name": "Fatima Zahra Bennani", "governorate": "MA-04",
                        "household_size": 4, "phone": "0612345678", "needs": "food:1"},
        )  # fmt: skip
        for gift in ({"category": "cash", "quantity": "500"}, {"category": "food", "quantity": "3", "unit": "basket"}):
            register_donation(db, staff, {"donor_name": "Souk", "governorate": "MA-04", "received_on": today,
                                          **gift})  # fmt: skip
        create_user(
            db,
            SYSTEM,
            {"username": "karima", "full_name": "Karima", "role": "association", "organisation_id": org,
             "password": "a long enough password 1"},
        )  # fmt: skip
    finally:
        db.close()
    return db_path


def tunisian_value(db_path: Path | str) -> float:
    db = open_database(db_path)
    try:
        with db.reading() as cur:
            return float(
                cur.execute(
                    "SELECT sum(value_tnd) FROM donations WHERE status = 'received' AND governorate_code LIKE 'TN-%'"
                ).fetchone()[0]
            )
    finally:
        db.close()


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def pick_country(at, key: str, code: str):
    at.selectbox(key=key).set_value(code)
    at.run()
    assert not at.exception, at.exception
    return at


def test_home_shows_each_currency_apart_and_a_country_account_its_own_country(make_app, with_morocco):
    regional = open_page(make_app, "admin", "pages/home.py", lang="en")
    shown = metrics(regional)
    assert shown["Value received (MAD)"] == "500"
    assert shown["Value received (TND)"] == f"{tunisian_value(with_morocco):,.0f}"
    received = regional.dataframe[0].value
    cash = received[received["Category"] == t("category.cash", "en")]
    assert sorted(cash["Unit"]) == ["MAD", t("unit.TND", "en")]

    moroccan = open_page(make_app, "karima", "pages/home.py", lang="en")
    shown = metrics(moroccan)
    assert shown["Value received (MAD)"] == "500"
    assert "Value received (TND)" not in shown
    assert (shown["Households registered"], shown["Donations"]) == ("1", "2")
    assert "Morocco Ramadan" not in [s.value for s in moroccan.subheader] and "رمضان المغرب" in [
        s.value for s in moroccan.subheader
    ]


def test_progress_of_the_chosen_countrys_campaign_with_its_areas_and_currency(make_app, with_morocco):
    at = open_page(make_app, "admin", "pages/progress.py", lang="en")
    assert at.selectbox(key="progress_country").value == "MA"  # the active campaign that started last
    at = pick_country(at, "progress_country", "TN")
    assert "Value received (TND)" in metrics(at)
    assert len(at.dataframe[0].value) == 24
    at = pick_country(at, "progress_country", "MA")
    assert at.selectbox(key="progress_campaign_MA").options == ["Morocco Ramadan"]
    assert metrics(at)["Value received (MAD)"] == "500 of 5,000"
    outlook = at.dataframe[0].value
    assert list(outlook.iloc[:, 1]) == ["Tanger-Tetouan-Al Hoceima", "Rabat-Sale-Kenitra", "Casablanca-Settat"]
    assert list(outlook[t("column.households_registered", "en")]) == [0, 1, 0]


def test_a_country_account_sees_its_own_progress_without_a_selector(make_app, with_morocco):
    at = open_page(make_app, "karima", "pages/progress.py", lang="en")
    assert not [s for s in at.selectbox if s.key == "progress_country"]
    assert at.selectbox(key="progress_campaign_MA").options == ["Morocco Ramadan"]


def test_the_public_transparency_page_is_per_country_with_cash_in_its_currency(make_app, with_morocco):
    at = open_page(make_app, None, "pages/transparency.py", lang="en")
    assert at.selectbox(key="transparency_country").value == "MA"  # the active campaign that started last
    at = pick_country(at, "transparency_country", "TN")
    assert len(at.dataframe[1].value) == 24
    tunisian_cash = at.dataframe[0].value
    assert list(tunisian_cash.loc[tunisian_cash["Category"] == t("category.cash", "en"), "Unit"]) == [
        t("unit.TND", "en")
    ]
    at = pick_country(at, "transparency_country", "MA")
    received = at.dataframe[0].value
    assert [tuple(r) for r in received.itertuples(index=False)] == [
        (t("category.cash", "en"), "MAD", 500.0),
        (t("category.food", "en"), t("unit.basket", "en"), 3.0),
    ]
    coverage = at.dataframe[1].value
    assert list(coverage["Governorate"]) == ["Tanger-Tetouan-Al Hoceima", "Rabat-Sale-Kenitra", "Casablanca-Settat"]
    assert "1" not in set(coverage["Registered"])  # the public never sees a count under 5
    assert "Morocco Ramadan" in " ".join(m.value for m in at.markdown) or "رمضان المغرب" in " ".join(
        m.value for m in at.markdown
    )


def test_the_dashboards_hxl_download_names_each_area_in_every_language(with_morocco):
    from data_layer.monitoring import coverage as cov
    from ui.dashboard_view import build_view

    db = open_database(with_morocco)
    try:
        filters = cov.Filters(country_code="MA")
        aggregates = {kind: read(db, filters) for kind, read in cov.AGGREGATE_READERS.items()}
    finally:
        db.close()
    view = build_view(aggregates, None, "fr")
    hxl = next(d for d in view.downloads if d.kind == "coverage").hxl_table
    tags = dict(zip(hxl.columns, hxl.iloc[0]))
    assert [tags[c] for c in ("Nom du gouvernorat", "Nom en arabe", "Nom en français")] == [
        "#adm1+name+i_en",
        "#adm1+name+i_ar",
        "#adm1+name+i_fr",
    ]
    assert list(hxl["Nom en arabe"].iloc[1:]) == ["طنجة تطوان الحسيمة", "الرباط سلا القنيطرة", "الدار البيضاء سطات"]
    assert list(hxl["Nom du gouvernorat"].iloc[1:]) == [
        "Tanger-Tetouan-Al Hoceima",
        "Rabat-Sale-Kenitra",
        "Casablanca-Settat",
    ]


def test_a_moroccan_association_registers_a_household_on_the_form_with_moroccan_numbers(make_app, with_morocco):
    at = open_page(make_app, "karima", "pages/household_new.py", lang="fr")
    picker = at.selectbox(key="household_new_governorate")
    assert picker.options == ["Tanger-Tétouan-Al Hoceïma", "Rabat-Salé-Kénitra", "Casablanca-Settat"]
    at.text_input(key="household_new_national_id").input("be 98765")
    at.text_input(key="household_new_full_name").input("Aicha Tazi")
    at.text_input(key="household_new_phone").input("06 50 12 34 56")
    picker.set_value("MA-06")
    at.number_input(key="household_new_household_size").set_value(2)
    at.button_group(key="household_new_needs_pick").set_value(["food"])
    at.run()
    next(b for b in at.button if b.label == t("common.save", "fr")).click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    db = open_database(with_morocco)
    try:
        with db.reading() as cur:
            saved = cur.execute(
                "SELECT h.national_id, h.phone, h.governorate_code, c.country_code FROM households h"
                " JOIN campaigns c ON c.id = h.campaign_id WHERE h.full_name = 'Aicha Tazi'"
            ).fetchall()
    finally:
        db.close()
    assert [tuple(r) for r in saved] == [("BE98765", "+212650123456", "MA-06", "MA")]


def test_the_platforms_admin_picks_areas_of_every_country_named_by_country(make_app, with_morocco):
    at = open_page(make_app, "admin", "pages/admin_organisations.py", lang="en")
    options = at.multiselect(key="admin_organisations_areas").options
    assert options[0] == "Tunis (TN)" and options[-3:] == [
        "Tanger-Tetouan-Al Hoceima (MA)",
        "Rabat-Sale-Kenitra (MA)",
        "Casablanca-Settat (MA)",
    ]


def test_a_moroccan_association_counts_cash_in_dirhams_on_the_donation_form(make_app, with_morocco):
    at = open_page(make_app, "karima", "pages/donation_new.py", lang="fr")
    at.selectbox(key="donation_new_category").set_value("cash")
    at.run()
    assert at.text_input(key="donation_new_quantity").label == "Montant (MAD)"
    at.selectbox(key="donation_new_category").set_value("food")
    at.run()
    assert at.text_input(key="donation_new_value_tnd").label == "Valeur estimée (MAD)"
    tunisian = open_page(make_app, "atss", "pages/donation_new.py", lang="fr")
    assert tunisian.text_input(key="donation_new_quantity").label == f"Montant ({t('unit.TND', 'fr')})"
    tunisian.selectbox(key="donation_new_category").set_value("food")
    tunisian.run()
    assert tunisian.text_input(key="donation_new_value_tnd").label == t("field.value_tnd", "fr")
