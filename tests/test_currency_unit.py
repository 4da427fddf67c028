"""A cash gift's unit is the currency it is counted in: its campaign's, else its country's. Held to
for the donation form's save, a file import (in the app and on the command line), a correction, the
demo, and, by migration 0155, for cash saved outside Tunisia with the unit TND before the rule.
Pledged cash and a household's cash needs are counted by the same rule (migration 0157 for those
saved before it), so a Moroccan cash need is met from Moroccan cash stock; and a campaign's
currency stays once cash gifts are saved in it."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from data_layer.access.accounts import create_user
from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import JesrError, ValidationError
from data_layer.core.i18n import t
from data_layer.distribution.allocation import apply_suggestion, suggest_allocations
from data_layer.distribution.stock import stock_summary
from data_layer.monitoring.regional import value_by_country
from data_layer.ops.bootstrap import open_database
from data_layer.ops.cli import main
from data_layer.ops.demo import generate_demo
from data_layer.public.forms import submit_pledge
from data_layer.public.queues import accept_pledge, receive_pledge
from data_layer.registry.campaigns import create_campaign, get_campaign, list_campaign_records, update_campaign
from data_layer.registry.countries import add_country
from data_layer.registry.donations import register_donation, update_donation_details
from data_layer.registry.households import register_household
from data_layer.registry.imports import import_frame
from data_layer.registry.organisations import create_organisation
from data_layer.store.chain import verify_chain
from data_layer.store.migrations import MIGRATIONS_DIR
from tests.conftest import assert_facts_match_base_tables, open_page

MOROCCO = (
    "#country+code,#adm1+code,#adm1+name+i_ar,#adm1+name+i_fr,#adm1+name+i_en\n"
    "MA,MA-04,الرباط سلا القنيطرة,Rabat-Salé-Kénitra,Rabat-Sale-Kenitra\n"
    "MA,MA-06,الدار البيضاء سطات,Casablanca-Settat,Casablanca-Settat\n"
)
TODAY = dt.date.today()


def set_up(db) -> dict[str, Actor]:
    """Tunisia and Morocco (MAD), an association in each (Mawada in Rabat and Casablanca, Sfax
    Solidaire in Sfax), and no campaign yet: cash is counted in each country's own currency."""
    add_country(db, SYSTEM, MOROCCO, currency="MAD", id_pattern="[A-Z]{1,2}[0-9]{5,6}")
    mawada = create_organisation(
        db, SYSTEM, {"code": "MAWADA", "name": "Mawada", "kind": "association", "areas": ["MA-04", "MA-06"]}
    )
    sfax = create_organisation(
        db, SYSTEM, {"code": "SFAX", "name": "Sfax Solidaire", "kind": "association", "areas": ["TN-61"]}
    )
    return {
        "mawada": Actor(user_id=None, username="karima", role="association", organisation_id=mawada, country_code="MA"),
        "sfax": Actor(user_id=None, username="hela", role="association", organisation_id=sfax, country_code="TN"),
    }


@pytest.fixture
def two_countries(empty_db):
    return {"db": empty_db, **set_up(empty_db)}


def cash(governorate: str, amount: str = "500", **extra: object) -> dict[str, object]:
    return {"donor_name": "Souk", "category": "cash", "quantity": amount, "governorate": governorate,
            "received_on": TODAY, **extra}  # fmt: skip


def units(db) -> list[tuple]:
    with db.reading() as cur:
        return [
            tuple(r)
            for r in cur.execute(
                "SELECT governorate_code, kind, unit, CAST(quantity AS DOUBLE PRECISION) FROM donations ORDER BY id"
            ).fetchall()
        ]


def refusal(call) -> list[tuple]:
    with pytest.raises(ValidationError) as caught:
        call()
    return [(e.field, e.code, e.params) for e in caught.value.errors]


