"""Duplicate beneficiaries: repeat national IDs refused at entry, and likely duplicates to merge or dismiss."""

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.registry.duplicates import (
    close_report,
    dismiss_pair,
    find_likely_duplicates,
    list_duplicate_reports,
    merge_households,
)
from ui.messages import show_error
from ui.session import page_setup

ctx = page_setup("duplicates.title")
PREFIX = "duplicates_"

reports_tab, likely_tab = st.tabs([ctx.tr("duplicates.reports"), ctx.tr("duplicates.likely")])
with reports_tab:
    reports = list_duplicate_reports(ctx.db, ctx.actor)
    if reports.empty:
        st.info(ctx.tr("common.nothing_yet"))
    else:
        st.dataframe(
            reports.rename(columns=lambda c: ctx.tr(f"column.{c}")),
            hide_index=True,
            width="stretch",
            key=PREFIX + "reports_table",
        )
        with st.form(PREFIX + "report_form"):
            report_id = st.selectbox(
                ctx.tr("duplicates.choose_report"), list(reports["report_id"]), key=PREFIX + "report"
            )
            if st.form_submit_button(ctx.tr("duplicates.close_report")):
                try:
                    close_report(ctx.db, ctx.actor, int(report_id))
                except JesrError as exc:
                    show_error(exc, ctx.lang)
                else:
                    st.success(ctx.tr("duplicates.done"))

with likely_tab:
    st.caption(ctx.tr("duplicates.likely_explain"))
    pairs = find_likely_duplicates(ctx.db, ctx.actor)
    if pairs.empty:
        st.info(ctx.tr("common.nothing_yet"))
        st.stop()
    shown = pairs.assign(reason=pairs["reason"].map(lambda r: ctx.tr(f"duplicates.reason.{r}")))
    st.dataframe(
        shown.rename(columns=lambda c: ctx.tr(f"column.{c}")),
        hide_index=True,
        width="stretch",
        key=PREFIX + "pairs_table",
    )
    with st.form(PREFIX + "pair_form"):
        index = st.selectbox(
            ctx.tr("duplicates.choose_pair"),
            list(range(len(pairs))),
            key=PREFIX + "pair",
            format_func=lambda i: (
                f"#{pairs['household_id'][i]} {pairs['full_name'][i]} / "
                f"#{pairs['other_household_id'][i]} {pairs['other_full_name'][i]}"
            ),
        )
        keep_first = st.radio(
            ctx.tr("duplicates.keep"),
            [True, False],
            key=PREFIX + "keep",
            horizontal=True,
            format_func=lambda k: ctx.tr("duplicates.keep_first" if k else "duplicates.keep_second"),
        )
        note = st.text_input(ctx.tr("field.notes"), key=PREFIX + "note", max_chars=300)
        merge = st.form_submit_button(ctx.tr("duplicates.merge"), type="primary")
        dismiss = st.form_submit_button(ctx.tr("duplicates.dismiss"))
    if merge or dismiss:
        pair = pairs.iloc[int(index)]
        first, second = int(pair["household_id"]), int(pair["other_household_id"])
        try:
            if merge:
                keep, gone = (first, second) if keep_first else (second, first)
                merge_households(ctx.db, ctx.actor, keep, gone, pair["reason"], note or None)
            else:
                dismiss_pair(ctx.db, ctx.actor, first, second, pair["reason"], note or None)
        except JesrError as exc:
            show_error(exc, ctx.lang)
        else:
            st.success(ctx.tr("duplicates.done"))
