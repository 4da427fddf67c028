"""Accounts: create, reset a password, change a role, enable or disable (admins)."""

import streamlit as st

from data_layer.access.accounts import change_password, create_user, list_users, set_user_active, set_user_role
from data_layer.core.errors import JesrError
from data_layer.core.validation import ROLES
from data_layer.registry.organisations import list_organisations
from ui.auth import keep_session_after_own_change
from ui.messages import reset_widgets, show_error
from ui.session import page_setup

ctx = page_setup("users.title")
PREFIX = "admin_users_"

users = list_users(ctx.db)
st.dataframe(users.rename(columns=lambda c: ctx.tr(f"column.{c}")), hide_index=True, width="stretch")
orgs = list_organisations(ctx.db)
org_names = dict(zip(orgs["id"], orgs["name"]))

st.subheader(ctx.tr("users.new"))
with st.form(PREFIX + "form"):
    username = st.text_input(ctx.tr("field.username"), key=PREFIX + "username", max_chars=64)
    full_name = st.text_input(ctx.tr("field.full_name"), key=PREFIX + "full_name", max_chars=120)
    role = st.selectbox(ctx.tr("field.role"), ROLES, key=PREFIX + "role", format_func=lambda r: ctx.tr(f"role.{r}"))
    organisation_id = st.selectbox(
        ctx.tr("field.organisation"),
        [None] + list(orgs["id"]),
        key=PREFIX + "org",
        format_func=lambda i: "—" if i is None else org_names[i],
    )
    password = st.text_input(
        ctx.tr("field.password"), type="password", key=PREFIX + "password", help=ctx.tr("users.password_help")
    )
    submitted = st.form_submit_button(ctx.tr("common.save"), type="primary")
if submitted:
    try:
        create_user(
            ctx.db,
            ctx.actor,
            {
                "username": username,
                "full_name": full_name,
                "role": role,
                "organisation_id": organisation_id,
                "password": password,
            },
        )
    except JesrError as exc:
        show_error(exc, ctx.lang)
    else:
        reset_widgets(PREFIX)
        st.session_state[PREFIX + "created"] = username.strip().lower()
        st.rerun()
if st.session_state.get(PREFIX + "created"):
    st.success(ctx.tr("users.created", username=st.session_state[PREFIX + "created"]))

st.subheader(ctx.tr("users.manage"))
with st.form(PREFIX + "manage_form"):
    target = st.selectbox(ctx.tr("field.username"), list(users["username"]), key=PREFIX + "target")
    new_password = st.text_input(ctx.tr("users.new_password"), type="password", key=PREFIX + "new_password")
    new_role = st.selectbox(
        ctx.tr("field.role"), ROLES, key=PREFIX + "new_role", format_func=lambda r: ctx.tr(f"role.{r}")
    )
    new_org = st.selectbox(
        ctx.tr("field.organisation"),
        [None] + list(orgs["id"]),
        key=PREFIX + "new_org",
        format_func=lambda i: "—" if i is None else org_names[i],
    )
    action = st.radio(
        ctx.tr("users.action"),
        ["password", "role", "disable", "enable"],
        horizontal=True,
        key=PREFIX + "action",
        format_func=lambda a: ctx.tr(f"users.action.{a}"),
    )
    apply = st.form_submit_button(ctx.tr("common.apply"))
if apply:
    try:
        if action == "password":
            version = change_password(ctx.db, ctx.actor, target, new_password)
            if target == ctx.actor.username:
                keep_session_after_own_change(version)
        elif action == "role":
            set_user_role(ctx.db, ctx.actor, target, new_role, new_org)
        else:
            set_user_active(ctx.db, ctx.actor, target, action == "enable")
    except JesrError as exc:
        show_error(exc, ctx.lang)
    else:
        st.success(ctx.tr("users.applied", username=target))
