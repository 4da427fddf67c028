"""Stock, deliveries, traceability, fairness and donation tables in the reader's language: numbers
written with its marks ("12 500" in Arabic and French, identifiers left as they are) and donation
statuses in words, read from what the page sends to the browser."""

import datetime as dt

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from data_layer.core.i18n import format_date, format_number, t
from data_layer.registry.donations import cancel_donation, register_donation
from tests.conftest import actor_for, open_page

NARROW = "\u202f"  # the thin space grouping thousands in Arabic and French


def cells(element) -> pd.DataFrame:
    """The table as drawn: the text of every cell (the Styler's display values), under its header."""
    arrow = element.proto.arrow_data
    assert arrow.HasField("styler"), "the table is not written the reader's way"
    return convert_arrow_bytes_to_pandas_df(arrow.styler.display_values)


def blankets(db, lang: str, quantity: str = "12500", category: str = "clothes", unit: str | None = "piece") -> int:
    atss = actor_for(db, "atss")
    return register_donation(
        db,
        atss,
        {
            "donor_type": "individual",
            "donor_name": "مغازة الجسر",
            "category": category,
            "kind": "cash" if category == "cash" else "in_kind",
            "item": f"بطانيات {lang}",
            "quantity": quantity,
            "unit": unit,
            "governorate": "TN-11",
            "received_on": dt.date(2020, 5, 20),
        },
    )


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_stock_writes_quantities_in_the_language(make_app, db, lang):
    blankets(db, lang)
    at = open_page(make_app, "atss", "pages/stock.py", lang)
    shown = cells(at.dataframe[0])
    row = shown[shown[t("column.item", lang)] == f"بطانيات {lang}"].iloc[0]
    assert row[t("column.received", lang)] == f"12{NARROW}500"
    assert row[t("column.available", lang)] == f"12{NARROW}500"
    assert row[t("column.unit", lang)] == t("unit.piece", lang)
    assert row[t("column.category", lang)] == t("category.clothes", lang)
    assert row[t("column.governorate", lang)] == ("تونس" if lang == "ar" else "Tunis")


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_donations_register_names_statuses_and_writes_quantities(make_app, db, lang):
    kept = blankets(db, lang)
    withdrawn = blankets(db, lang, quantity="1500.5", category="cash", unit=None)
    cancel_donation(db, actor_for(db, "atss"), withdrawn)
    at = open_page(make_app, "atss", "pages/records.py", lang)
    at.radio(key="records_register").set_value("donations").run()
    assert not at.exception
    shown = cells(at.dataframe[0]).set_index(t("column.id", lang))
    status, quantity = t("column.status", lang), t("column.quantity", lang)
    assert shown.loc[str(kept), status] == t("donation_status.received", lang)
    assert shown.loc[str(withdrawn), status] == t("donation_status.cancelled", lang)
    assert {"received", "cancelled"}.isdisjoint(shown[status])
    assert shown.loc[str(kept), quantity] == f"12{NARROW}500"
    assert shown.loc[str(withdrawn), quantity] == f"1{NARROW}500,50"
    assert shown.loc[str(kept), t("column.received_on", lang)] == ("20 ماي 2020" if lang == "ar" else "20 mai 2020")


def test_deliveries_and_traceability_write_numbers_and_days_and_keep_references(make_app, db):
    lang = "fr"
    at = open_page(make_app, "organiser", "pages/deliveries.py", lang)
    raw, shown = at.dataframe[0].value, cells(at.dataframe[0])  # both under the headers shown
    delivery, day, status = (t(f"column.{c}", lang) for c in ("delivery_id", "planned_on", "status"))
    first = raw.iloc[0]
    assert shown.iloc[0][delivery] == str(first[delivery])
    # A DuckDB day comes back a timestamp (written by the Styler), a PostgreSQL one a date,
    # written the reader's way in the data itself.
    value = first[day]
    assert shown.iloc[0][day] == (value if isinstance(value, str) else format_date(value.date(), lang))
    assert not shown.iloc[0][day][:4].isdigit(), shown.iloc[0][day]  # not 2020-05-20
    assert shown.iloc[0][status] in {t(f"delivery_status.{s}", lang) for s in ("planned", "confirmed", "delivered")}
    texts = set(shown.to_numpy().ravel().tolist())
    assert not texts & {"<NA>", "NaT", "None", "nan"}

    household = int(first[t("column.household_id", lang)])
    at = open_page(make_app, "organiser", "pages/traceability.py", lang)
    at.text_input(key="traceability_text").input(str(household))
    next(b for b in at.button if b.label == t("traceability.find", lang)).click().run()
    at.selectbox(key="traceability_choice").set_value(("household", household)).run()
    assert not at.exception
    allocations = at.dataframe[0]
    raw, shown = allocations.value, cells(allocations)
    assert len(raw) >= 1
    for number in range(len(raw)):
        row, cell = raw.iloc[number], shown.iloc[number]
        quantity, allocation = t("column.quantity", lang), t("column.allocation_id", lang)
        assert cell[quantity] == format_number(row[quantity], lang)
        assert cell[allocation] == str(row[allocation])
        assert cell[t("column.household_id", lang)] == str(household)
    audit = cells(at.dataframe[1])
    assert audit[t("column.record_id", lang)].str.fullmatch(r"\d+").all()  # references as they are


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_fairness_tables_write_numbers_in_the_language(make_app, lang):
    at = open_page(make_app, "organiser", "pages/fairness.py", lang)
    tables = [element for element in at.dataframe if element.proto.arrow_data.HasField("styler")]
    assert len(tables) >= 3
    grouped = 0
    for element in tables:
        raw, shown = element.value, cells(element)
        for column in raw.columns:
            for value, text in zip(raw[column], shown[column]):
                if isinstance(value, (int, float)) and not isinstance(value, bool) and not pd.isna(value):
                    if "n°" in str(column) or "رقم" in str(column):
                        assert text == str(value), (column, value, text)
                    else:
                        assert text == format_number(value, lang), (column, value, text)
                        grouped += NARROW in text
    assert grouped  # the demo's stock of cash in Tunis, 5 450 dinars, among them
