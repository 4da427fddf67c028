"""Sign in."""
import streamlit as st

from ui.auth import cookie_key_from_secrets, login_form
from ui.session import page_setup

ctx = page_setup("app.title")
st.caption(ctx.tr("app.tagline"))
login_form(ctx.db, cookie_key_from_secrets(), ctx.lang)
