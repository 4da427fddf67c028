"""The Fairness page draws for each role that may open it, with what that role may see."""

from __future__ import annotations

import pytest

from data_layer.core.i18n import t
from tests.conftest import open_page


@pytest.mark.parametrize("username", ["organiser", "atss", "observer"])
def test_fairness_page_draws_for_each_role(make_app, username: str) -> None:
    at = open_page(make_app, username, "pages/fairness.py", lang="en")
    assert not at.exception
    expanders = [e.label for e in at.expander]
    shared_phone = t("fairness.signal.shared_phone", "en")
    if username == "observer":  # aggregates only: no list of records
        assert not any(label.startswith(shared_phone) for label in expanders)
    else:
        assert any(label.startswith(shared_phone) for label in expanders)
    tab_labels = [tab.label for tab in at.tabs]
    assert (t("fairness.tab.rules", "en") in tab_labels) == (username == "organiser")


def test_an_organiser_sets_a_limit_on_the_page(make_app) -> None:
    at = open_page(make_app, "organiser", "pages/fairness.py", lang="en")
    at.text_input(key="fairness_limit_times").set_value("1")
    next(b for b in at.button if b.label == t("fairness.set_limit", "en")).click()
    at.run()
    assert not at.exception
    assert t("fairness.saved", "en") in [s.value for s in at.success]
