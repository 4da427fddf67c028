"""Cached dashboard aggregates follow every write, whichever page or command made it."""

import streamlit as st

from tests.fairness_world import ORGANISER, association, household
from ui import dashboard_cache


def registered(db) -> dict[str, int]:
    coverage = dashboard_cache.coverage(db)
    return dict(zip(coverage["governorate_code"], coverage["households_registered"].astype(int)))


def test_a_write_anywhere_refreshes_the_cached_coverage(empty_db):
    st.cache_data.clear()
    household(empty_db, association(empty_db, "ATSS"), "11000001", "food:1")
    before = registered(empty_db)  # read once: now in the cache
    assert (before["TN-11"], before["TN-72"]) == (1, 0)
    # Written through the data layer, as the command line or another page would: no cache clearing.
    household(empty_db, ORGANISER, "72000001", "food:1", governorate="Tozeur")
    after = registered(empty_db)
    assert (after["TN-11"], after["TN-72"]) == (1, 1)
    st.cache_data.clear()
