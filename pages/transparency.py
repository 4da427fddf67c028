"""What the campaign has received and where aid has reached: public, aggregates only."""

import streamlit as st

from data_layer.core.i18n import format_date, format_number
from data_layer.monitoring.coverage import Filters
from data_layer.monitoring.regional import preferred_country, scope_of
from data_layer.monitoring.suppression import is_mark
from data_layer.public.forms import transparency_figures, transparency_received, transparency_table
from ui import dashboard_cache
from ui.country_widgets import country_select
from ui.session import page_setup
from ui.tables import localised
from ui.widgets import plain

ctx = page_setup("transparency.title")
st.caption(ctx.tr("transparency.intro"))

version = dashboard_cache.data_version(ctx.db)  # read once per rerun
countries = dashboard_cache.countries(ctx.db, version)
# One country at a time: its own campaign, areas and currency. A visitor (or an account of no
# country) picks the country; an account of one country sees its own.
scope = scope_of([row["code"] for row in countries], ctx.actor)
if not scope:
    st.error(ctx.tr("error.permission_denied"))
    st.stop()
country = country_select(
    ctx, "transparency_country", countries, scope, preferred_country(scope, dashboard_cache.campaigns(ctx.db, version))
)
filters = Filters(country_code=country)


def shown(value: int | str) -> str:
    return value if isinstance(value, str) else format_number(value, ctx.lang)


# As the public may see them: of all campaigns, built from what each campaign shows (a figure of
# all minus one campaign's gives back nothing hidden, docs/security.md).
published = dashboard_cache.published(ctx.db, filters, None, ctx.lang, version)
totals = transparency_figures(published)
progress = dashboard_cache.progress(ctx.db, country_code=country)

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
        # The campaign's served count as its own table shows it: under the threshold, or withheld,
        # the bar would give the hidden count away.
        campaign = Filters(campaign_id=int(progress.campaign["id"]), country_code=country)
        of_campaign = dashboard_cache.published(ctx.db, campaign, None, ctx.lang, version)
        served = of_campaign.totals["coverage"]["households_served"]
        st.progress(
            0.0 if is_mark(served) else min(1.0, int(served) / progress.target),
            text=ctx.tr("transparency.target", served=shown(served), target=format_number(progress.target, ctx.lang)),
        )
        st.caption(ctx.tr("transparency.served_note"))

cols = st.columns(4)
for col, key in zip(cols, ("households_served", "households_registered", "deliveries", "volunteers")):
    col.metric(ctx.tr(f"transparency.{key}"), shown(totals[key]))

st.subheader(ctx.tr("transparency.received"))
# Cash in its own currency (a unit of its own), each currency on its own row.
received = transparency_received(dashboard_cache.flows_by_category(ctx.db, filters), ctx.lang)
st.dataframe(
    localised(received.rename(columns={c: ctx.tr(f"transparency.col.{c}") for c in received.columns}), ctx.lang),
    hide_index=True,
    width="stretch",
    key="transparency_received",
)

st.subheader(ctx.tr("transparency.coverage"))
table = transparency_table(published)
st.dataframe(
    localised(table.rename(columns={c: ctx.tr(f"transparency.col.{c}") for c in table.columns}), ctx.lang),
    hide_index=True,
    width="stretch",
    key="transparency_coverage",
)
st.caption(ctx.tr("privacy.transparency.marks"))