def test_a_cash_gift_is_saved_in_its_countrys_currency_and_another_currency_is_refused(two_countries):
    db, karima, hela = two_countries["db"], two_countries["mawada"], two_countries["sfax"]
    register_donation(db, karima, cash("MA-04"))
    register_donation(db, karima, cash("Rabat-Salé-Kénitra", "20", unit="mad"))  # as the country writes it
    register_donation(db, hela, cash("TN-61", "60"))
    register_donation(db, karima, {**cash("MA-04", "3"), "category": "food", "unit": "basket"})
    assert units(db) == [
        ("MA-04", "cash", "MAD", 500.0),
        ("MA-04", "cash", "MAD", 20.0),
        ("TN-61", "cash", "TND", 60.0),
        ("MA-04", "in_kind", "basket", 3.0),
    ]
    # A dinar amount for Rabat is not turned into dirhams: refused, with both currencies named.
    errors = refusal(lambda: register_donation(db, karima, cash("MA-04", "100", unit="TND")))
    assert errors == [("unit", "currency.error.cash_currency", {"unit": "TND", "currency": "MAD"})]
    assert t("currency.error.cash_currency", "fr", **errors[0][2]) == (
        "Les dons en espèces de cette campagne sont comptés en MAD, pas en TND. "
        "Indiquez le montant en MAD ou laissez l'unité vide."
    )
    assert "MAD" in t("currency.error.cash_currency", "ar", **errors[0][2])
    # Every other fault of the same gift is told at once.
    fields = [field for field, _, _ in refusal(lambda: register_donation(db, karima, cash("MA-04", "-5", unit="EUR")))]
    assert fields == ["unit", "quantity"]
    assert len(units(db)) == 4


def test_a_campaign_in_another_currency_counts_its_cash_in_that_currency(two_countries):
    db, karima = two_countries["db"], two_countries["mawada"]
    create_campaign(
        db,
        SYSTEM,
        {"name": "Solidarité", "starts_on": TODAY - dt.timedelta(days=3), "ends_on": TODAY + dt.timedelta(days=30),
         "target_households": 5, "country_code": "MA", "currency": "EUR"},
    )  # fmt: skip
    register_donation(db, karima, cash("MA-06", "40"))
    assert units(db) == [("MA-06", "cash", "EUR", 40.0)]
    assert refusal(lambda: register_donation(db, karima, cash("MA-06", "40", unit="MAD"))) == [
        ("unit", "currency.error.cash_currency", {"unit": "MAD", "currency": "EUR"})
    ]
    # Stock and value by country read the same currency, never a dinar.
    stock = stock_summary(db, karima)
    assert list(stock.loc[stock["category"] == "cash", "unit"]) == ["EUR"]
    values = value_by_country(db, SYSTEM)
    assert [(r["country_code"], r["currency"], r["received_value"]) for r in values.to_dict("records")] == [
        ("MA", "EUR", 40.0)
    ]


def test_a_correction_keeps_a_dirham_gift_in_dirhams(two_countries):
    db, karima = two_countries["db"], two_countries["mawada"]
    gift = register_donation(db, karima, cash("MA-04"))
    update_donation_details(db, karima, gift, {"received_on": TODAY, "notes": "reçu au siège"})
    with db.reading() as cur:
        assert cur.execute("SELECT unit, notes FROM donations WHERE id = $id", {"id": gift}).fetchone() == (
            "MAD",
            "reçu au siège",
        )


DONATIONS_FILE = (
    "donor_name,category,quantity,unit,governorate,received_on\n"
    f"Souk,cash,500,,MA-04,{TODAY}\n"
    f"Souk,Cash,70,MAD,MA-06,{TODAY}\n"
    f"Souk,cash,90,TND,MA-04,{TODAY}\n"
    f"Souk,food,2,basket,MA-04,{TODAY}\n"
)


