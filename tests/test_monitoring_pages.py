"""The dashboard and progress pages under AppTest: they render, filter and respect observers."""
from __future__ import annotations

import pytest

from data_layer.demo import CAMPAIGN_END


@pytest.mark.parametrize("username", ["organiser", "observer", "atss"])
def test_dashboard_renders(make_app, username: str) -> None:
    at = make_app(username, lang="fr")
    at.run()
    at.switch_page("pages/dashboard.py")
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert "Ménages inscrits" in metrics


def test_progress_renders(make_app) -> None:
    at = make_app("organiser", lang="en")
    at.run()
    at.switch_page("pages/progress.py")
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Days left"] == "0"
    assert at.date_input(key="progress_as_of").value == CAMPAIGN_END
