"""The public receipt page through AppTest: a pledge's code shows its trail, bad input is told, a
miss is neutral, a request reference shows its step; staff see the code after saving a donation."""

from __future__ import annotations

import pytest

from data_layer.core.i18n import t
from data_layer.ops.bootstrap import open_database
from tests.conftest import open_page
from tests.test_public_pages import answer_captcha

PAGE = "pages/receipt.py"


def count(db_path, sql: str) -> int:
    db = open_database(db_path)
    try:
        cur = db.cursor()
        try:
            return cur.execute(sql).fetchone()[0]
        finally:
            cur.close()
    finally:
        db.close()


def look_up(at, typed: str, lang: str) -> None:
    at.text_input(key="receipt_code").input(typed)
    at.button(key="FormSubmitter:receipt_form-" + t("receipt.look_up", lang)).click()
    at.run()
    assert not at.exception, at.exception


def shown(at) -> str:
    return " ".join(
        str(e.value) for kind in ("markdown", "subheader", "caption", "info", "warning", "error") for e in at.get(kind)
    )


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_page_renders_for_anonymous_visitors(make_app, lang):
    at = open_page(make_app, None, PAGE, lang=lang)
    assert at.title[0].value == t("receipt.title", lang)
    assert "[receipt." not in shown(at)


def test_a_pledge_shows_its_receipt_code_and_the_code_its_trail_without_personal_data(make_app, db_path):
    at = open_page(make_app, None, "pages/public_pledge.py", lang="en")
    at.text_input(key="public_pledge_quantity").input("5")
    at.selectbox(key="public_pledge_governorate").set_value("TN-11")
    at.text_input(key="public_pledge_donor_name").input("Hédi Généreux")
    at.text_input(key="public_pledge_phone").input("22987654")
    at.checkbox(key="public_pledge_consent").check()
    answer_captcha(at, "public_pledge_")
    at.button(key="FormSubmitter:public_pledge_form-Send").click()
    at.run()
    assert not at.exception
    code = at.session_state["public_pledge_receipt"].receipt_code
    assert any(code in str(c.value) for c in at.caption)

    at.switch_page(PAGE)
    at.run()
    look_up(at, code.replace("-", " ").lower(), "en")
    text = shown(at)
    assert t("receipt.trail_heading", "en", code=code) in text
    assert t("receipt.step.pledged", "en") in text and t("receipt.not_allocated_yet", "en") in text
    assert "Hédi" not in text and "22987654" not in text and "987" not in text


def test_demo_donation_trail_suppresses_small_household_counts(make_app, db_path):
    db = open_database(db_path)
    try:
        cur = db.cursor()
        code, households, names = cur.execute(
            "SELECT r.code, count(DISTINCT a.household_id), string_agg(h.full_name, '|') "
            "FROM receipt_codes r JOIN allocations a ON a.donation_id = r.donation_id "
            "JOIN households h ON h.id = a.household_id WHERE a.status IN ('allocated', 'delivered', 'confirmed') "
            "GROUP BY r.code HAVING count(DISTINCT a.household_id) BETWEEN 1 AND 4 ORDER BY r.code LIMIT 1"
        ).fetchone()
        cur.close()
    finally:
        db.close()
    at = open_page(make_app, None, PAGE, lang="fr")
    look_up(at, code, "fr")
    assert t("receipt.households", "fr", count="<5") in shown(at)
    table = at.dataframe[0].value
    assert list(table.columns) == [
        t(f"receipt.column.{c}", "fr") for c in ("governorate", "allocated", "delivered", "confirmed")
    ]
    for name in names.split("|"):
        assert name not in shown(at) and name not in table.to_csv()


@pytest.mark.parametrize(
    ("typed", "key"), [("12345", "receipt.error.malformed"), ("0000-0000-0001", "receipt.error.check")]
)
def test_malformed_input_gets_a_translated_message_and_changes_nothing(make_app, db_path, typed, key):
    before = count(db_path, "SELECT count(*) FROM public_lookups")
    at = open_page(make_app, None, PAGE, lang="fr")
    look_up(at, typed, "fr")
    assert [e.value for e in at.error] == [t(key, "fr")]
    assert count(db_path, "SELECT count(*) FROM public_lookups") == before


def test_an_unknown_code_gets_the_neutral_answer(make_app, db_path):
    from data_layer.core.receipt_codes import new_code

    at = open_page(make_app, None, PAGE, lang="ar")
    look_up(at, new_code(), "ar")
    assert [w.value for w in at.warning] == [t("receipt.not_found", "ar")]
    look_up(at, "A-2345-6789", "ar")
    assert [w.value for w in at.warning] == [t("receipt.not_found", "ar")]
    assert count(db_path, "SELECT count(*) FROM public_lookups WHERE NOT found") == 2


def test_a_request_reference_shows_its_step(make_app, db_path):
    from data_layer.public.forms import submit_aid_request
    from tests.test_public_forms import REQUEST

    db = open_database(db_path)
    try:
        sent = submit_aid_request(db, dict(REQUEST, national_id="07555555"), client="c", consent_given=True, lang="en")
    finally:
        db.close()
    at = open_page(make_app, None, PAGE, lang="en")
    look_up(at, sent.reference, "en")
    assert t("receipt.request_heading", "en", reference=sent.reference) in shown(at)
    assert [i.value for i in at.info] == [t("receipt.request.next.received", "en")]
    assert "Salma" not in shown(at)


def test_staff_see_the_receipt_code_after_saving_a_donation(make_app, db_path):
    at = open_page(make_app, "atss", "pages/donation_new.py", lang="en")
    at.selectbox(key="donation_new_category").set_value("food")
    at.run()
    at.text_input(key="donation_new_donor_name").input("Société Test")
    at.text_input(key="donation_new_quantity").input("12")
    at.selectbox(key="donation_new_governorate").set_value("TN-11")
    at.button(key="FormSubmitter:donation_new_form-" + t("common.save", "en")).click()
    at.run()
    assert not at.exception
    assert at.success, [e.value for e in at.error]
    db = open_database(db_path)
    try:
        cur = db.cursor()
        code = cur.execute(
            "SELECT r.code FROM receipt_codes r JOIN donations d ON d.id = r.donation_id ORDER BY d.id DESC LIMIT 1"
        ).fetchone()[0]
        cur.close()
    finally:
        db.close()
    assert [i.value for i in at.info] == [t("receipt.staff_saved", "en", code=code)]


def test_records_show_a_donation_s_receipt_code_to_print_again(make_app, db_path):
    at = open_page(make_app, "atss", "pages/records.py", lang="en")
    at.radio(key="records_register").set_value("donations")
    at.run()
    donation_id = at.selectbox(key="records_donation_id").value
    code = code_of_donation(db_path, donation_id)
    assert f"{t('field.receipt_code', 'en')}: `{code}`" in [m.value for m in at.markdown]


def code_of_donation(db_path, donation_id: int) -> str:
    db = open_database(db_path)
    try:
        cur = db.cursor()
        try:
            return cur.execute("SELECT code FROM receipt_codes WHERE donation_id = ?", [donation_id]).fetchone()[0]
        finally:
            cur.close()
    finally:
        db.close()
