"""Thin Streamlit helpers shared by every page: the session, language, login and messages."""
