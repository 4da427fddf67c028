"""The queues page: an association verifies a public request through the form."""

from __future__ import annotations

import pytest

from data_layer.core.i18n import t
from data_layer.ops.bootstrap import open_database
from data_layer.public.forms import submit_aid_request
from tests.test_public_forms import REQUEST


def test_association_verifies_a_request_on_the_page(make_app, db_path):
    db = open_database(db_path)
    try:
        submit_aid_request(
            db, dict(REQUEST, governorate="TN-11", national_id="06000001"), client="c", consent_given=True, lang="ar"
        )
        household_id = db.cursor().execute("SELECT id FROM households WHERE national_id = '06000001'").fetchone()[0]
    finally:
        db.close()
    at = make_app(username="atss", lang="en")
    at.run()
    at.switch_page("pages/queues.py")
    at.run()
    assert not at.exception
    assert at.selectbox(key="queues_request_id").value == household_id
    at.radio(key="queues_request_decision").set_value("verify")
    at.button(key="FormSubmitter:queues_request_form-" + t("queues.apply", "en")).click()
    at.run()
    assert not at.exception
    assert t("queues.done", "en", id=household_id) in [s.value for s in at.success]
    db = open_database(db_path)
    try:
        assert db.cursor().execute("SELECT status FROM households WHERE id = ?", [household_id]).fetchone() == (
            "verified",
        )
    finally:
        db.close()


def test_organiser_sees_the_summary_and_observer_cannot_reach_queues(make_app):
    at = make_app(username="organiser", lang="fr")
    at.run()
    at.switch_page("pages/queues.py")
    at.run()
    assert not at.exception
    assert len(at.dataframe[-1].value) == 24
    observer = make_app(username="observer", lang="fr")
    observer.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        observer.switch_page("pages/queues.py")
