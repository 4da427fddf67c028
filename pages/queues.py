"""Verify, reject or merge what the public sent, in the governorates your association covers."""

import datetime as dt

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.core.i18n import area_name_column
from data_layer.public import queues
from data_layer.registry.organisations import list_organisations
from ui.messages import show_error
from ui.session import page_setup

ctx = page_setup("queues.title")
PREFIX = "queues_"
actor = ctx.actor

done = st.session_state.pop(PREFIX + "done", None)
if done:
    st.success(done)
if actor.role == "association":
    st.caption(ctx.tr("queues.areas", areas=", ".join(queues.covered_areas(ctx.db, actor))))

# Organisers and admins name the association that takes charge of what they verify or accept.
organisation_id = None
if actor.sees_all_organisations:
    orgs = list_organisations(ctx.db)
    orgs = orgs[orgs["kind"] == "association"]
    organisation_id = st.selectbox(
        ctx.tr("queues.organisation"),
        list(orgs["id"]),
        key=PREFIX + "organisation",
        format_func=dict(zip(orgs["id"], orgs["name"])).get,
    )

COLUMNS = {
    "reference": "queues.col.reference",
    "submitted_at": "queues.col.submitted_at",
    "waiting_hours": "queues.col.waiting_hours",
    "needs": "queues.col.needs",
    "repeats": "queues.col.repeats",
    "address": "queues.col.address",
    "donor_type": "queues.col.donor_type",
    "notes": "queues.col.notes",
    "requests": "queues.col.requests",
    "volunteers": "queues.col.volunteers",
    "pledges": "queues.col.pledges",
    "oldest_waiting_hours": "queues.col.oldest_waiting_hours",
    "decided": "queues.col.decided",
    "median_hours_to_decide": "queues.col.median_hours_to_decide",
}


def show_table(frame, key: str) -> None:  # noqa: ANN001 - a DataFrame
    labels = {c: ctx.tr(COLUMNS[c]) if c in COLUMNS else ctx.tr(f"column.{c}") for c in frame.columns}
    st.dataframe(frame.rename(columns=labels), hide_index=True, width="stretch", key=key)


def decide(action, message_id: int) -> None:  # noqa: ANN001 - a callable of the data layer
    try:
        action()
    except JesrError as exc:
        show_error(exc, ctx.lang)
    else:
        st.session_state[PREFIX + "done"] = ctx.tr("queues.done", id=message_id)
        st.rerun()


def waiting(frame, kind: str, shown=None) -> bool:  # noqa: ANN001 - DataFrames
    """How many wait, and their table unless none does (False then)."""
    st.caption(ctx.tr("queues.waiting", count=len(frame)))
    if frame.empty:
        st.info(ctx.tr("queues.empty"))
        return False
    show_table(frame if shown is None else shown, f"{PREFIX}{kind}s_table")
    return True


def decision_fields(kind: str, choices: list[str]) -> tuple[str, str]:
    """The decision and its reason, inside the queue's form."""
    decision = st.radio(
        ctx.tr("queues.decision"),
        choices,
        horizontal=True,
        key=f"{PREFIX}{kind}_decision",
        format_func=lambda a: ctx.tr(f"queues.action.{a}"),
    )
    reason = st.text_input(ctx.tr("queues.reason"), key=f"{PREFIX}{kind}_reason", max_chars=500)
    return decision, reason


tab_requests, tab_volunteers, tab_pledges, tab_summary = st.tabs(
    [
        ctx.tr("queues.tab.requests"),
        ctx.tr("queues.tab.volunteers"),
        ctx.tr("queues.tab.pledges"),
        ctx.tr("queues.tab.summary"),
    ]
)

