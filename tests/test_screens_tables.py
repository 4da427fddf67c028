"""Tables write numbers the reader's way while sorting still goes by the number."""

import pandas as pd

from data_layer.core.i18n import t
from ui.tables import in_words, localised


def shown(styler) -> list[list]:
    styler._compute()
    return [[cell["display_value"] for cell in row[1:]] for row in styler._translate(False, False)["body"]]


def test_numbers_in_the_language_and_references_left_as_they_are() -> None:
    frame = pd.DataFrame(
        {"registered": [446350, 3], "value": [150.5, None], "served": ["<5", 12000], "donation": [1234, 5678]}
    )
    styled = localised(frame, "ar", plain=["donation"])
    assert shown(styled) == [["446\u202f350", "150,50", "<5", "1234"], ["3", "", "12\u202f000", "5678"]]
    # The values underneath stay numbers (st.dataframe sorts by them).
    assert styled.data["registered"].tolist() == [446350, 3]
    assert shown(localised(frame, "en", plain=["donation"]))[0][:2] == ["446,350", "150.50"]


def test_codes_become_words() -> None:
    frame = pd.DataFrame(
        {
            "governorate_code": ["TN-11", "XX-99"],
            "category_code": ["food", "unknown_code"],
            "status": ["registered", "verified"],
            "vulnerabilities": [["elderly", "disability"], []],
        }
    )
    words = in_words(frame, "ar", {"TN-11": "تونس"})
    assert words.to_dict("records") == [
        {
            "governorate_code": "تونس",
            "category_code": t("category.food", "ar"),
            "status": t("status.registered", "ar"),
            "vulnerabilities": t("vulnerability.elderly", "ar") + "، " + t("vulnerability.disability", "ar"),
        },
        # No word for a code: it stays as it is.
        {
            "governorate_code": "XX-99",
            "category_code": "unknown_code",
            "status": t("status.verified", "ar"),
            "vulnerabilities": "",
        },
    ]
