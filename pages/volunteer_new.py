"""Register a volunteer who offers transport or distribution."""

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.core.i18n import join_list
from data_layer.registry.volunteers import register_volunteer
from ui.dashboard_cache import clear_dashboard_caches
from ui.messages import show_error
from ui.session import page_setup
from ui.volunteer_fields import volunteer_fields
from ui.widgets import show_saved_instead_of_form

ctx = page_setup("volunteer_new.title")
PREFIX = "volunteer_new_"

show_saved_instead_of_form(ctx, "volunteer_new.saved", PREFIX)

with st.form(PREFIX + "form"):
    raw = volunteer_fields(ctx, PREFIX)
    submitted = st.form_submit_button(ctx.tr("common.save"), type="primary")

if submitted:
    try:
        volunteer_id = register_volunteer(ctx.db, ctx.actor, raw)
    except JesrError as exc:
        show_error(exc, ctx.lang)
    else:
        clear_dashboard_caches()
        st.session_state[PREFIX + "saved"] = {
            "id": volunteer_id,
            "full_name": raw["full_name"].strip(),
            "governorate": raw["governorate"],
            "services": join_list((ctx.tr(f"service.{s}") for s in raw["services"]), ctx.lang),
        }
        st.rerun()
