"""Organisations taking part and the governorates they cover (admins)."""

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.core.validation import ORG_KINDS
from data_layer.registry.organisations import create_organisation, disable_organisation, list_organisations
from ui.dashboard_cache import clear_dashboard_caches
from ui.messages import reset_widgets, show_error
from ui.session import page_setup
from ui.widgets import area_names

ctx = page_setup("organisations.title")
PREFIX = "admin_organisations_"

organisations = list_organisations(ctx.db)
st.dataframe(organisations.rename(columns=lambda c: ctx.tr(f"column.{c}")), hide_index=True, width="stretch")
st.subheader(ctx.tr("organisations.new"))
# Every country's areas for the platform's admins (an organisation's areas name its country).
names = area_names(ctx)
with st.form(PREFIX + "form"):
    code = st.text_input(ctx.tr("field.code"), key=PREFIX + "code", max_chars=32)
    name = st.text_input(ctx.tr("field.name"), key=PREFIX + "name", max_chars=160)
    kind = st.selectbox(
        ctx.tr("field.kind"), ORG_KINDS, key=PREFIX + "kind", format_func=lambda k: ctx.tr(f"org_kind.{k}")
    )
    phone = st.text_input(ctx.tr("field.phone"), key=PREFIX + "phone", max_chars=20)
    covered = st.multiselect(
        ctx.tr("field.areas"),
        placeholder=ctx.tr("common.choose"),
        options=list(names),
        key=PREFIX + "areas",
        format_func=lambda c: names[c],
    )
    submitted = st.form_submit_button(ctx.tr("common.save"), type="primary")
if submitted:
    try:
        org_id = create_organisation(
            ctx.db,
            ctx.actor,
            {
                "code": code,
                "name": name,
                "kind": kind,
                "phone": phone,
                "areas": covered,
                "governorate": covered[0] if covered else None,
            },
        )
    except JesrError as exc:
        show_error(exc, ctx.lang)
    else:
        clear_dashboard_caches()
        reset_widgets(PREFIX)
        st.session_state[PREFIX + "created"] = org_id
        st.rerun()
if st.session_state.get(PREFIX + "created"):
    st.success(ctx.tr("organisations.created", id=st.session_state[PREFIX + "created"]))
if st.session_state.get(PREFIX + "disabled"):
    st.success(ctx.tr("organisations.disabled", code=st.session_state.pop(PREFIX + "disabled")))

active_codes = organisations.loc[organisations["is_active"], "code"].tolist()
if active_codes:
    st.subheader(ctx.tr("organisations.disable_title"))
    with st.form(PREFIX + "disable_form"):
        st.caption(ctx.tr("organisations.disable_explain"))
        to_disable = st.selectbox(ctx.tr("field.code"), active_codes, key=PREFIX + "disable_code")
        if st.form_submit_button(ctx.tr("organisations.disable")):
            try:
                disable_organisation(ctx.db, ctx.actor, to_disable)
            except JesrError as exc:
                show_error(exc, ctx.lang)
            else:
                clear_dashboard_caches()
                st.session_state[PREFIX + "disabled"] = to_disable
                st.rerun()
