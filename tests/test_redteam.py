"""The red-team findings tried again as an attacker would, each now stopped.

docs/security.md maps every finding to the test that reproduces it; these are the attacks the
other test files did not yet try as written.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import re
import time
import tracemalloc
import zipfile
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from streamlit.proto.MultiSelect_pb2 import MultiSelect as MultiSelectProto
from streamlit.proto.Selectbox_pb2 import Selectbox as SelectboxProto
from streamlit.runtime.context import StreamlitHeaders

from data_layer.access.accounts import change_password, set_user_active
from data_layer.core.errors import JesrError
from data_layer.core.i18n import t
from data_layer.core.receipt_codes import grouped
from data_layer.distribution.deliveries import (
    CODE_MAX_WRONG,
    advance_delivery,
    code_is_locked,
    reissue_confirmation_code,
)
from data_layer.distribution.reschedule import replan_delivery
from data_layer.monitoring import suppression
from data_layer.monitoring.baskets import basket_frame, basket_view, governorate_totals
from data_layer.monitoring.coverage import Filters, aggregate_export
from data_layer.monitoring.exports import export_to_file
from data_layer.monitoring.progress import progress_export
from data_layer.public.forms import submit_aid_request, submit_pledge, transparency_coverage, transparency_totals
from data_layer.public.ratelimit import CLIENT_DAILY_LIMIT, RateLimited
from data_layer.registry.spreadsheets import MAX_XLSX_UNPACKED_BYTES, UnreadableFile, read_table
from tests.conftest import ROOT, open_page, rebuild_facts_after_raw_sql
from tests.test_public_forms import PLEDGE, REQUEST
from ui import captcha, dashboard_cache

MB = 1024 * 1024


# --- sessions end when the account changes, in every open tab ------------------------------------


def _tab(make_app, page: str | None = None):
    at = make_app("amal", lang="en")
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    assert not at.exception and at.session_state["actor"].username == "amal"
    return at


def _signed_out(at) -> bool:
    return "actor" not in at.session_state and t("login.session_ended", "en") in [w.value for w in at.warning]


@pytest.mark.parametrize("change", ["disable", "password"])
def test_an_account_changed_elsewhere_is_signed_out_of_both_its_open_tabs_at_their_next_action(
    make_app, db, actors, change
):
    # Two tabs of one account: one on its first page, run through app.py's check on every rerun;
    # the other on a form, as a page served by name runs (AppTest serves it so, without app.py).
    first = _tab(make_app)
    second = _tab(make_app, "pages/household_new.py")
    households = db.conn.execute("SELECT count(*) FROM households").fetchone()[0]
    if change == "disable":
        set_user_active(db, actors["admin"], "amal", False)
    else:  # a role change ends sessions the same way (tests/test_auth.py)
        change_password(db, actors["admin"], "amal", "a-password-only-the-admin-knows")

    first.run()  # any click reruns the page
    assert not first.exception and _signed_out(first)
    # The second tab saves a household: the page stops before its form, and nothing is saved.
    second.text_input(key="household_new_national_id").input("04455667")
    second.text_input(key="household_new_full_name").input("Tab Two")
    second.button(key="household_new_save").click()
    second.run()
    assert not second.exception and _signed_out(second)
    assert db.conn.execute("SELECT count(*) FROM households").fetchone()[0] == households
    # Neither tab comes back on its next run.
    for tab in (first, second):
        tab.run()
        assert "actor" not in tab.session_state


# --- the client address behind a proxy -----------------------------------------------------------


def _request_from(monkeypatch, peer: str | None, lines: list[str]) -> str:
    headers = StreamlitHeaders([("X-Forwarded-For", line) for line in lines])
    monkeypatch.setattr(captcha, "st", SimpleNamespace(context=SimpleNamespace(ip_address=peer, headers=headers)))
    return captcha.client_address()


def test_a_forged_forwarded_for_line_before_the_proxy_s_own_does_not_lift_the_daily_limit(db, monkeypatch):
    """A proxy that adds its own X-Forwarded-For line (HAProxy's `option forwardfor`) leaves the
    visitor's forged line first; reading only the first line made every form a new client."""
    monkeypatch.setenv("JESR_TRUSTED_PROXIES", "127.0.0.1/32")
    for number in range(CLIENT_DAILY_LIMIT):
        client = _request_from(monkeypatch, None, [f"10.{number}.0.1", "203.0.113.9"])
        assert client == "203.0.113.9"
        submit_pledge(db, dict(PLEDGE, phone=f"5{number:07d}"), client=client, consent_given=True, lang="ar")
    forged = _request_from(monkeypatch, None, ["8.8.8.8, 1.1.1.1", "203.0.113.9"])
    with pytest.raises(RateLimited):
        submit_pledge(db, dict(PLEDGE, phone="59999999"), client=forged, consent_given=True, lang="ar")
    # Straight to the app, not through the trusted proxy: the header is not read at all.
    assert _request_from(monkeypatch, "198.51.100.7", ["203.0.113.9"]) == "198.51.100.7"


# --- one person, four digit spellings, at the public form ----------------------------------------


def test_four_spellings_of_one_id_at_the_public_form_are_one_household_and_one_daily_limit(empty_db):
    db = empty_db  # no household before the first request
    spellings = ["41000019", "４１００００１９", "⁴¹⁰⁰⁰⁰¹⁹", "𝟒𝟏𝟎𝟎𝟎𝟎𝟏𝟗"]
    for number, typed in enumerate(spellings[:3]):
        raw = dict(REQUEST, national_id=typed, phone=f"+216 98 700 00{number}")
        submit_aid_request(db, raw, client=f"41.0.0.{number}", consent_given=True, lang="ar")
    assert db.conn.execute("SELECT national_id FROM households").fetchall() == [("41000019",)]
    assert db.conn.execute("SELECT count(*) FROM duplicate_reports WHERE national_id = '41000019'").fetchone()[0] == 2
    with pytest.raises(RateLimited) as refused:
        submit_aid_request(
            db,
            dict(REQUEST, national_id=spellings[3], phone="+216 98 700 009"),
            client="41.0.0.9",
            consent_given=True,
            lang="ar",
        )
    assert refused.value.code == "public.error.limit_subject"


# --- costly uploads ------------------------------------------------------------------------------


def _workbook_bomb(unpacked: int) -> bytes:
    """A real workbook whose sheet holds `unpacked` bytes of rows that deflate a few hundred times:
    under the size limit, so only its packing gives it away (openpyxl read about 1 MB a second)."""
    book = openpyxl.Workbook()
    book.active.append(["full_name", "household_size"])
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    packed = io.BytesIO()
    row = b"<row>" + b'<c t="inlineStr"><is><t>a</t></is></c>' * 50 + b"</row>"
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info, source.read(info.filename))
                continue
            with archive.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/')
                sheet.write(b'spreadsheetml/2006/main"><sheetData>')
                for _ in range(unpacked // (len(row) * 100)):
                    sheet.write(row * 100)
                sheet.write(b"</sheetData></worksheet>")
    return packed.getvalue()


def _cost(read):  # noqa: ANN001, ANN202
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(UnreadableFile) as refused:
            read()
        return refused.value, time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_million_column_csv_and_zip_bombs_are_refused_at_once_and_cheaply():
    header = b",".join(b"c%d" % i for i in range(1_000_000))
    refused, seconds, peak = _cost(lambda: read_table(header + b"\n1\n", filename="wide.csv"))
    assert refused.code == "error.file_too_many_columns"
    assert seconds < 2 and peak < 100 * MB  # it took 65 s and 2.2 GB

    # Under the size limit, a workbook that would have cost openpyxl 30 s of reading.
    bomb = _workbook_bomb(30 * MB)
    assert len(bomb) < MB and 30 * MB < MAX_XLSX_UNPACKED_BYTES
    refused, seconds, peak = _cost(lambda: read_table(bomb, filename="bomb.xlsx"))
    assert refused.code == "error.file_packed_too_tightly"
    assert seconds < 2 and peak < 100 * MB
    assert t(refused.code, "ar") != f"[{refused.code}]"


# --- Markdown typed in a form, shown on every page as plain text ---------------------------------

HOSTILE = "[Verify your aid here](http://x.example/login) ![p](http://x.example/pixel.png)"
# A link or image Markdown would draw: "](" or "![" with no backslash before the bracket.
ACTIVE_LINK = re.compile(r"(?<!\\)\]\(|(?<!\\)!(?<!\\)\[")
# Every free text a person types (public forms, staff forms, campaign and organisation names).
TYPED_TEXT = {
    "households": ["full_name", "address", "notes", "delegation"],
    "pledges": ["donor_name", "item", "notes", "delegation"],
    "volunteers": ["full_name", "delegation"],
    "donors": ["name"],
    "donations": ["item", "notes", "storage_location", "delegation"],
    "deliveries": ["failure_reason"],
    "organisations": ["name"],
    "campaigns": ["name"],
    "campaign_settings": ["name_en", "name_fr"],
    "distribution_points": ["name", "address"],
    "duplicate_reviews": ["note", "reason"],
    "users": ["full_name"],
}
# Each page that shows what people typed, with a reader who sees the most of it (the dashboards
# and admin pages show it only in tables and select boxes, which draw no Markdown).
PAGES_SHOWING_TEXT = {
    "organiser": [
        "pages/home.py",
        "pages/fairness.py",
        "pages/records.py",
        "pages/queues.py",
        "pages/deliveries.py",
        "pages/duplicates.py",
        "pages/campaigns.py",
    ],
    "volunteer": ["pages/my_deliveries.py"],
    None: ["pages/transparency.py", "pages/receipt.py"],
}


def _texts(node):  # noqa: ANN001, ANN202
    """(element type, field, text) of every text an element draws: bodies, labels, options, help."""
    proto = getattr(node, "proto", None)
    if proto is not None:
        kind = type(node).__name__ + "/" + type(proto).__name__
        for field in ("body", "label", "help", "caption", "placeholder"):
            value = getattr(proto, field, None)
            if isinstance(value, str) and value:
                yield kind, field, value
        # A select box draws its options as plain text (st.radio and pills draw Markdown).
        plain_options = isinstance(proto, (SelectboxProto, MultiSelectProto))
        for option in [] if plain_options else getattr(proto, "options", None) or []:
            if isinstance(option, str):
                yield kind, "options", option
    for child in getattr(node, "children", {}).values():
        yield from _texts(child)


def _active_links(at) -> list[tuple[str, str]]:
    return sorted({(kind, field) for kind, field, text in _texts(at._tree) if ACTIVE_LINK.search(text)})


@pytest.fixture
def hostile_db(db):
    cur = db.cursor()
    for table, columns in TYPED_TEXT.items():
        cur.execute(f"UPDATE {table} SET " + ", ".join(f"{c} = ?" for c in columns), [HOSTILE] * len(columns))
    cur.close()
    rebuild_facts_after_raw_sql(db)
    return db


def test_markdown_typed_anywhere_is_plain_text_on_every_page(hostile_db, make_app):
    found, shown = {}, set()
    for username, pages in PAGES_SHOWING_TEXT.items():
        for page in pages:
            at = open_page(make_app, username, page, lang="en")
            found[(username, page)] = _active_links(at)
            if any("Verify your aid" in re.sub(r"\\(.)", r"\1", text) for _, _, text in _texts(at._tree)):
                shown.add((username, page))
    # The traceability page, after a search for a household.
    at = open_page(make_app, "organiser", "pages/traceability.py", lang="en")
    national_id = hostile_db.conn.execute("SELECT national_id FROM households ORDER BY id LIMIT 1").fetchone()[0]
    at.text_input(key="traceability_text").input(national_id)
    at.button[0].click()
    at.run()
    assert not at.exception
    found[("organiser", "traceability search")] = _active_links(at)
    if any("Verify your aid" in re.sub(r"\\(.)", r"\1", text) for _, _, text in _texts(at._tree)):
        shown.add(("organiser", "traceability search"))
    # The public receipt page, after a donation's code is looked up (it names the association).
    code = hostile_db.conn.execute(
        "SELECT code FROM receipt_codes WHERE donation_id IS NOT NULL ORDER BY code LIMIT 1"
    ).fetchone()
    assert code is not None
    at = open_page(make_app, None, "pages/receipt.py", lang="en")
    at.text_input(key="receipt_code").input(grouped(code[0]))
    at.button[0].click()
    at.run()
    assert not at.exception
    found[(None, "receipt look-up")] = _active_links(at)
    if any("Verify your aid" in re.sub(r"\\(.)", r"\1", text) for _, _, text in _texts(at._tree)):
        shown.add((None, "receipt look-up"))
    assert {key: links for key, links in found.items() if links} == {}
    # The text was there to be drawn: on the volunteer's cards, the campaign name, the search result.
    assert {("volunteer", "pages/my_deliveries.py"), (None, "pages/transparency.py")} <= shown
    assert ("organiser", "traceability search") in shown
    assert (None, "receipt look-up") in shown


# --- small counts: every figure follows the one threshold, none comes back by subtraction -------

COUNT_COLUMNS = {
    "coverage": ["households_registered", "households_served"],
    "unmet_needs": ["households_waiting"],
    "flows_by_organisation": ["households_served"],
    "volunteer_activity": ["volunteers_active", "volunteers_delivering", "deliveries_done"],
    "progress_governorates": ["households_registered", "households_served", "served_last_3_days"],
}


@pytest.fixture(params=[5, 10], ids=["threshold-5", "threshold-10"])
def threshold(request, monkeypatch) -> int:
    """SMALL_COUNT_THRESHOLD as an operator would set it; every figure must follow."""
    value = request.param
    monkeypatch.setattr(suppression, "SMALL_COUNT_THRESHOLD", value)
    monkeypatch.setattr(suppression, "SUPPRESSED", f"<{value}")
    monkeypatch.setattr(suppression, "HIDDEN_MARKS", (f"<{value}", suppression.WITHHELD))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield value
    st.cache_data.clear()
    st.cache_resource.clear()


def _number(face: object) -> float | None:
    if isinstance(face, str):
        text = face.replace(",", "").replace("\u202f", "").replace("\xa0", "")
        try:
            return float(text)
        except ValueError:
            return None
    return None if face is None or pd.isna(face) else float(face)


def _recovered(faces: list[object], total: float, threshold: int) -> list[int]:
    """Positions of hidden cells whose value follows from the total and what each mark tells:
    "<T" is 0 to T-1, "x" at least T and at most the smallest cell shown."""
    shown = [v for v in map(_number, faces) if v is not None]
    ceiling = min(shown) if shown else float("inf")
    hidden = [(i, f) for i, f in enumerate(faces) if _number(f) is None and f is not None and not pd.isna(f)]
    bounds = [(0.0, threshold - 1.0) if f == f"<{threshold}" else (float(threshold), ceiling) for _, f in hidden]
    rest = total - sum(shown)
    low, high = sum(lo for lo, _ in bounds), sum(hi for _, hi in bounds)
    return [i for (i, _), (lo, hi) in zip(hidden, bounds) if max(lo, rest - (high - hi)) >= min(hi, rest - (low - lo))]


def _published(db, reader) -> dict[str, pd.DataFrame]:  # noqa: ANN001
    tables = {
        kind: aggregate_export(db, reader, kind, Filters()) for kind in COUNT_COLUMNS if kind != "progress_governorates"
    }
    tables["progress_governorates"] = progress_export(db, reader, "progress_governorates")
    return tables


def test_every_public_and_observer_figure_follows_the_threshold_and_none_comes_back_by_subtraction(
    db, actors, threshold
):
    observer = actors["observer"]
    for reader in (observer, None):
        tables = _published(db, reader)
        raw = _published(db, actors["organiser"])
        view = dashboard_cache.view(db, Filters(), reader, "en")
        # 1. No household, volunteer or delivery count under the threshold is shown as a number.
        for kind, columns in COUNT_COLUMNS.items():
            for column in columns:
                numbers = [_number(f) for f in tables[kind][column]]
                assert all(n is None or n >= threshold for n in numbers), (kind, column, list(tables[kind][column]))
        headline = dict(view.metrics + view.volunteer_metrics)
        for label in (
            "dashboard.registered",
            "dashboard.served",
            "dashboard.volunteers_active",
            "dashboard.deliveries_done",
        ):
            value = _number(headline[t(label, "en")])
            assert value is None or value >= threshold, (label, headline[t(label, "en")])
        # 2. Each column's total is published: no hidden cell follows from it and the cells shown.
        for kind, columns in COUNT_COLUMNS.items():
            for column in columns:
                total = float(raw[kind][column].sum())
                assert _recovered(list(tables[kind][column]), total, threshold) == [], (kind, column)
        unmet, raw_unmet = tables["unmet_needs"], raw["unmet_needs"]
        for _, rows in unmet.groupby(["category_code", "unit"]).groups.items():
            total = float(raw_unmet.loc[rows, "households_waiting"].sum())
            assert _recovered(list(unmet.loc[rows, "households_waiting"]), total, threshold) == []
        # "Governorates reached" counts only what the table shows: a "<T" cell may be 0.
        served = list(tables["coverage"]["households_served"])
        reached = sum(1 for f in served if f == suppression.WITHHELD or (_number(f) or 0) >= threshold)
        assert headline[t("dashboard.governorates_reached", "en")] == str(reached)

    # 3. The public page shows the same faces as the observer's tables, and its totals follow the rule.
    coverage = dashboard_cache.coverage(db)
    public = transparency_coverage(coverage, "en")
    assert list(public["served"]) == list(_published(db, None)["coverage"]["households_served"])
    totals = transparency_totals(coverage, dashboard_cache.volunteers(db))
    assert all(_number(v) is None or _number(v) >= threshold for v in totals.values()), totals

    # 4. Filters do not give a second view to subtract: the observer's figures are the same for any.
    whole = dashboard_cache.view(db, Filters(), observer, "en")
    for filters in (
        Filters(governorate_code="TN-61"),
        Filters(category_code="food"),
        Filters(date_to=dt.date(2020, 5, 20)),
        Filters(date_from=dt.date(2020, 5, 21)),
    ):
        filtered = dashboard_cache.view(db, filters, observer, "en")
        assert filtered.metrics == whole.metrics and filtered.coverage_table.equals(whole.coverage_table)
        for kind in COUNT_COLUMNS:
            if kind != "progress_governorates":
                assert aggregate_export(db, observer, kind, filters).equals(aggregate_export(db, observer, kind)), kind
    # Nor the progress outlook on another day.
    some_day = dt.date(2020, 5, 20)  # within the demo campaign
    assert progress_export(db, observer, "progress_governorates", some_day).equals(
        progress_export(db, observer, "progress_governorates")
    )

    # 5. Fairness: a governorate's baskets are the sum of the rows shown, so a hidden row's are not
    # its total minus the others.
    flows = basket_frame(db, observer, 1)
    rows = basket_view(db, observer, 1)
    sums = governorate_totals(flows, observer).set_index("governorate_code")
    for code, group in rows.groupby("governorate_code"):
        shown_rows = group[group["households"].map(lambda f: _number(f) is not None)]
        if code in sums.index:
            for column in [c for c in sums.columns if c.endswith("_baskets")]:
                expected = pd.to_numeric(shown_rows[column], errors="coerce").sum()
                assert _number(sums.loc[code, column]) in (None, pytest.approx(expected)), (code, column)


# --- formulas after a separator, in a file staff export ------------------------------------------

FORMULA_START = re.compile(r"^[=+\-@\t\r]")
SIGNED_NUMBER = re.compile(r"^[+-][\d\s.,]+$")


def _cells_as_excel_splits_them(text: str) -> list[str]:
    """Every cell of a CSV as Excel opens it in an English locale (",") and in a French or Arabic
    one (";", the comma file's quoting kept)."""
    cells = []
    for delimiter in (",", ";"):
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            cells += row
    return cells


def test_a_semicolon_formula_typed_in_the_public_form_opens_as_text_in_the_staff_export(db, actors, tmp_path):
    hostile = dict(
        REQUEST,
        national_id="41000027",
        full_name='Ali;=HYPERLINK("http://x.example","Verify")',
        address="Rue 1, @SUM(A1)",
    )
    submit_aid_request(db, hostile, client="41.0.0.27", consent_given=True, lang="ar")
    path = tmp_path / "households.csv"
    export_to_file(db, actors["organiser"], "households", "csv", path)
    text = path.read_text(encoding="utf-8-sig")
    assert "HYPERLINK" in text and "@SUM" in text
    live = [c for c in _cells_as_excel_splits_them(text) if FORMULA_START.match(c.lstrip(" "))]
    assert [c for c in live if not SIGNED_NUMBER.match(c.strip())] == []


# --- downloads are built when clicked ------------------------------------------------------------


def test_every_download_is_built_when_clicked_not_on_each_rerun():
    """A download button given bytes stores a file per run; an XLSX differs each second (its
    timestamp), so a click on the button of the run before met a deleted file
    (MediaFileStorageError). A callable is run by Streamlit when the button is clicked."""
    eager = []
    for path in sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "download_button":
                data = node.args[1] if len(node.args) > 1 else next(k.value for k in node.keywords if k.arg == "data")
                is_callable = isinstance(data, ast.Lambda) or (
                    isinstance(data, ast.Call) and getattr(data.func, "id", None) == "partial"
                )
                if not is_callable:
                    eager.append(f"{path.name}:{node.lineno}")
    assert eager == []


# --- a re-planned delivery keeps its code's wrong tries ------------------------------------------


def test_a_locked_door_code_stays_locked_on_the_re_planned_delivery_until_re_issued(db, actors):
    """Five wrong codes, the delivery marked failed and planned again: the household keeps its
    code, so the new delivery must not give that code five fresh tries."""
    staff, volunteer = actors["organiser"], actors["volunteer"]
    delivery = db.conn.execute(
        "SELECT d.id, d.confirmation_code FROM deliveries d WHERE d.status = 'planned' AND d.volunteer_id = ?"
        " AND EXISTS (SELECT 1 FROM allocations a WHERE a.delivery_id = d.id AND a.status = 'allocated')"
        " ORDER BY d.id LIMIT 1",
        [volunteer.volunteer_id],
    ).fetchone()
    assert delivery is not None
    delivery_id, code = delivery
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(CODE_MAX_WRONG):
        with pytest.raises(JesrError):
            advance_delivery(db, volunteer, delivery_id, "delivered", code=wrong)
    advance_delivery(db, volunteer, delivery_id, "failed", failure_reason="not_home")
    new_id = replan_delivery(db, staff, delivery_id, dt.date.today() + dt.timedelta(days=1))
    assert db.conn.execute("SELECT confirmation_code FROM deliveries WHERE id = ?", [new_id]).fetchone()[0] == code
    assert code_is_locked(db, staff, new_id)
    with pytest.raises(JesrError) as locked:
        advance_delivery(db, staff, new_id, "delivered", code=code)
    assert locked.value.code == "distribution.error.code_locked"
    new_code = reissue_confirmation_code(db, staff, new_id)
    assert advance_delivery(db, staff, new_id, "delivered", code=new_code) == "confirmed"