def test_an_imported_file_gives_each_cash_row_its_currency_and_names_the_line_of_a_wrong_one(two_countries):
    db, karima = two_countries["db"], two_countries["mawada"]
    frame = pd.read_csv(io.StringIO(DONATIONS_FILE), dtype=str, keep_default_na=False)
    report = import_frame(db, karima, "donations", frame)
    assert report.imported == 0
    assert [(e.row, e.field, e.code, e.params) for e in report.errors] == [
        (4, "unit", "currency.error.cash_currency", {"unit": "TND", "currency": "MAD"})
    ]
    report = import_frame(db, karima, "donations", frame, skip_invalid=True)
    assert report.imported == 3
    assert units(db) == [
        ("MA-04", "cash", "MAD", 500.0),
        ("MA-06", "cash", "MAD", 70.0),
        ("MA-04", "in_kind", "basket", 2.0),
    ]


def test_the_command_line_import_refuses_a_wrong_currency_and_saves_the_right_one(empty_db_path, tmp_path, capsys):
    db = open_database(empty_db_path)
    try:
        set_up(db)
    finally:
        db.close()  # the command opens the file itself
    path = tmp_path / "gifts.csv"
    path.write_text(DONATIONS_FILE, encoding="utf-8")
    assert main(["--db", str(empty_db_path), "import", "donations", str(path), "--org", "MAWADA"]) != 0
    told = capsys.readouterr()
    assert "4" in told.out + told.err and "MAD" in told.out + told.err
    path.write_text(DONATIONS_FILE.replace(",TND,", ",MAD,"), encoding="utf-8")
    assert main(["--db", str(empty_db_path), "import", "donations", str(path), "--org", "MAWADA"]) == 0
    db = open_database(empty_db_path)
    try:
        assert [(area, unit) for area, kind, unit, _ in units(db) if kind == "cash"] == [
            ("MA-04", "MAD"),
            ("MA-06", "MAD"),
            ("MA-04", "MAD"),
        ]
        assert_facts_match_base_tables(db)
    finally:
        db.close()


def test_the_demo_counts_its_cash_in_tunisias_currency(empty_db):
    generate_demo(empty_db, households=40, seed=7)
    with empty_db.reading() as cur:
        assert cur.execute("SELECT DISTINCT unit FROM donations WHERE kind = 'cash'").fetchall() == [("TND",)]


def test_migration_0155_gives_cash_saved_in_dinars_outside_tunisia_its_currency(empty_db_path):
    """As an upgrade meets it: Moroccan cash saved with the unit TND before the rule, and 0155 not
    yet applied. Opening the database applies it: the gifts take MAD, Tunisian cash keeps TND, one
    audit row lists the gifts it changed, and the audit chain still checks."""
    db = open_database(empty_db_path)
    try:
        staff = set_up(db)
        rabat = register_donation(db, staff["mawada"], cash("MA-04"))
        casablanca = register_donation(db, staff["mawada"], cash("MA-06", "30"))
        sfax = register_donation(db, staff["sfax"], cash("TN-61", "60"))
        food = register_donation(db, staff["mawada"], {**cash("MA-04", "3"), "category": "food", "unit": "basket"})
        with db.transaction() as cur:
            cur.execute("UPDATE donations SET unit = 'TND' WHERE kind = 'cash'")  # as the old code saved them
            cur.execute("DELETE FROM schema_migrations WHERE version = 155")
        with db.reading() as cur:
            last_id = int(cur.execute("SELECT max(id) FROM audit_log").fetchone()[0])
    finally:
        db.close()

    upgraded = open_database(empty_db_path)
    try:
        with upgraded.reading() as cur:
            assert dict(cur.execute("SELECT id, unit FROM donations").fetchall()) == {
                rabat: "MAD",
                casablanca: "MAD",
                sfax: "TND",
                food: "basket",
            }
            rows = cur.execute(
                "SELECT username, action, table_name, record_id, CAST(before AS VARCHAR), CAST(after AS VARCHAR)"
                " FROM audit_log WHERE id > $since AND table_name = 'donations' ORDER BY id",
                {"since": last_id},
            ).fetchall()
            check = verify_chain(cur)
        assert [(r[0], r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5])) for r in rows] == [
            ("system", "update", "donations", None, {"unit": "TND"}, {"unit": "MAD", "donations": [rabat, casablanca]})
        ]
        assert check.problem is None, check
        assert_facts_match_base_tables(upgraded)
    finally:
        upgraded.close()


