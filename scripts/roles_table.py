"""Print README's roles table from the page table in ui/navigation.py (who sees which page).

    .venv/bin/python -m scripts.roles_table           # print the table
    .venv/bin/python -m scripts.roles_table --write   # replace it in README.md between the markers

tests/test_readme.py fails when README's table and this output differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

from data_layer.core.i18n import t
from data_layer.core.validation import ROLES
from ui.navigation import ANONYMOUS, PAGES

README = Path(__file__).resolve().parents[1] / "README.md"
START = "<!-- roles:start -->"
END = "<!-- roles:end -->"


def roles_table() -> str:
    """One row per page, in the navigation's order; one column per role, then visitors without an account."""
    columns = [*ROLES, ANONYMOUS]
    header = ["page", *(f"`{role}`" for role in ROLES), "no account"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for spec in PAGES:
        cells = [t(spec.title_key, "en"), *("✓" if role in spec.roles else "" for role in columns)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def replace_between_markers(text: str, table: str) -> str:
    before, found, rest = text.partition(START)
    _, found_end, after = rest.partition(END)
    if not found or not found_end:
        raise SystemExit(f"README.md has no {START} ... {END} block")
    return f"{before}{START}\n{table}{END}{after}"


def main(argv: list[str]) -> int:
    table = roles_table()
    if "--write" in argv:
        README.write_text(replace_between_markers(README.read_text(encoding="utf-8"), table), encoding="utf-8")
        print(f"Wrote the roles table into {README}.")
    else:
        print(table, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
