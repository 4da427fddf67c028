"""The entry pages under AppTest: each saves a valid record, refuses bad input with its
message and writes nothing, then offers to add another."""

import datetime as dt

import pytest

from data_layer.core.i18n import t
from data_layer.ops.bootstrap import open_database
from tests.conftest import open_page


def rows(db_path, sql, *params):
    database = open_database(db_path)
    try:
        return database.conn.execute(sql, list(params)).fetchall()
    finally:
        database.close()


def click(at, label):
    next(b for b in at.button if b.label == label).click()
    return at.run()


def test_household_form_saves_and_offers_another(make_app, db_path):
    at = open_page(make_app, "atss", "pages/household_new.py")
    at.text_input(key="household_new_national_id").input("٠٥٥٥٦٦٧٧")  # Arabic-Indic digits from a phone
    at.text_input(key="household_new_full_name").input("سلوى العياري")
    at.text_input(key="household_new_phone").input("98 765 432")
    at.selectbox(key="household_new_governorate").set_value("TN-42")
    at.number_input(key="household_new_household_size").set_value(3)
    at.button_group(key="household_new_vulnerabilities").set_value(["chronic_illness"])
    at.button_group(key="household_new_needs_pick").set_value(["food", "medicine"])
    at.run()
    at.number_input(key="household_new_need_food").set_value(2)
    at.number_input(key="household_new_need_medicine").set_value(1)
    click(at, t("common.save", "ar"))
    assert not at.exception
    saved = rows(
        db_path,
        "SELECT id, full_name, phone, governorate_code, household_size FROM households WHERE national_id = '05556677'",
    )
    assert [r[1:] for r in saved] == [("سلوى العياري", "+21698765432", "TN-42", 3)]
    assert rows(
        db_path, "SELECT category_code, quantity FROM needs WHERE household_id = ? ORDER BY category_code", saved[0][0]
    ) == [("food", 2), ("medicine", 1)]
    assert at.success[0].value == t("household_new.saved", "ar", id=saved[0][0])
    click(at, t("common.add_another", "ar"))
    assert at.text_input(key="household_new_national_id").value == ""


def test_household_form_refuses_bad_input_at_each_field_and_keeps_what_was_typed(make_app, db_path):
    before = rows(db_path, "SELECT count(*) FROM households")[0][0]
    at = open_page(make_app, "amal", "pages/household_new.py", lang="fr")
    # The association's own governorate is chosen already.
    assert at.selectbox(key="household_new_governorate").value == "TN-61"
    at.text_input(key="household_new_national_id").input("1234")
    at.text_input(key="household_new_full_name").input("Ali")
    at.text_input(key="household_new_phone").input("12")
    click(at, t("common.save", "fr"))
    assert not at.exception
    messages = [e.value for e in at.error]
    # Under each field in page order, then the count by the Save button.
    assert messages[:2] == [t("error.national_id", "fr"), t("error.phone", "fr")]
    assert messages[-1] == t("form.fix_fields", "fr", count=2)
    assert rows(db_path, "SELECT count(*) FROM households")[0][0] == before
    assert at.text_input(key="household_new_full_name").value == "Ali"


def test_donation_form_saves_and_refuses_wrong_quantity(make_app, db_path):
    at = open_page(make_app, "amal", "pages/donation_new.py", lang="en")
    at.selectbox(key="donation_new_category").set_value("hygiene")
    at.run()
    at.text_input(key="donation_new_donor_name").input("Pharmacie Centrale")
    at.text_input(key="donation_new_quantity").input("2.5")
    at.selectbox(key="donation_new_governorate").set_value("TN-61")
    at.date_input(key="donation_new_received_on").set_value(dt.date(2020, 5, 18))
    click(at, "Save")
    assert t("error.whole_units", "en") in at.error[0].value
    assert rows(db_path, "SELECT count(*) FROM donations WHERE item = 'hygiene' AND received_on = '2020-05-18'") == [
        (0,)
    ]
    at.text_input(key="donation_new_quantity").input("40")
    at.text_input(key="donation_new_delegation").input("  Sfax   Ville ")
    click(at, "Save")
    assert not at.exception and not at.error
    assert rows(
        db_path,
        "SELECT category_code, quantity, unit, d.governorate_code, d.delegation, o.code "
        "FROM donations d JOIN organisations o ON o.id = d.organisation_id "
        "WHERE received_on = '2020-05-18' AND d.id = (SELECT max(id) FROM donations)",
    ) == [("hygiene", 40, "kit", "TN-61", "Sfax Ville", "AMAL-SFX")]