def test_the_migration_is_a_no_op_on_a_database_with_nothing_to_correct(empty_db):
    text = (MIGRATIONS_DIR / "0155_cash_unit_currency.sql").read_text(encoding="utf-8")
    with empty_db.reading() as cur:
        audit_rows = cur.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    with empty_db.transaction() as cur:
        cur.execute(text)
    with empty_db.reading() as cur:
        assert cur.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit_rows
        assert cur.execute("SELECT audit_id IS NOT NULL FROM facts_state").fetchone() == (True,)


def test_no_stock_allocation_or_value_code_names_the_dinar():
    root = Path(__file__).resolve().parents[1]
    places = [root / "data_layer" / "distribution", root / "sql" / "queries" / "distribution"]
    places += [
        root / "data_layer" / "monitoring" / "regional.py",
        root / "sql" / "queries" / "monitoring" / "regional.sql",
    ]
    files = [p for place in places for p in ([place] if place.is_file() else sorted(place.rglob("*.*")))]
    assert files
    assert [str(p.relative_to(root)) for p in files if "'TND'" in p.read_text(encoding="utf-8")] == []


@pytest.fixture
def app_with_morocco(db_path):
    """The demo (Tunisia) and Morocco: Karima, staff of Mawada in Rabat, with an account."""
    db = open_database(db_path)
    try:
        staff = set_up(db)
        create_user(
            db,
            SYSTEM,
            {"username": "karima", "full_name": "Karima", "role": "association",
             "organisation_id": staff["mawada"].organisation_id, "password": "a long enough password 1"},
        )  # fmt: skip
    finally:
        db.close()
    return {"path": db_path, "sfax": staff["sfax"].organisation_id}


def save_cash_on_the_form(at, amount: str, governorate: str) -> None:
    at.selectbox(key="donation_new_category").set_value("cash")
    at.run()
    at.text_input(key="donation_new_donor_name").input("Souk Solidaire")
    at.text_input(key="donation_new_quantity").input(amount)
    at.selectbox(key="donation_new_governorate").set_value(governorate)
    next(b for b in at.button if b.label == t("common.save", "fr")).click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]


def test_the_donation_form_saves_a_moroccan_cash_gift_in_dirhams_and_says_so(make_app, app_with_morocco):
    at = open_page(make_app, "karima", "pages/donation_new.py", lang="fr")
    save_cash_on_the_form(at, "250", "MA-04")
    assert "250 MAD" in "\n".join(m.value for m in at.markdown)
    db = open_database(app_with_morocco["path"])
    try:
        with db.reading() as cur:
            saved = cur.execute(
                "SELECT kind, unit, CAST(quantity AS DOUBLE PRECISION) FROM donations WHERE governorate_code = 'MA-04'"
            ).fetchall()
    finally:
        db.close()
    assert [tuple(r) for r in saved] == [("cash", "MAD", 250.0)]


def test_the_platforms_admin_is_told_cash_is_in_the_campaigns_currency_and_a_gift_in_tunis_is_in_dinars(
    make_app, app_with_morocco
):
    at = open_page(make_app, "admin", "pages/donation_new.py", lang="fr")
    at.selectbox(key="donation_new_category").set_value("cash")
    at.run()
    # No country of its own among two: the amount is in the currency of the gift's campaign.
    assert at.text_input(key="donation_new_quantity").label == "Montant (dans la devise de la campagne)"
    at.selectbox(key="donation_new_org").set_value(app_with_morocco["sfax"])
    save_cash_on_the_form(at, "75", "TN-61")
    assert "75 dinars" in "\n".join(m.value for m in at.markdown)


PLEDGE = {"donor_name": "Épicerie Atlas", "donor_type": "company", "phone": "0612345678", "category": "cash",
          "quantity": "400", "governorate": "MA-06"}  # fmt: skip


