"""The pager and free-text filter every record list shares."""

from __future__ import annotations

PAGE_SIZE_MAX = 200


def page_window(page: int, page_size: int) -> dict[str, int]:
    """LIMIT and OFFSET of a 1-based page, its size kept between 1 and PAGE_SIZE_MAX."""
    size = max(1, min(page_size, PAGE_SIZE_MAX))
    return {"limit": size, "offset": (max(page, 1) - 1) * size}


def search_text(text: str | None) -> str | None:
    """A search box's text, or None when it holds only spaces."""
    return (text or "").strip() or None