def test_volunteer_form_saves_and_refuses_missing_service(make_app, db_path):
    at = open_page(make_app, "organiser", "pages/volunteer_new.py", lang="en")
    at.text_input(key="volunteer_new_full_name").input("Anis Dridi")
    at.text_input(key="volunteer_new_phone").input("+216 20 111 222")
    at.selectbox(key="volunteer_new_governorate").set_value("TN-23")
    click(at, "Save")
    assert t("error.services_required", "en") in at.error[0].value
    assert rows(db_path, "SELECT count(*) FROM volunteers WHERE full_name = 'Anis Dridi'") == [(0,)]
    at.button_group(key="volunteer_new_services").set_value(["distribution"])
    click(at, "Save")
    assert rows(
        db_path, "SELECT phone, governorate_code, offers_distribution FROM volunteers WHERE full_name = 'Anis Dridi'"
    ) == [("+21620111222", "TN-23", True)]


def test_records_page_lists_only_own_households_and_paginates(make_app, db_path):
    at = open_page(make_app, "amal", "pages/records.py", lang="en")
    assert not at.exception
    own = rows(
        db_path,
        "SELECT count(*) FROM households h JOIN organisations o ON o.id = h.organisation_id WHERE o.code = 'AMAL-SFX'",
    )[0][0]
    assert at.caption[0].value.startswith(f"{own} records")
    shown = at.dataframe[0].value
    assert len(shown) == min(25, own)
    assert set(shown[t("column.organisation_code", "en")]) == {"AMAL-SFX"}


def test_login_form_signs_in_and_refuses_wrong_password(make_app):
    at = make_app(None, lang="en")
    at.run()
    at.text_input(key="login_username").input("atss")
    at.text_input(key="login_password").input("not-the-password")
    click(at, t("login.submit", "en"))
    assert at.error[0].value == t("login.refused", "en")
    assert "actor" not in at.session_state
    at.text_input(key="login_password").input("jesr-assoc-2020")
    click(at, t("login.submit", "en"))
    assert not at.exception
    assert at.session_state["actor"].username == "atss"


@pytest.mark.parametrize(
    "key, message",
    [("short-key", "app.cookie_key_weak"), ("a" * 64, "app.cookie_key_weak"), (None, "app.cookie_key_missing")],
)
def test_weak_or_missing_cookie_key_stops_the_app(make_app, key, message):
    at = make_app(None, lang="en")
    # An [auth] section without the key (a real secrets.toml may exist beside app.py).
    at.secrets["auth"] = {} if key is None else {"cookie_key": key}
    at.run()
    assert at.error[0].value == t(message, "en")
    assert not at.text_input  # no login form behind a weak key


def test_cash_donation_through_the_form(make_app, db_path):
    at = open_page(make_app, "atss", "pages/donation_new.py", lang="fr")
    at.selectbox(key="donation_new_category").set_value("cash")
    at.run()
    at.text_input(key="donation_new_donor_name").input("Famille Ben Youssef")
    at.text_input(key="donation_new_quantity").input("1 250,5")
    at.selectbox(key="donation_new_governorate").set_value("TN-11")
    click(at, t("common.save", "fr"))
    assert not at.exception and not at.error
    assert rows(
        db_path,
        "SELECT kind, unit, quantity, value_tnd, delegation FROM donations WHERE id = (SELECT max(id) FROM donations)",
    ) == [("cash", "TND", 1250.5, 1250.5, None)]


def test_records_page_corrects_a_donation_with_audit(make_app, db_path):
    at = open_page(make_app, "atss", "pages/records.py", lang="en")
    at.radio(key="records_register").set_value("donations")
    at.run()
    donation_id = at.selectbox(key="records_donation_id").value
    at.text_input(key=f"records_donation_storage_{donation_id}").input("Dépôt Bab Saadoun")
    at.text_input(key=f"records_donation_delegation_{donation_id}").input("Bab Souika")
    click(at, "Save")
    assert not at.exception and not at.error
    assert rows(db_path, "SELECT storage_location, delegation FROM donations WHERE id = ?", donation_id) == [
        ("Dépôt Bab Saadoun", "Bab Souika")
    ]
    assert rows(
        db_path,
        "SELECT count(*) FROM audit_log WHERE table_name = 'donations' AND action = 'update' AND record_id = ?",
        donation_id,
    ) == [(1,)]
