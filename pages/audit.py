"""The audit log: who changed what and when, filtered, with a download of the same rows."""

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.monitoring.audit_view import CLEAR_ROLES, AuditFilters, audit_choices, export_audit, list_audit
from data_layer.registry.spreadsheets import table_bytes
from ui.messages import show_error
from ui.session import page_setup

ctx = page_setup("audit.title")
PREFIX = "audit_"
actor = ctx.actor
assert actor is not None  # the page is registered for staff only

st.caption(ctx.tr("audit.intro"))
if not actor.sees_all_organisations:
    st.caption(ctx.tr("audit.scope_organisation"))
if actor.role not in CLEAR_ROLES:
    st.caption(ctx.tr("audit.masked_note"))
try:
    actors, tables = audit_choices(ctx.db, actor)
except JesrError as exc:
    show_error(exc, ctx.lang)
    st.stop()

ANY = ""
with st.form(PREFIX + "form"):
    left, middle, right = st.columns(3)
    username = left.selectbox(
        ctx.tr("audit.actor"),
        [ANY, *actors],
        key=PREFIX + "actor",
        format_func=lambda name: name or ctx.tr("audit.any"),
    )
    table = middle.selectbox(
        ctx.tr("audit.table"),
        [ANY, *tables],
        key=PREFIX + "table",
        format_func=lambda name: name or ctx.tr("audit.any"),
    )
    record = right.text_input(ctx.tr("audit.record"), key=PREFIX + "record", max_chars=20)
    left, right = st.columns(2)
    date_from = left.date_input(ctx.tr("audit.date_from"), value=None, key=PREFIX + "date_from")
    date_to = right.date_input(ctx.tr("audit.date_to"), value=None, key=PREFIX + "date_to")
    st.form_submit_button(ctx.tr("audit.show"))

filters = AuditFilters(username=username, table_name=table, record_id=record, date_from=date_from, date_to=date_to)
try:
    rows = list_audit(ctx.db, actor, filters)
except JesrError as exc:
    show_error(exc, ctx.lang)
    st.stop()
if rows.empty:
    st.info(ctx.tr("audit.nothing"))
    st.stop()
st.markdown(ctx.tr("audit.shown", count=len(rows)))
st.dataframe(
    rows.rename(columns=lambda c: ctx.tr(f"column.{c}")),
    hide_index=True,
    width="stretch",
    key=PREFIX + "rows",
)
db = ctx.db


def download(fmt: str) -> bytes:
    # Built when the button is clicked, not on every rerun: the whole log can be long.
    return table_bytes(export_audit(db, actor, filters), fmt)


left, right = st.columns(2)
left.download_button(
    ctx.tr("audit.download_csv"),
    lambda: download("csv"),
    file_name="audit.csv",
    mime="text/csv",
    key=PREFIX + "csv",
)
right.download_button(
    ctx.tr("audit.download_xlsx"),
    lambda: download("xlsx"),
    file_name="audit.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key=PREFIX + "xlsx",
)
