"""Text people type is shown as text: a Markdown link or image in a public form never renders."""

from __future__ import annotations

import re

from data_layer.public.forms import submit_aid_request
from data_layer.public.queues import verify_request
from tests.conftest import actor_for, open_page
from tests.test_public_forms import REQUEST
from ui.widgets import plain

HOSTILE = "[Verify your aid here](http://x.example/login) ![p](http://x.example/pixel.png) **now** $x$"
# Markdown syntax left active: a bracket, parenthesis, emphasis or math sign with no backslash before it.
ACTIVE = re.compile(r"(?<!\\)[\[\]()*!$]")


def test_plain_escapes_every_markdown_sign():
    shown = plain(HOSTILE)
    assert ACTIVE.search(shown) is None
    assert re.sub(r"\\(.)", r"\1", shown) == HOSTILE  # the same text once the escapes are read
    assert plain(None) == "—" and plain("Salma Trabelsi") == "Salma Trabelsi"


def test_a_hostile_name_from_the_public_form_is_plain_text_on_the_traceability_page(db, db_path, make_app):
    receipt = submit_aid_request(db, dict(REQUEST, full_name=HOSTILE), client="c", consent_given=True, lang="ar")
    household_id = int(
        db.conn.execute("SELECT record_id FROM public_receipts WHERE reference = ?", [receipt.reference]).fetchone()[0]
    )
    verify_request(db, actor_for(db, "organiser"), household_id, organisation_id=1)
    at = open_page(make_app, "organiser", "pages/traceability.py", lang="en")
    at.text_input(key="traceability_text").input(REQUEST["national_id"])
    at.button[0].click()
    at.run()
    assert not at.exception
    [heading] = [h.value for h in at.subheader if "Verify" in h.value]
    assert ACTIVE.search(heading.split("—", 1)[-1]) is None, heading