def test_a_moroccan_cash_pledge_is_pledged_and_received_in_dirhams(two_countries):
    db, karima = two_countries["db"], two_countries["mawada"]
    # A dinar amount for Casablanca is refused: only the dirham fits.
    errors = refusal(lambda: submit_pledge(db, dict(PLEDGE, unit="TND"), client="c", consent_given=True, lang="fr"))
    assert [(field, code, params["units"]) for field, code, params in errors] == [("unit", "error.unit", "MAD")]
    submit_pledge(db, PLEDGE, client="c", consent_given=True, lang="fr")
    with db.reading() as cur:
        pledge_id, unit = cur.execute("SELECT id, unit FROM pledges").fetchone()
    assert unit == "MAD"
    accept_pledge(db, karima, pledge_id)
    donation = receive_pledge(db, karima, pledge_id, received_on=TODAY, quantity="350")
    with db.reading() as cur:
        assert cur.execute(
            "SELECT d.kind, d.unit, CAST(d.quantity AS DOUBLE PRECISION), p.id, p.status"
            " FROM donations d JOIN pledges p ON p.donation_id = d.id WHERE d.id = $id",
            {"id": donation},
        ).fetchone() == ("cash", "MAD", 350.0, pledge_id, "received")


def test_a_pledge_saved_in_dinars_in_morocco_is_received_in_dirhams(two_countries):
    """A cash pledge an older form saved with TND for Rabat: the money arrives as dirhams."""
    db, karima = two_countries["db"], two_countries["mawada"]
    submit_pledge(db, PLEDGE, client="c", consent_given=True, lang="fr")
    with db.transaction() as cur:
        cur.execute("UPDATE pledges SET unit = 'TND'")
    with db.reading() as cur:
        pledge_id = cur.execute("SELECT id FROM pledges").fetchone()[0]
    accept_pledge(db, karima, pledge_id)
    receive_pledge(db, karima, pledge_id, received_on=TODAY)
    assert units(db) == [("MA-06", "cash", "MAD", 400.0)]


def household(national_id: str, governorate: str, needs: list[dict[str, object]]) -> dict[str, object]:
    return {"national_id": national_id, "full_name": "Fatima Zahra", "governorate": governorate,
            "household_size": 4, "needs": needs}  # fmt: skip


def need_units(db) -> list[tuple]:
    with db.reading() as cur:
        return [
            tuple(r)
            for r in cur.execute(
                "SELECT h.governorate_code, n.category_code, n.unit, CAST(n.quantity AS DOUBLE PRECISION)"
                " FROM needs n JOIN households h ON h.id = n.household_id ORDER BY n.id"
            ).fetchall()
        ]


def test_a_moroccan_cash_need_is_counted_in_dirhams_and_met_from_dirham_stock(two_countries):
    db, karima, hela = two_countries["db"], two_countries["mawada"], two_countries["sfax"]
    register_household(db, karima, household("AB123456", "MA-04", [{"category": "cash", "quantity": "300"}]))
    register_household(db, hela, household("07123456", "TN-61", [{"category": "cash", "quantity": "80"}]))
    assert need_units(db) == [("MA-04", "cash", "MAD", 300.0), ("TN-61", "cash", "TND", 80.0)]
    # A dinar need in Rabat is refused: it could never be met from the dirhams held there.
    errors = refusal(
        lambda: register_household(
            db, karima, household("CD654321", "MA-04", [{"category": "cash", "quantity": "5", "unit": "TND"}])
        )
    )
    assert [(field, code, params["units"]) for field, code, params in errors] == [("needs", "error.unit", "MAD")]
    rabat = register_donation(db, karima, cash("MA-04", "500"))
    sfax = register_donation(db, hela, cash("TN-61", "50"))
    suggestion = suggest_allocations(db, SYSTEM)
    apply_suggestion(db, SYSTEM, suggestion)
    with db.reading() as cur:
        rows = cur.execute(
            "SELECT d.id, d.unit, n.unit, CAST(a.quantity AS DOUBLE PRECISION) FROM allocations a"
            " JOIN donations d ON d.id = a.donation_id JOIN needs n ON n.id = a.need_id ORDER BY d.id"
        ).fetchall()
    assert [tuple(r) for r in rows] == [(rabat, "MAD", "MAD", 300.0), (sfax, "TND", "TND", 50.0)]
    assert_facts_match_base_tables(db)


