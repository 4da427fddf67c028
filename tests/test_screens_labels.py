"""Names in place of numbers: the households behind an allocation proposal, within the reader's scope."""

import pandas as pd
import pytest

from data_layer.core.errors import PermissionDenied
from data_layer.registry.households import register_household
from data_layer.registry.labels import household_labels, with_household_labels


def household(national_id: str, name: str, delegation: str, size: int) -> dict:
    return {
        "national_id": national_id,
        "full_name": name,
        "governorate": "قفصة",
        "delegation": delegation,
        "household_size": size,
        "needs": [{"category": "food", "quantity": 1}],
    }


def test_labels_name_own_households_and_organisers_see_every_association(db, actors):
    ours = register_household(db, actors["atss"], household("81000001", "هند الطرابلسي", "قفصة الشمالية", 6))
    theirs = register_household(db, actors["amal"], household("81000002", "سامي بن علي", "المتلوي", 3))

    seen_by_atss = household_labels(db, actors["atss"], [theirs, ours, ours])
    assert seen_by_atss.to_dict("records") == [
        {"household_id": ours, "full_name": "هند الطرابلسي", "delegation": "قفصة الشمالية", "household_size": 6}
    ]
    seen_by_organiser = household_labels(db, actors["organiser"], [theirs, ours])
    assert list(seen_by_organiser["full_name"]) == ["هند الطرابلسي", "سامي بن علي"]
    assert household_labels(db, actors["organiser"], []).empty
    with pytest.raises(PermissionDenied):
        household_labels(db, actors["observer"], [ours])


def test_a_proposal_gets_names_first_and_keeps_its_rows(db, actors):
    ours = register_household(db, actors["atss"], household("81000003", "منى القاسمي", "قفصة الجنوبية", 4))
    theirs = register_household(db, actors["amal"], household("81000004", "علي الفرجاني", "المظيلة", 2))
    proposal = pd.DataFrame({"household_id": [theirs, ours], "quantity": [2.0, 1.0], "household_size": [2, 4]})

    named = with_household_labels(db, actors["atss"], proposal)
    assert list(named.columns) == ["full_name", "delegation", "household_size", "household_id", "quantity"]
    # Another association's household keeps its row but no name for association staff.
    assert pd.isna(named.loc[0, "full_name"]) and named.loc[1, "full_name"] == "منى القاسمي"
    assert list(named["quantity"]) == [2.0, 1.0] and list(named["household_size"]) == [2, 4]
