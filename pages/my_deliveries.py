"""A volunteer's own deliveries in route order, with address and phone, to mark delivered (by code) or failed."""

import pandas as pd
import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.core.i18n import area_name_column, join_list
from data_layer.distribution.deliveries import FAILURE_REASONS, advance_delivery, list_deliveries
from data_layer.distribution.routes import delivery_items, in_route_order, route_positions
from data_layer.store.reference import get_reference
from ui.messages import flash, show_error, show_flash
from ui.session import page_setup
from ui.widgets import contents_by_delivery, day_text, plain

ctx = page_setup("my_deliveries.title")
PREFIX = "my_deliveries_"
show_flash(PREFIX)

try:
    frame = in_route_order(list_deliveries(ctx.db, ctx.actor), route_positions(ctx.db, ctx.actor))
except JesrError as exc:
    show_error(exc, ctx.lang)
    st.stop()
open_rows = frame[frame["status"].isin(["planned", "out_for_delivery"])]
areas = get_reference(ctx.db).areas
contents = contents_by_delivery(ctx, delivery_items(ctx.db, ctx.actor, list(open_rows["delivery_id"])))
if open_rows.empty:
    st.info(ctx.tr("my_deliveries.none"))

for row in open_rows.itertuples():
    with st.container(border=True, key=f"{PREFIX}card_{row.delivery_id}"):
        if not pd.isna(row.route_id):
            st.caption(
                ctx.tr(
                    "my_deliveries.stop",
                    stop=int(row.stop_order),
                    stops=int(row.route_stops),
                    delegation=plain(row.route_delegation),
                )
            )
        st.markdown(f"**#{row.delivery_id} — {plain(row.full_name)}** · {ctx.tr(f'delivery_status.{row.status}')}")
        place = areas.get(row.governorate_code, {}).get(area_name_column(ctx.lang), row.governorate_code)
        st.write(f"📍 {join_list([plain(row.address), plain(row.delegation)], ctx.lang)} ({plain(place)})")
        st.write(f"📞 {plain(row.phone)}")
        st.caption(f"{day_text(row.planned_on, ctx.lang)} · {contents.get(int(row.delivery_id), '—')}")
        with st.form(f"{PREFIX}form_{row.delivery_id}"):
            code = st.text_input(
                ctx.tr("my_deliveries.code"),
                key=f"{PREFIX}code_{row.delivery_id}",
                max_chars=6,
                help=ctx.tr("my_deliveries.code_help"),
            )
            reason = st.selectbox(
                ctx.tr("column.failure_reason"),
                FAILURE_REASONS,
                key=f"{PREFIX}reason_{row.delivery_id}",
                format_func=lambda r: ctx.tr(f"failure_reason.{r}"),
            )
            delivered = st.form_submit_button(ctx.tr("my_deliveries.delivered"), type="primary")
            failed = st.form_submit_button(ctx.tr("my_deliveries.failed"))
        if delivered or failed:
            try:
                reached = advance_delivery(
                    ctx.db,
                    ctx.actor,
                    int(row.delivery_id),
                    "delivered" if delivered else "failed",
                    failure_reason=reason if failed else None,
                    code=(code or None) if delivered else None,
                )
            except JesrError as exc:
                show_error(exc, ctx.lang)
            else:
                flash(
                    PREFIX,
                    f"#{row.delivery_id} · " + ctx.tr("deliveries.moved", status=ctx.tr(f"delivery_status.{reached}")),
                )
                st.rerun()

done = frame[~frame["status"].isin(["planned", "out_for_delivery"])]
if not done.empty:
    st.subheader(ctx.tr("my_deliveries.done"))
    st.dataframe(
        done[["delivery_id", "status", "planned_on", "full_name", "governorate_code"]]
        .assign(status=done["status"].map(lambda s: ctx.tr(f"delivery_status.{s}")))
        .rename(columns=lambda c: ctx.tr(f"column.{c}")),
        hide_index=True,
        key=PREFIX + "done",
    )
