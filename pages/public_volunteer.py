"""Offer to volunteer without an account; an association activates the offer after a call."""

import streamlit as st

from data_layer.public.forms import submit_volunteer_offer
from ui.public_form import open_public_form
from ui.session import page_setup
from ui.volunteer_fields import volunteer_fields

form = open_public_form(page_setup("public_volunteer.title"), "volunteer")
with st.form(form.prefix + "form"):
    raw = volunteer_fields(form.ctx, form.prefix)
    form.end()

form.finish(raw, submit_volunteer_offer)