HOUSEHOLDS_FILE = (
    "national_id,full_name,governorate,household_size,needs\n"
    "AB123456,Fatima Zahra,MA-04,4,cash:300\n"
    "CD654321,Hassan Alami,MA-06,3,cash:50:MAD;food:2\n"
    "07123456,Salma Trabelsi,TN-61,5,cash:80\n"
)


def test_an_imported_households_file_counts_each_rows_cash_needs_in_its_countrys_currency(two_countries):
    db, karima = two_countries["db"], two_countries["mawada"]
    frame = pd.read_csv(io.StringIO(HOUSEHOLDS_FILE), dtype=str, keep_default_na=False)
    wrong = pd.read_csv(io.StringIO(HOUSEHOLDS_FILE.replace("cash:50:MAD", "cash:50:TND")), dtype=str)
    report = import_frame(db, SYSTEM, "households", wrong, organisation_id=karima.organisation_id)
    assert [(e.row, e.field, e.code) for e in report.errors] == [(3, "needs", "error.unit")]
    report = import_frame(db, SYSTEM, "households", frame, organisation_id=karima.organisation_id)
    assert report.imported == 3, report.errors
    assert need_units(db) == [
        ("MA-04", "cash", "MAD", 300.0),
        ("MA-06", "cash", "MAD", 50.0),
        ("MA-06", "food", "basket", 2.0),
        ("TN-61", "cash", "TND", 80.0),
    ]


def test_migration_0157_gives_cash_needs_and_pledges_saved_in_dinars_outside_tunisia_their_currency(empty_db_path):
    db = open_database(empty_db_path)
    try:
        staff = set_up(db)
        register_household(
            db, staff["mawada"], household("AB123456", "MA-04", [{"category": "cash", "quantity": "300"}])
        )
        register_household(
            db, staff["mawada"], household("CD654321", "MA-06", [{"category": "cash", "quantity": "20"},
                                                                 {"category": "food", "quantity": "1"}])
        )  # fmt: skip
        register_household(db, staff["sfax"], household("07123456", "TN-61", [{"category": "cash", "quantity": "80"}]))
        submit_pledge(db, PLEDGE, client="c", consent_given=True, lang="fr")
        with db.transaction() as cur:
            cur.execute("UPDATE needs SET unit = 'TND' WHERE category_code = 'cash'")  # as the old code saved them
            cur.execute("UPDATE pledges SET unit = 'TND'")
            cur.execute("DROP VIEW need_currencies")
            cur.execute("DROP VIEW pledge_currencies")
            cur.execute("DELETE FROM schema_migrations WHERE version = 157")
        with db.reading() as cur:
            last_id = int(cur.execute("SELECT max(id) FROM audit_log").fetchone()[0])
            moroccan = [r[0] for r in cur.execute(
                "SELECT n.id FROM needs n JOIN households h ON h.id = n.household_id"
                " WHERE h.governorate_code LIKE 'MA-%' AND n.category_code = 'cash' ORDER BY n.id"
            ).fetchall()]  # fmt: skip
            pledge_id = cur.execute("SELECT id FROM pledges").fetchone()[0]
    finally:
        db.close()

    upgraded = open_database(empty_db_path)
    try:
        assert need_units(upgraded) == [
            ("MA-04", "cash", "MAD", 300.0),
            ("MA-06", "cash", "MAD", 20.0),
            ("MA-06", "food", "basket", 1.0),
            ("TN-61", "cash", "TND", 80.0),
        ]
        with upgraded.reading() as cur:
            assert cur.execute("SELECT unit FROM pledges").fetchall() == [("MAD",)]
            rows = cur.execute(
                "SELECT username, action, table_name, record_id, CAST(before AS VARCHAR), CAST(after AS VARCHAR)"
                " FROM audit_log WHERE id > $since AND table_name IN ('needs', 'pledges') ORDER BY id",
                {"since": last_id},
            ).fetchall()
            check = verify_chain(cur)
        assert [(r[0], r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5])) for r in rows] == [
            ("system", "update", "needs", None, {"unit": "TND"}, {"unit": "MAD", "needs": moroccan}),
            ("system", "update", "pledges", None, {"unit": "TND"}, {"unit": "MAD", "pledges": [pledge_id]}),
        ]
        assert check.problem is None, check
        assert_facts_match_base_tables(upgraded)
    finally:
        upgraded.close()


