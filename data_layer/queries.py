"""Named SQL blocks from sql/queries/*.sql, aiosql style.

A block starts with `-- name: verb_noun`, then a comment line that documents it,
then the SQL with DuckDB `$name` parameters. `Q.list_households` is that SQL.
"""
from __future__ import annotations

import re
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parent.parent / "sql" / "queries"
_NAME_LINE = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


def load_queries(directory: Path = QUERIES_DIR) -> dict[str, str]:
    queries: dict[str, str] = {}
    for path in sorted(directory.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        parts = _NAME_LINE.split(text)
        # parts: [preamble, name1, body1, name2, body2, ...]
        for name, body in zip(parts[1::2], parts[2::2]):
            if name in queries:
                raise RuntimeError(f"query {name!r} is defined twice (second in {path.name})")
            queries[name] = body.strip()
    return queries


class _Queries:
    def __init__(self) -> None:
        self._queries = load_queries()

    def __getattr__(self, name: str) -> str:
        try:
            return self._queries[name]
        except KeyError:
            raise AttributeError(f"no query named {name!r} in sql/queries") from None


Q = _Queries()
