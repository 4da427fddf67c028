"""Stock held per organisation, governorate, delegation (blank: governorate level), category and item."""

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.distribution.stock import stock_summary
from ui.messages import show_error
from ui.session import page_setup
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
    frame["category"] = frame["category"].map(lambda c: ctx.tr(f"category.{c}"))
    frame["unit"] = frame["unit"].map(lambda u: ctx.tr(f"unit.{u}"))
    st.dataframe(
        frame.rename(columns=lambda c: ctx.tr(f"column.{c}")), hide_index=True, width="stretch", key=PREFIX + "table"
    )
