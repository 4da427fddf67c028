"""Sign in."""

import streamlit as st

from ui.auth import login_form
from ui.session import page_setup

ctx = page_setup("app.title")
st.caption(ctx.tr("app.tagline"))
login_form(ctx.db, ctx.lang)

st.divider()
st.caption(ctx.tr("public.no_account"))
for path, key, icon in (
    ("pages/public_request.py", "nav.public_request", "🆘"),
    ("pages/public_volunteer.py", "nav.public_volunteer", "🙋"),
    ("pages/public_pledge.py", "nav.public_pledge", "🤲"),
    ("pages/transparency.py", "nav.transparency", "🔎"),
    ("pages/receipt.py", "nav.receipt", "🧾"),
):
    st.page_link(path, label=ctx.tr(key), icon=icon)
