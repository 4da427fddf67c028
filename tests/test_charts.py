"""Charts plot the data they are given: tiles, bars and pace lines checked on small frames."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from charts.area_map import area_map, area_tiles, map_codes, text_colour
from charts.monitoring import bar_chart, grouped_bars
from charts.progress import cumulative_projection, daily_pace
from charts.style import plotly_config
from data_layer.core.i18n import t
from data_layer.monitoring.coverage import coverage_by_governorate
from data_layer.store.database import Database


def test_tile_map_has_24_tiles_with_the_governorate_codes(empty_db: Database) -> None:
    codes = [r[0] for r in empty_db.conn.execute("SELECT code FROM areas WHERE country_code = 'TN'").fetchall()]
    frame = coverage_by_governorate(empty_db)
    figure = area_map(
        frame,
        value_column="coverage_rate",
        name_column="name_fr",
        title="Couverture",
        value_label="Taux",
        no_data_label="Pas de données",
    )
    assert len(codes) == 24
    assert sorted(map_codes(figure)) == sorted(codes)
    # An empty campaign: every tile is in the grey "no data" trace.
    assert len(figure.data[0].x) == 0 and len(figure.data[1].x) == 24
    assert figure.layout.title.text == "Couverture"


def test_tile_positions_are_distinct_and_shaped_like_the_country(empty_db: Database) -> None:
    # The squares come from the area file's centroids, as for any country.
    areas = empty_db.conn.execute("SELECT code AS governorate_code, lat, lon FROM areas WHERE country_code = 'TN'").df()
    tiles = area_tiles(areas)
    positions = list(zip(tiles["grid_row"], tiles["grid_col"]))
    assert len(tiles) == 24 and len(set(positions)) == 24
    row = dict(zip(tiles["governorate_code"], tiles["grid_row"]))
    col = dict(zip(tiles["governorate_code"], tiles["grid_col"]))
    assert row["TN-23"] < row["TN-61"] < row["TN-83"]  # Bizerte north of Sfax north of Tataouine
    assert col["TN-32"] < col["TN-11"] < col["TN-21"]  # Jendouba west of Tunis west of Nabeul


def test_tile_colours_are_the_coverage_values() -> None:
    frame = pd.DataFrame(
        {
            "governorate_code": ["TN-11", "TN-61", "TN-72"],
            "name": ["Tunis", "Sfax", "Tozeur"],
            "coverage_rate": [0.25, None, 1.0],
            "lat": [36.8, 34.74, 33.92],
            "lon": [10.18, 10.76, 8.13],
        }
    )
    tiles = area_tiles(frame).set_index("governorate_code")
    figure = area_map(
        frame, value_column="coverage_rate", name_column="name", title="t", value_label="v", no_data_label="n"
    )
    coloured = dict(zip([c for c, _ in figure.data[0].customdata], figure.data[0].marker.color))
    assert coloured == {"TN-11": 0.25, "TN-72": 1.0}
    assert [c for c, _ in figure.data[1].customdata] == ["TN-61"]
    assert (figure.data[0].x[0], figure.data[0].y[0]) == (
        tiles.loc["TN-11", "grid_col"],
        tiles.loc["TN-11", "grid_row"],
    )


def test_bar_chart_plots_values_and_leaves_suppressed_out() -> None:
    frame = pd.DataFrame({"name": ["A", "B", "C"], "rate": [0.5, "<5", 0.2]})
    figure = bar_chart(frame, x="name", y="rate", title="Titre", x_label="X", y_label="Y", percent=True, lang="fr")
    bars = figure.data[0]
    # Flat bars, one row per name: the value axis is x.
    assert bars.orientation == "h" and list(bars.y) == ["A", "B", "C"]
    assert bars.x[0] == 0.5 and bars.x[1] is None and bars.x[2] == 0.2
    # Every bar carries its value as the tiles write it; the suppressed one has neither bar nor label.
    assert list(bars.text) == ["50,0 %", "", "20,0 %"]
    assert (figure.layout.title.text, figure.layout.yaxis.title.text, figure.layout.xaxis.title.text) == (
        "Titre",
        "X",
        "Y",
    )
    assert figure.layout.xaxis.tickformat == ".0%" and figure.layout.separators == ",\u202f"


def test_every_name_is_shown_and_arabic_bars_grow_from_the_right() -> None:
    names = [f"Area {i}" for i in range(24)]
    frame = pd.DataFrame({"name": names, "count": range(24)})
    figure = bar_chart(frame, x="name", y="count", title="t", x_label="x", y_label="y", lang="ar")
    # A category axis with a tick per row: plotly does not thin out the names.
    assert figure.layout.yaxis.type == "category" and figure.layout.yaxis.dtick == 1
    assert figure.layout.yaxis.side == "right"
    low, high = figure.layout.xaxis.range
    assert low > high == 0  # reversed: zero on the right
    assert figure.layout.height >= 24 * 20  # each name its own line
    english = bar_chart(frame, x="name", y="count", title="t", x_label="x", y_label="y", lang="en")
    assert english.layout.yaxis.side == "left" and english.layout.xaxis.range[0] == 0


def test_grouped_bars_one_trace_per_series_with_translated_names() -> None:
    frame = pd.DataFrame({"org": ["ATSS", "CRT"], "received": [1500.0, 50.0], "delivered": [40.5, 0.0]})
    figure = grouped_bars(
        frame,
        x="org",
        series={"received": "المقبوض", "delivered": "الموزع"},
        title="t",
        x_label="x",
        y_label="y",
        lang="ar",
    )
    assert [trace.name for trace in figure.data] == ["المقبوض", "الموزع"]
    assert list(figure.data[0].x) == [1500.0, 50.0] and list(figure.data[1].x) == [40.5, 0.0]
    assert list(figure.data[0].text) == ["1\u202f500", "50"] and list(figure.data[1].text) == ["40,5", "0"]


def test_map_tiles_write_name_and_value_in_a_contrasting_colour() -> None:
    frame = pd.DataFrame(
        {
            "governorate_code": ["TN-11", "TN-12", "TN-13"],
            "name": ["تونس", "أريانة", "بن عروس"],
            "coverage_rate": [0.05, 0.5, 0.98],
        }
    )
    figure = area_map(
        frame,
        value_column="coverage_rate",
        name_column="name",
        title="t",
        value_label="v",
        no_data_label="n",
        lang="ar",
    )
    tiles = figure.data[0]
    assert list(tiles.text) == ["تونس<br>5,0 %", "أريانة<br>50,0 %", "بن عروس<br>98,0 %"]
    # White on the dark red and green ends, dark on the pale yellow middle.
    assert list(tiles.textfont.color) == ["#ffffff", "#1a1a1a", "#ffffff"]
    assert text_colour(0.5) == "#1a1a1a"


def test_plotly_config_speaks_the_language() -> None:
    config = plotly_config("ar")
    locale = config["locales"]["ar"]
    assert config["locale"] == "ar" and locale["format"]["months"][4] == "ماي"
    assert locale["format"]["decimal"] == "," and locale["dictionary"]["Download plot as a PNG"] == t(
        "chart.download_png", "ar"
    )
    assert all(not re.search("[A-Za-z]", word) for word in locale["dictionary"].values())


def test_progress_charts() -> None:
    days = [dt.date(2020, 5, 15) + dt.timedelta(days=i) for i in range(4)]
    daily = pd.DataFrame({"day": days, "households_served": [1, 0, 3, 2], "cumulative_served": [1, 1, 4, 6]})
    pace = daily_pace(
        daily,
        required_per_day=2.5,
        recent_pace=5 / 3,
        title="t",
        x_label="x",
        y_label="y",
        served_label="served",
        required_label="needed",
        recent_label="recent",
        lang="ar",
    )
    assert list(pace.data[0].y) == [1, 0, 3, 2] and list(pace.data[0].text) == [1, 0, 3, 2]
    # Days as numbers (no English month names), the count axis on the right in Arabic.
    assert pace.layout.xaxis.tickformat == "%d/%m" and pace.data[0].xhoverformat == "%d/%m/%Y"
    assert pace.layout.yaxis.side == "right"
    assert list(pace.data[1].y) == [2.5] * 4 and pace.data[1].name == "needed"
    assert pace.data[2].name == "recent"
    projection = cumulative_projection(
        daily,
        target=20,
        ends_on=dt.date(2020, 5, 30),
        recent_pace=2.0,
        title="t",
        x_label="x",
        y_label="y",
        served_label="served",
        target_label="target",
        projection_label="projection",
    )
    line = projection.data[1]
    # From 6 on 18 May at 2 a day for the 12 days to 30 May.
    assert list(line.x) == [dt.date(2020, 5, 18), dt.date(2020, 5, 30)] and list(line.y) == [6.0, 30.0]
    assert projection.layout.shapes[0].y0 == 20
