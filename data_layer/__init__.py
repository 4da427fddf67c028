"""Jesr's data layer: the one DuckDB connection, validation and the domain rules.

Functions take a `Database` first and return DataFrames or plain values; none of
them calls Streamlit, so the command line, imports and tests use them as they are.
"""
