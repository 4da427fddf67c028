"""Pure plotly figures: a DataFrame of aggregates in, a Figure out; no Streamlit here.

Titles and axis labels come in already translated, so one function serves every language.
"""
