"""Cached dashboard aggregates follow every write, whichever page or command made it."""

import streamlit as st

from data_layer.registry.households import register_household
from ui import dashboard_cache


def test_a_write_anywhere_refreshes_the_cached_coverage(db, actors):
    st.cache_data.clear()
    before = dashboard_cache.coverage(db)
    tozeur_before = int(before.loc[before["governorate_code"] == "TN-72", "households_registered"].iloc[0])
    # Written through the data layer, as the command line or another page would: no cache clearing.
    register_household(
        db,
        actors["organiser"],
        {
            "national_id": "72000001",
            "full_name": "Test Tozeur",
            "governorate": "Tozeur",
            "household_size": 2,
            "needs": "food:1",
        },
    )
    after = dashboard_cache.coverage(db)
    assert int(after.loc[after["governorate_code"] == "TN-72", "households_registered"].iloc[0]) == tozeur_before + 1
    st.cache_data.clear()
