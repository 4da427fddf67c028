"""Stock held per organisation, governorate, delegation (blank: governorate level), category and item."""

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.core.i18n import area_name_column
from data_layer.distribution.stock import stock_summary
from data_layer.store.reference import get_reference
from ui.messages import show_error
from ui.session import page_setup
from ui.tables import in_words, table
from ui.widgets import category_select, governorate_select

ctx = page_setup("stock.title")
PREFIX = "stock_"
st.caption(ctx.tr("stock.explain"))
left, right = st.columns(2)
governorate = governorate_select(ctx, PREFIX + "governorate", optional=True, container=left)
category = category_select(ctx, PREFIX + "category", optional=True, container=right)
try:
    frame = stock_summary(ctx.db, ctx.actor, governorate_code=governorate, category_code=category)
except JesrError as exc:
    show_error(exc, ctx.lang)
    st.stop()

if frame.empty:
    st.info(ctx.tr("common.nothing_yet"))
else:
    # Governorates, categories and units in words, quantities the reader's way.
    name_column = area_name_column(ctx.lang)
    area_names = {code: area[name_column] for code, area in get_reference(ctx.db).areas.items()}
    st.dataframe(
        table(in_words(frame, ctx.lang, area_names), ctx.lang, lambda c: ctx.tr(f"column.{c}")),
        hide_index=True,
        width="stretch",
        key=PREFIX + "table",
    )
