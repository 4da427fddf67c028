"""Your account: change your password."""

import streamlit as st

from data_layer.access.accounts import change_password
from data_layer.core.errors import JesrError
from ui.auth import keep_session_after_own_change
from ui.messages import show_error
from ui.session import page_setup

ctx = page_setup("account.title")
PREFIX = "account_"
st.write(ctx.tr("account.signed_in", username=ctx.actor.username, role=ctx.tr(f"role.{ctx.actor.role}")))
with st.form(PREFIX + "form", clear_on_submit=True):
    current = st.text_input(ctx.tr("field.current_password"), type="password", key=PREFIX + "current_password")
    new_password = st.text_input(ctx.tr("users.new_password"), type="password", key=PREFIX + "new_password")
    again = st.text_input(ctx.tr("account.again"), type="password", key=PREFIX + "again")
    submitted = st.form_submit_button(ctx.tr("common.save"))
if submitted:
    if new_password != again:
        st.error(ctx.tr("account.mismatch"))
    else:
        try:
            version = change_password(ctx.db, ctx.actor, ctx.actor.username, new_password, current_password=current)
        except JesrError as exc:
            show_error(exc, ctx.lang)
        else:
            # Every other session of the account has ended; this one goes on.
            keep_session_after_own_change(version)
            st.success(ctx.tr("account.changed"))