CAMPAIGN = {"name": "Ramadan", "starts_on": TODAY - dt.timedelta(days=3), "ends_on": TODAY + dt.timedelta(days=30),
            "target_households": 5, "country_code": "MA"}  # fmt: skip


def test_a_campaigns_currency_is_its_countrys_and_stays_once_cash_gifts_are_saved_in_it(two_countries):
    db, karima = two_countries["db"], two_countries["mawada"]
    campaign = create_campaign(db, SYSTEM, CAMPAIGN)
    assert get_campaign(db, campaign)["currency"] == "MAD"
    assert list(list_campaign_records(db)["currency"]) == ["MAD"]
    # No cash saved yet: the organiser may still choose another currency, and back.
    update_campaign(db, SYSTEM, campaign, dict(CAMPAIGN, currency="EUR"))
    update_campaign(db, SYSTEM, campaign, dict(CAMPAIGN, currency="MAD"))
    register_donation(db, karima, cash("MA-04", "500"))
    with pytest.raises(JesrError) as caught:
        update_campaign(db, SYSTEM, campaign, dict(CAMPAIGN, currency="EUR"))
    assert caught.value.code == "currency.error.campaign_has_cash"
    assert t(caught.value.code, "fr", **caught.value.params) == (
        "La devise de cette campagne ne peut pas passer de MAD à EUR : 1 don(s) en espèces y sont déjà "
        "enregistrés en MAD. Gardez MAD ou créez une nouvelle campagne en EUR."
    )
    assert "EUR" in t(caught.value.code, "ar", **caught.value.params)
    assert get_campaign(db, campaign)["currency"] == "MAD"
    # Its other fields still change, the currency left as it is or left blank.
    update_campaign(db, SYSTEM, campaign, dict(CAMPAIGN, name="Ramadan 2", currency="MAD"))
    update_campaign(db, SYSTEM, campaign, dict(CAMPAIGN, name="Ramadan 2", target_households=9))
    assert (get_campaign(db, campaign)["name"], get_campaign(db, campaign)["currency"]) == ("Ramadan 2", "MAD")
    assert units(db) == [("MA-04", "cash", "MAD", 500.0)]


def test_the_public_pledge_form_names_the_currency_of_the_chosen_governorates_country(make_app, app_with_morocco):
    at = open_page(make_app, None, "pages/public_pledge.py", lang="fr")
    at.selectbox(key="public_pledge_category").set_value("cash")
    at.run()
    # Two countries and no governorate yet: the amount is in the currency of the gift's campaign.
    assert at.text_input(key="public_pledge_quantity").label == "Montant (dans la devise de la campagne)"
    assert not [s for s in at.selectbox if s.key == "public_pledge_unit"]
    at.selectbox(key="public_pledge_governorate").set_value("MA-04")
    at.run()
    assert at.text_input(key="public_pledge_quantity").label == "Montant (MAD)"
    at.selectbox(key="public_pledge_governorate").set_value("TN-61")
    at.run()
    assert at.text_input(key="public_pledge_quantity").label == f"Montant ({t('unit.TND', 'fr')})"
    # Goods keep their units to choose from.
    at.selectbox(key="public_pledge_category").set_value("food")
    at.run()
    assert at.text_input(key="public_pledge_quantity").label == t("field.quantity", "fr")
    assert at.selectbox(key="public_pledge_unit").options
    assert not at.exception
