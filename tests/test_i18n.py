"""Translations for the whole app: every key in every language, every key the code uses
exists, and every registered page renders with no untranslated key, for every role that
may open it, in Arabic, French and English.

The page test reads ui/navigation.py PAGES, so pages added later are covered without
editing this file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_layer.core.i18n import LANGS, has_key, load_catalog, missing_translations, t
from tests.conftest import DEMO_USER_OF_ROLE
from ui.navigation import ANONYMOUS, PAGES

ROOT = Path(__file__).resolve().parent.parent
SCANNED = [
    ROOT / "app.py",
    *sorted((ROOT / "pages").glob("*.py")),
    *sorted((ROOT / "ui").glob("*.py")),
    *sorted((ROOT / "data_layer").glob("*.py")),
    *sorted((ROOT / "charts").glob("*.py")),
]
# tr("x.y"), ctx.tr("x.y", ...), t("x.y", lang): literal keys only (f-strings are built at run time).
LITERAL_KEY = re.compile(r"(?<![\w])(?:tr|t)\(\s*[\"']([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)[\"']")
# What t() returns for a key no catalog has.
UNTRANSLATED = re.compile(r"\[([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)\]")
ARABIC = re.compile("[\u0600-\u06ff]")


def test_every_key_has_every_language() -> None:
    assert missing_translations() == []
    empty = [(key, lang) for key, texts in load_catalog().items() for lang in LANGS if not str(texts[lang]).strip()]
    assert empty == []


def test_placeholders_agree_across_languages() -> None:
    placeholder = re.compile(r"\{(\w+)\}")
    differ = [
        key
        for key, texts in load_catalog().items()
        if len({frozenset(placeholder.findall(texts[lang])) for lang in LANGS}) > 1
    ]
    assert differ == []


def test_keys_used_in_code_exist() -> None:
    used: dict[str, list[str]] = {}
    for path in SCANNED:
        for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8")):
            used.setdefault(key, []).append(path.relative_to(ROOT).as_posix())
    assert len(used) > 50, "the scan found too few keys: is the pattern still right?"
    missing = {key: files for key, files in used.items() if not has_key(key)}
    assert missing == {}


def test_navigation_titles_exist() -> None:
    missing = [key for spec in PAGES for key in (spec.title_key, spec.section_key) if not has_key(key)]
    # The sidebar names the signed-in role with t(f"role.{role}"), which the literal scan cannot see.
    missing += [
        f"role.{role}" for spec in PAGES for role in spec.roles if role != ANONYMOUS and not has_key(f"role.{role}")
    ]
    assert missing == []


def test_the_scan_catches_a_missing_key() -> None:
    # The guard itself: an unknown key comes back bracketed and both patterns see it.
    assert t("no_such.key_here", "fr") == "[no_such.key_here]"
    assert UNTRANSLATED.findall(t("no_such.key_here", "ar")) == ["no_such.key_here"]
    assert LITERAL_KEY.findall('st.write(ctx.tr("no_such.key_here", n=1))') == ["no_such.key_here"]


def rendered_text(at: AppTest) -> str:
    """Every element's protobuf as text: labels, options, markdown, dataframes, chart specs."""
    parts: list[str] = []

    def walk(node) -> Iterator[None]:  # noqa: ANN001 - AppTest tree nodes
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def _roles() -> list[str]:
    return sorted({role for spec in PAGES for role in spec.roles})


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", _roles())
def test_every_page_renders_translated(make_app, role: str, lang: str) -> None:
    at = make_app(DEMO_USER_OF_ROLE[role], lang=lang)
    at.run()
    assert not at.exception, f"app.py as {role} in {lang}: {at.exception}"
    problems: dict[str, list[str]] = {}
    pages = [spec.path for spec in PAGES if role in spec.roles]
    assert pages
    titles = []
    for path in pages:
        at.switch_page(path)
        at.run()
        text = rendered_text(at)
        # Guards that each run really is a different page, in the language asked for.
        title = at.title[0].value if len(at.title) else path
        assert bool(ARABIC.search(title)) == (lang == "ar"), f"{path} in {lang}: title {title!r}"
        titles.append(title)
        if at.exception:
            # Keep going: one broken page should not hide the untranslated strings of the others.
            error = at.exception[0]
            problems[path] = [f"exception: {(error.stack[-1] if error.stack else error.message)[:300]}"]
            continue
        found = sorted(set(UNTRANSLATED.findall(text)))
        if found:
            problems[path] = found
    assert problems == {}
    assert len(set(titles)) == len(pages), titles
