"""Public pages through AppTest: no login, three languages, captcha, limits, receipts."""

from __future__ import annotations

import pytest

from data_layer.core.i18n import t
from data_layer.public.ratelimit import CLIENT_DAILY_LIMIT
from tests.conftest import open_page

PUBLIC_PAGES = [
    "pages/public_request.py",
    "pages/public_volunteer.py",
    "pages/public_pledge.py",
    "pages/transparency.py",
]


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_page_renders_without_login(make_app, page, lang):
    at = open_page(make_app, None, page, lang=lang)
    title_key = page.removeprefix("pages/").removesuffix(".py") + ".title"
    assert at.title[0].value == t(title_key, lang)
    shown = " ".join(str(e.value) for e in at.markdown) + " ".join(str(e.value) for e in at.info)
    assert "[public." not in shown and "[transparency." not in shown


def fill_request(at, national_id: str, phone: str) -> None:
    at.text_input(key="public_request_full_name").input("Fatma Ben Salem")
    at.text_input(key="public_request_national_id").input(national_id)
    at.text_input(key="public_request_phone").input(phone)
    at.selectbox(key="public_request_governorate").set_value("TN-61")
    at.text_input(key="public_request_address").input("12 rue de la Kasbah")
    at.number_input(key="public_request_need_food").set_value(2)
    at.checkbox(key="public_request_consent").check()


def answer_captcha(at, prefix: str) -> None:
    # The person reads the picture; the test reads the same server-side text.
    at.text_input(key=prefix + "captcha_answer").input(at.session_state[prefix + "captcha_text"].lower())


def test_request_form_stores_submitted_household_and_shows_reference(make_app, db_path):
    at = make_app(lang="fr")
    at.run()
    at.switch_page("pages/public_request.py")
    at.run()
    fill_request(at, "09876543", "98111222")
    answer_captcha(at, "public_request_")
    at.button(key="FormSubmitter:public_request_form-" + t("public.send", "fr")).click()
    at.run()
    assert not at.exception
    assert at.success[0].value.startswith("Nous avons bien reçu")
    assert t("public.next.request", "fr") in [i.value for i in at.info]
    from data_layer.ops.bootstrap import open_database

    db = open_database(db_path)
    try:
        row = (
            db.cursor()
            .execute(
                "SELECT h.status, h.source, h.organisation_id, r.reference, c.text_version "
                "FROM households h JOIN public_receipts r ON r.record_id = h.id AND r.kind='request' "
                "JOIN consents c ON c.subject_table='households' AND c.subject_id = h.id "
                "WHERE h.national_id = '09876543'"
            )
            .fetchall()
        )
    finally:
        db.close()
    assert len(row) == 1
    status, source, organisation_id, reference, version = row[0]
    assert (status, source, organisation_id) == ("submitted", "self", None)
    assert reference in at.success[0].value and version.startswith("public-")


def test_wrong_captcha_refuses_and_saves_nothing(make_app, db_path):
    at = make_app(lang="en")
    at.run()
    at.switch_page("pages/public_request.py")
    at.run()
    fill_request(at, "09876544", "98111223")
    first_question = at.session_state["public_request_captcha_question"]
    at.text_input(key="public_request_captcha_answer").input("WRONG")
    at.button(key="FormSubmitter:public_request_form-Send").click()
    at.run()
    assert not at.exception
    assert t("public.error.captcha_sum", "en") in [e.value for e in at.error]
    assert at.session_state["public_request_captcha_question"] != first_question  # a new picture
    from data_layer.ops.bootstrap import open_database

    db = open_database(db_path)
    try:
        assert db.cursor().execute("SELECT count(*) FROM households WHERE national_id = '09876544'").fetchone()[0] == 0
    finally:
        db.close()


def test_eleventh_form_from_one_client_is_refused(make_app, db_path):
    at = make_app(lang="en")
    at.run()
    at.switch_page("pages/public_pledge.py")
    at.run()
    for number in range(CLIENT_DAILY_LIMIT + 1):
        at.text_input(key="public_pledge_quantity").input("5")
        at.selectbox(key="public_pledge_governorate").set_value("TN-11")
        at.text_input(key="public_pledge_donor_name").input(f"Donor {number}")
        at.text_input(key="public_pledge_phone").input(f"2{number:07d}")
        at.checkbox(key="public_pledge_consent").check()
        answer_captcha(at, "public_pledge_")
        at.button(key="FormSubmitter:public_pledge_form-Send").click()
        at.run()
        assert not at.exception
        if number < CLIENT_DAILY_LIMIT:
            assert at.success, f"submission {number + 1} should be accepted"
            at.button(key="public_pledge_again").click()
            at.run()
    assert not at.success, ([e.value for e in at.success], [e.value for e in at.error])
    assert t("public.error.limit_client", "en", limit=CLIENT_DAILY_LIMIT) in [e.value for e in at.error]
    from data_layer.ops.bootstrap import open_database

    db = open_database(db_path)
    try:
        assert db.cursor().execute("SELECT count(*) FROM pledges").fetchone()[0] == CLIENT_DAILY_LIMIT
    finally:
        db.close()


def test_login_page_links_to_public_pages(make_app):
    at = make_app(lang="ar")
    at.run()
    assert not at.exception
    links = [e for e in at.get("page_link")]
    assert len(links) == 5


def test_transparency_shows_no_personal_field_and_suppresses_small_counts(make_app, db):
    cur = db.cursor()
    names = [r[0] for r in cur.execute("SELECT full_name FROM households").fetchall()]
    ids = [r[0] for r in cur.execute("SELECT national_id FROM households").fetchall()]
    phones = [r[0] for r in cur.execute("SELECT phone FROM households WHERE phone IS NOT NULL").fetchall()]
    cur.close()
    at = make_app(lang="en")
    at.run()
    at.switch_page("pages/transparency.py")
    at.run()
    assert not at.exception
    coverage = at.dataframe[1].value
    assert list(coverage.columns) == ["Governorate", "Registered", "Served", "Coverage"]
    assert "<5" in set(coverage["Served"])  # the 300-household demo has governorates with fewer than 5
    for value in coverage["Registered"]:
        assert value == "<5" or int(value) >= 5
    everything = " ".join(str(v) for frame in (coverage, at.dataframe[0].value) for v in frame.to_numpy().ravel())
    everything += " ".join(str(e.value) for e in list(at.metric) + list(at.markdown))
    assert not any(n in everything for n in names)
    assert not any(i in everything for i in ids)
    assert not any(p in everything for p in phones)