with tab_requests:
    requests = queues.list_request_queue(ctx.db, actor)
    if waiting(requests, "request"):
        chosen = st.selectbox(ctx.tr("queues.choose"), list(requests["id"]), key=PREFIX + "request_id")
        candidates = queues.merge_candidates(ctx.db, actor, int(chosen))
        with st.form(PREFIX + "request_form"):
            decision, reason = decision_fields("request", ["verify", "reject", "merge"])
            if candidates.empty:
                st.caption(ctx.tr("queues.no_candidates"))
                into = None
            else:
                into = st.selectbox(
                    ctx.tr("queues.merge_into"),
                    list(candidates["id"]),
                    key=PREFIX + "merge_into",
                    format_func=lambda i: " · ".join(
                        str(v)
                        for v in candidates.loc[candidates["id"] == i].iloc[0][
                            ["id", "governorate_code", "status", "organisation_code"]
                        ]
                    ),
                )
            apply = st.form_submit_button(ctx.tr("queues.apply"), type="primary")
        if apply:
            household_id = int(chosen)
            actions = {
                "verify": lambda: queues.verify_request(ctx.db, actor, household_id, organisation_id=organisation_id),
                "reject": lambda: queues.reject_request(ctx.db, actor, household_id, reason),
                "merge": lambda: queues.merge_request(ctx.db, actor, household_id, int(into or 0)),
            }
            decide(actions[decision], household_id)

with tab_volunteers:
    offers = queues.list_volunteer_queue(ctx.db, actor)
    if waiting(offers, "volunteer"):
        with st.form(PREFIX + "volunteer_form"):
            chosen = st.selectbox(ctx.tr("queues.choose"), list(offers["id"]), key=PREFIX + "volunteer_id")
            decision, reason = decision_fields("volunteer", ["verify", "reject"])
            apply = st.form_submit_button(ctx.tr("queues.apply"), type="primary")
        if apply:
            volunteer_id = int(chosen)
            actions = {
                "verify": lambda: queues.verify_volunteer(ctx.db, actor, volunteer_id, organisation_id=organisation_id),
                "reject": lambda: queues.reject_volunteer(ctx.db, actor, volunteer_id, reason),
            }
            decide(actions[decision], volunteer_id)

with tab_pledges:
    pledges = queues.list_pledge_queue(ctx.db, actor)
    shown = pledges.assign(status=pledges["status"].map(lambda s: ctx.tr(f"queues.pledge_status.{s}")))
    if waiting(pledges, "pledge", shown):
        with st.form(PREFIX + "pledge_form"):
            chosen = st.selectbox(ctx.tr("queues.choose"), list(pledges["id"]), key=PREFIX + "pledge_id")
            decision, reason = decision_fields("pledge", ["accept", "reject", "receive"])
            left, right = st.columns(2)
            received_on = left.date_input(
                ctx.tr("queues.received_on"),
                value=dt.date.today(),
                max_value=dt.date.today(),
                key=PREFIX + "received_on",
                format="DD/MM/YYYY",
            )
            quantity = right.text_input(
                ctx.tr("queues.received_quantity"), key=PREFIX + "received_quantity", max_chars=20
            )
            apply = st.form_submit_button(ctx.tr("queues.apply"), type="primary")
        if apply:
            pledge_id = int(chosen)
            actions = {
                "accept": lambda: queues.accept_pledge(ctx.db, actor, pledge_id, organisation_id=organisation_id),
                "reject": lambda: queues.reject_pledge(ctx.db, actor, pledge_id, reason),
                "receive": lambda: queues.receive_pledge(
                    ctx.db, actor, pledge_id, received_on=received_on, quantity=quantity or None
                ),
            }
            decide(actions[decision], pledge_id)

with tab_summary:
    summary = queues.queue_summary(ctx.db, actor)
    summary.insert(0, "governorate", summary[area_name_column(ctx.lang)])
    summary = summary.drop(columns=["governorate_code", "name_ar", "name_fr", "name_en"])
    summary = summary.rename(columns={"repeats": "repeat_reports"})
    COLUMNS.update(governorate="queues.col.governorate", repeat_reports="queues.col.repeat_reports")
    show_table(summary, PREFIX + "summary_table")
