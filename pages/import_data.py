"""Import households, donations or volunteers from a CSV or Excel file."""

from functools import partial

import pandas as pd
import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.registry.imports import COLUMNS, import_frame, rejected_path, template
from data_layer.registry.organisations import list_organisations
from data_layer.registry.spreadsheets import read_table, table_bytes
from ui.dashboard_cache import clear_dashboard_caches
from ui.import_help import import_format_markdown
from ui.messages import show_error
from ui.session import page_setup

ctx = page_setup("import.title")
PREFIX = "import_data_"

kind = st.selectbox(
    ctx.tr("import.kind"), list(COLUMNS), key=PREFIX + "kind", format_func=lambda k: ctx.tr(f"import.kind.{k}")
)
with st.expander(ctx.tr("import.format_title"), expanded=True, icon=":material/help:"):
    st.markdown(import_format_markdown(ctx, kind))
left, right = st.columns(2)
left.download_button(
    ctx.tr("import.template_csv"),
    partial(table_bytes, template(kind), "csv"),
    file_name=f"jesr_{kind}_template.csv",
    mime="text/csv",
    key=PREFIX + "template_csv",
)
right.download_button(
    ctx.tr("import.template_xlsx"),
    partial(table_bytes, template(kind), "xlsx"),
    file_name=f"jesr_{kind}_template.xlsx",
    key=PREFIX + "template_xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)

organisation_id = None
if ctx.actor.sees_all_organisations:
    orgs = list_organisations(ctx.db)
    orgs = orgs[orgs["kind"] != "ministry"]
    organisation_id = st.selectbox(
        ctx.tr("import.organisation"),
        list(orgs["id"]),
        key=PREFIX + "org",
        format_func=dict(zip(orgs["id"], orgs["name"])).get,
    )
with st.form(PREFIX + "form"):
    upload = st.file_uploader(ctx.tr("import.file"), type=["csv", "xlsx"], key=PREFIX + "file")
    skip_invalid = st.checkbox(ctx.tr("import.skip_invalid"), key=PREFIX + "skip_invalid")
    submitted = st.form_submit_button(ctx.tr("import.run"), type="primary")

if submitted:
    if upload is None:
        st.error(ctx.tr("import.no_file"))
        st.stop()
    progress = st.progress(0.0, text=ctx.tr("import.progress"))
    try:
        frame = read_table(upload.getvalue(), filename=upload.name)
        report = import_frame(
            ctx.db,
            ctx.actor,
            kind,
            frame,
            organisation_id=organisation_id,
            skip_invalid=skip_invalid,
            progress=lambda f: progress.progress(min(f, 1.0)),
        )
    except JesrError as exc:
        progress.empty()
        show_error(exc, ctx.lang)
        st.stop()
    progress.progress(1.0)
    if report.imported:
        clear_dashboard_caches()
        st.success(ctx.tr("import.done", imported=report.imported, total=report.total_rows))
    if report.errors:
        if not skip_invalid:
            st.error(ctx.tr("import.nothing_imported", bad=report.rejected_count, total=report.total_rows))
        # A plain table wraps its text: on a phone the reason is read whole, not cut at the edge.
        st.table(
            pd.DataFrame(
                [
                    {
                        ctx.tr("import.line"): str(e.row),
                        ctx.tr("import.field"): ctx.tr(f"field.{e.field}"),
                        ctx.tr("import.reason"): ctx.tr(e.code, **e.params),
                    }
                    for e in report.errors[:200]
                ]
            ).set_index(ctx.tr("import.line"))
        )
        if len(report.errors) > 200:
            st.caption(ctx.tr("import.more_errors", shown=200, total=len(report.errors)))
        st.download_button(
            ctx.tr("import.download_rejected"),
            partial(table_bytes, report.rejected_table(ctx.lang), "csv"),
            file_name=rejected_path(upload.name).name,
            mime="text/csv",
            key=PREFIX + "rejected",
        )
