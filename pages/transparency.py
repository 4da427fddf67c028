"""What the campaign has received and where aid has reached: public, aggregates only."""

import streamlit as st

from data_layer.core.i18n import format_date, format_number
from data_layer.monitoring import suppression
from data_layer.public.forms import transparency_coverage, transparency_totals
from ui import dashboard_cache
from ui.session import page_setup
from ui.widgets import plain

ctx = page_setup("transparency.title")
st.caption(ctx.tr("transparency.intro"))


def shown(value: int | str) -> str:
    return value if isinstance(value, str) else format_number(value, ctx.lang)


coverage = dashboard_cache.coverage(ctx.db)
totals = transparency_totals(coverage, dashboard_cache.volunteers(ctx.db))
progress = dashboard_cache.progress(ctx.db)

st.subheader(ctx.tr("transparency.progress"))
if progress is None:
    st.info(ctx.tr("transparency.no_campaign"))
else:
    st.markdown(
        f"**{plain(progress.campaign['name'])}** — "
        + ctx.tr(
            "transparency.period",
            start=format_date(progress.campaign["starts_on"], ctx.lang),
            end=format_date(progress.campaign["ends_on"], ctx.lang),
        )
    )
    if progress.days_left == 0:
        st.info(ctx.tr("transparency.ended"))
    else:
        st.metric(ctx.tr("transparency.days_left"), format_number(progress.days_left, ctx.lang))
    if progress.target:
        # Under the threshold, or with the total withheld, the bar would give the hidden count away.
        bar_shown = progress.served >= suppression.SMALL_COUNT_THRESHOLD and not isinstance(
            totals["households_served"], str
        )
        st.progress(
            min(1.0, progress.served / progress.target) if bar_shown else 0.0,
            text=ctx.tr(
                "transparency.target",
                served=shown(totals["households_served"]),
                target=format_number(progress.target, ctx.lang),
            ),
        )

cols = st.columns(4)
for col, key in zip(cols, ("households_served", "households_registered", "deliveries", "volunteers")):
    col.metric(ctx.tr(f"transparency.{key}"), shown(totals[key]))

st.subheader(ctx.tr("transparency.received"))
received = dashboard_cache.flows_by_category(ctx.db)
st.dataframe(
    received.assign(
        category_code=received["category_code"].map(lambda c: ctx.tr(f"category.{c}")),
        unit=received["unit"].map(lambda u: ctx.tr(f"unit.{u}")),
    )[["category_code", "unit", "received_quantity"]].rename(
        columns={
            "category_code": ctx.tr("transparency.col.category"),
            "unit": ctx.tr("transparency.col.unit"),
            "received_quantity": ctx.tr("transparency.col.quantity"),
        }
    ),
    hide_index=True,
    width="stretch",
    key="transparency_received",
)

st.subheader(ctx.tr("transparency.coverage"))
table = transparency_coverage(coverage, ctx.lang)
st.dataframe(
    table.rename(columns={c: ctx.tr(f"transparency.col.{c}") for c in table.columns}).astype(str),
    hide_index=True,
    width="stretch",
    key="transparency_coverage",
)
