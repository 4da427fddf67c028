"""The page frame Streamlit has no setting for: right-to-left layout, a compact phone header, and
its own built-in English words replaced by ours.

Streamlit draws the sidebar, the uploader and the accessible names of its buttons in English,
whatever the user's language. A style sheet flips the layout; a small script (run once per
browser tab, watching the page as Streamlit redraws it) puts translated words in their place and
closes the menu after a choice on a narrow screen.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import streamlit as st

from data_layer.core.i18n import is_rtl, load_catalog, normalise_lang

STATIC = Path(__file__).resolve().parent / "static"
# Phones and small tablets: below this width Streamlit lays the sidebar over the page.
PHONE_WIDTH_PX = 768

# Streamlit's own English (accessible names, tooltips and visible words) -> our catalog key.
# "Help for X", "day, X" and "Limit N MB per file" carry a part we keep.
BUILTIN_WORDS: dict[str, str] = {
    "Sidebar": "frame.sidebar",
    "Expand sidebar": "frame.expand_sidebar",
    "Collapse sidebar": "frame.collapse_sidebar",
    "Close sidebar": "frame.collapse_sidebar",
    "App pages": "frame.app_pages",
    "Open": "frame.open",
    "Close": "frame.close",
    "Clear all": "frame.clear_all",
    "Link to heading": "frame.link_to_heading",
    "Choose date": "frame.choose_date",
    "Show/hide columns": "frame.show_hide_columns",
    "Download as CSV": "frame.download_csv",
    "Search": "frame.search",
    "Fullscreen": "frame.fullscreen",
    "Close fullscreen": "frame.close_fullscreen",
    "Increment": "frame.increment",
    "Decrement": "frame.decrement",
    "Upload": "frame.upload",
    "Browse files": "frame.upload",
    "Drag and drop file here": "frame.drop_file",
    "Drag and drop files here": "frame.drop_file",
    "Remove file": "frame.remove_file",
    "Delete": "frame.remove_file",
    "Press Enter to submit form": "frame.press_enter_submit",
    "Press Enter to apply": "frame.press_enter_apply",
    "No results": "frame.no_results",
    "Running...": "frame.running",
    "Stop": "frame.stop",
    "Main menu": "frame.main_menu",
    "Skip to main content": "frame.skip_to_content",
    "Show password": "frame.show_password",
    "Hide password": "frame.hide_password",
    "Copy to clipboard": "frame.copy",
    "Choose an option": "frame.choose_option",
    "Add files": "frame.add_file",
    "Clear value": "frame.clear_value",
    "Add file": "frame.add_file",
    "add icon": "frame.add_file",
    "progress": "frame.progress",
    "Choose options": "frame.choose_option",
    "No options to select": "frame.no_options",
    "Scroll tabs left": "frame.scroll_tabs_left",
    "Scroll tabs right": "frame.scroll_tabs_right",
    # The empty parts of a date field (react-aria's, in English whatever the browser's language).
    "dd": "frame.date_day",
    "mm": "frame.date_month",
    "yyyy": "frame.date_year",
}
PREFIXED_WORDS: dict[str, str] = {
    "Help for ": "frame.help_for",
    "Fullscreen: ": "frame.fullscreen_of",
    "day, ": "frame.day_of",
    "month, ": "frame.month_of",
    "year, ": "frame.year_of",
    "Remove ": "frame.remove",
    "Limit ": "frame.limit",
}


# Streamlit's sentences with a number inside: pattern -> catalog key ({n} is the number).
PATTERN_WORDS: dict[str, str] = {
    r"^(\d+) options? available\.?$": "frame.options_available",
    r"^(\d+) results? available\.?$": "frame.options_available",
}


@lru_cache(maxsize=8)
def builtin_words(lang: str) -> dict[str, dict[str, str]]:
    """The replacements for one language, read from the catalog (locales/frame.json)."""
    lang = normalise_lang(lang)
    catalog = load_catalog()
    return {
        "exact": {english: catalog[key][lang] for english, key in BUILTIN_WORDS.items()},
        "prefix": {english: catalog[key][lang] for english, key in PREFIXED_WORDS.items()},
        "patterns": {pattern: catalog[key][lang] for pattern, key in PATTERN_WORDS.items()},
    }


@lru_cache(maxsize=8)
def frame_style(lang: str) -> str:
    css = (STATIC / "frame.css").read_text(encoding="utf-8")
    if is_rtl(lang):
        css += (STATIC / "frame_rtl.css").read_text(encoding="utf-8")
    return f"<style>{css}</style>"


@lru_cache(maxsize=8)
def frame_script(lang: str) -> str:
    settings = {
        "lang": normalise_lang(lang),
        "rtl": is_rtl(lang),
        "phoneWidth": PHONE_WIDTH_PX,
        "words": builtin_words(lang),
    }
    script = (STATIC / "frame.js").read_text(encoding="utf-8")
    return f"<div class='jesr-frame-script'></div><script>window.jesrFrame = {json.dumps(settings, ensure_ascii=False)};\n{script}</script>"


def apply_frame(lang: str) -> None:
    """Style (sent to the page's event area, taking no room) and the script (in the sidebar's foot)."""
    st.html(frame_style(lang))
    st.sidebar.html(frame_script(lang), unsafe_allow_javascript=True)
