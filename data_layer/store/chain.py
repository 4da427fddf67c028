"""The audit log as a hash chain: a row changed, removed or slipped in afterwards shows.

Each audit row gets, in the transaction that writes it:

- `chain_seq`: its place in the one chain of the database (1, 2, 3, ... without gaps);
- `content_hash`: HMAC-SHA256, under the installation's key (core/secrets.py), of its content
  (id, time, who, action, table, record, values before and after) as length-prefixed text;
- `prev_hash`: the chain hash of the row before it (64 zeros for the first row);
- `chain_hash`: SHA-256 of "seq:prev_hash:content_hash".

The content hash is keyed because the values hold personal fields: a plain hash of a row whose only
unknown is an 8-digit national ID gives the ID back by trying every number, which would undo the
anonymisation. Anonymisation replaces personal values and records `erased_hash`, the keyed hash of
what the row holds after it; the chain keeps the hash the row had when written, so it still checks,
and the erased row itself is still checked against `erased_hash`.

Rows are chained when their transaction commits (Database.transaction calls `chain_new_rows`),
in one batch: a form's save chains its one row, an import its 240,000. Only the transaction's own
rows are chained, those whose ids were issued after it began: a row slipped into the log by
other means stays outside the chain, where the check finds it. The head of the chain
(`audit_chain_head`) is read locked and moved in the same transaction, so two writers, on one
server or several sharing PostgreSQL, never chain onto the same head.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from data_layer.core.errors import JesrError
from data_layer.core.secrets import key_fingerprint, keyed_hashes
from data_layer.store.bulk import run_with_rows
from data_layer.store.queries import run

CHAIN_PURPOSE = "audit-chain"
GENESIS = "0" * 64
VERIFY_BATCH = 50_000


Columns = dict[str, np.ndarray]


# Up to this many rows, the content text is put together in Python from the fields: for one row
# the SQL expression costs more than the fields' query itself.
FEW_ROWS = 64
CONTENT_FIELDS = (
    "id_text",
    "logged_at_text",
    "user_id_text",
    "username",
    "action",
    "table_name",
    "record_id_text",
    "before_text",
    "after_text",
)


def _part(value: Any) -> str:
    return "-;" if value is None else f"{len(value)}:{value};"


def with_content_text(fields: Columns) -> Columns:
    """`fields` with the column `content_text` the chain queries build in SQL, built here: each
    field length-prefixed ("5:admin;", NULL as "-;"), lengths in characters as SQL's length()."""
    columns = [fields[name].tolist() for name in CONTENT_FIELDS]
    texts = ["".join(map(_part, values)) for values in zip(*columns)]
    return {"id": fields["id"], "content_text": np.array(texts, dtype=object)}


def content_hashes(rows: Columns) -> list[str]:
    """The keyed hash of each row's content text (column `content_text`, built by the chain queries)."""
    return [str(h) for h in keyed_hashes(rows["content_text"].tolist(), CHAIN_PURPOSE)]


def link(seq: int, prev_hash: str, content_hash: str) -> str:
    return hashlib.sha256(f"{seq}:{prev_hash}:{content_hash}".encode()).hexdigest()


def chain_links(first_seq: int, prev_hash: str, contents: list[str]) -> list[str]:
    """The chain hashes of rows `first_seq`, `first_seq + 1`, ... after `prev_hash` (as `link`,
    in a loop kept tight: it is the one step of chaining that cannot run as a batch)."""
    sha = hashlib.sha256
    links: list[str] = []
    append = links.append
    for seq, content in enumerate(contents, first_seq):
        prev_hash = sha(f"{seq}:{prev_hash}:{content}".encode()).hexdigest()
        append(prev_hash)
    return links


def audit_id_issued(cur: Any) -> int:
    """The last audit id handed out: a transaction's own rows have ids above it at its start."""
    return int(run(cur, "get_audit_id_issued"))


def chain_new_rows(cur: Any, since_id: int | None = None) -> int:
    """Chain the audit rows with ids above `since_id` (the transaction's own: ids issued since it
    began; None: every row after the head), oldest first, inside the caller's transaction.

    A row someone wrote straight into the database took its id outside this transaction, so it
    stays unchained, and `verify_chain` names it."""
    head = run(cur, "lock_audit_chain_head")
    after_id = int(head["last_id"]) if since_id is None else max(int(head["last_id"]), since_id)
    until_id = int(head["issued"])
    if until_id <= after_id:
        return 0
    params = {"after_id": after_id, "until_id": until_id}
    if until_id - after_id <= FEW_ROWS:
        rows = with_content_text(run(cur, "list_unchained_audit_fields", params))
    else:
        rows = run(cur, "list_unchained_audit_rows", params)
    if len(rows["id"]) == 0:
        return 0
    contents = content_hashes(rows)
    first_seq, head_hash = int(head["chain_seq"]) + 1, str(head["chain_hash"])
    links = chain_links(first_seq, head_hash, contents)
    seqs = np.arange(first_seq, first_seq + len(contents), dtype=np.int64)
    prevs = [head_hash, *links[:-1]]
    seq, prev = int(seqs[-1]), links[-1]
    ids = rows["id"].astype("int64")
    if len(ids) == 1:
        run(
            cur,
            "update_chained_audit_row",
            {
                "id": int(ids[0]),
                "chain_seq": seq,
                "content_hash": contents[0],
                "prev_hash": prevs[0],
                "chain_hash": links[0],
            },
        )
    else:
        # Arrow from the lists at once: a DataFrame of Python strings costs a conversion more.
        chained = pa.table(
            {"id": ids, "chain_seq": seqs, "content_hash": contents, "prev_hash": prevs, "chain_hash": links}
        )
        run_with_rows(cur, "update_chained_audit_rows", chained, table="chained")
    run(
        cur,
        "update_audit_chain_head",
        {
            "chain_seq": seq,
            "last_id": int(ids[-1]),
            "chain_hash": prev,
            "key_fingerprint": key_fingerprint(CHAIN_PURPOSE),
        },
    )
    return len(ids)


def seal_erased_rows(cur: Any, ids: list[int]) -> None:
    """After anonymisation changed these rows: record the keyed hash of what they hold now."""
    rows = run(cur, "list_audit_rows_for_erasure", {"ids": ids})
    if len(rows["id"]) == 0:
        return
    erased = pd.DataFrame({"id": rows["id"].astype("int64"), "erased_hash": content_hashes(rows)})
    run_with_rows(cur, "update_erased_audit_rows", erased, table="erased")


@dataclass(frozen=True)
class Anchor:
    """A chain head to publish (`audit anchor`), or one held elsewhere to check (`verify --anchor`)."""

    seq: int
    chain_hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.chain_hash}"


def parse_anchor(text: str) -> Anchor:
    """An anchor written as `audit anchor` prints it (SEQ:HASH); anything else is refused clearly."""
    seq_text, _, hash_text = (text or "").strip().partition(":")
    hash_text = hash_text.strip().lower()
    if (
        not seq_text.strip().isdigit()
        or int(seq_text) < 1
        or len(hash_text) != 64
        or any(c not in "0123456789abcdef" for c in hash_text)
    ):
        raise JesrError("audit.error.bad_anchor", value=text)
    return Anchor(int(seq_text), hash_text)


@dataclass(frozen=True)
class ChainCheck:
    """What `verify_chain` found: `problem` is None for an intact log, else a translation key
    naming the first bad row by `row_id` and `seq`."""

    rows: int
    head: Anchor
    problem: str | None = None
    row_id: int | None = None
    seq: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _chained_batches(cur: Any) -> Iterator[Columns]:
    after_seq, after_id = 0, 0
    while True:
        rows = run(
            cur, "list_chained_audit_rows", {"after_seq": after_seq, "after_id": after_id, "limit": VERIFY_BATCH}
        )
        if len(rows["id"]) == 0:
            return
        yield rows
        after_seq, after_id = int(rows["chain_seq"][-1]), int(rows["id"][-1])


def verify_chain(cur: Any, anchor: Anchor | None = None) -> ChainCheck:
    """Walk the chain from its first row and stop at the first row that does not check."""
    head = run(cur, "get_audit_chain_head")
    if head["key_fingerprint"] is not None and head["key_fingerprint"] != key_fingerprint(CHAIN_PURPOSE):
        return ChainCheck(0, Anchor(int(head["chain_seq"]), str(head["chain_hash"])), "audit.verify.other_key")
    expected, prev, count = 1, GENESIS, 0
    anchor_seen = anchor is None

    def bad(problem: str, row_id: int, seq: int) -> ChainCheck:
        return ChainCheck(count, Anchor(expected - 1, prev), problem, row_id, seq)

    for rows in _chained_batches(cur):
        recomputed = content_hashes(rows)
        columns = zip(
            rows["id"].tolist(),
            rows["chain_seq"].tolist(),
            rows["content_hash"],
            rows["prev_hash"],
            rows["chain_hash"],
            rows["erased_hash"],
            recomputed,
        )
        for row_id, seq, content, stored_prev, stored_link, erased, actual in columns:
            row_id, seq = int(row_id), int(seq)
            if seq < expected:
                return bad("audit.verify.duplicate", row_id, seq)
            if seq > expected:
                return bad("audit.verify.missing", row_id, expected)
            if actual != (erased if isinstance(erased, str) else content):
                return bad("audit.verify.changed", row_id, seq)
            if stored_prev != prev or link(seq, prev, content) != stored_link:
                return bad("audit.verify.broken", row_id, seq)
            if anchor is not None and seq == anchor.seq:
                if stored_link != anchor.chain_hash:
                    return bad("audit.verify.anchor_mismatch", row_id, seq)
                anchor_seen = True
            prev, expected, count = stored_link, expected + 1, count + 1
    last = Anchor(expected - 1, prev)
    if int(head["chain_seq"]) != last.seq or str(head["chain_hash"]) != last.chain_hash:
        return ChainCheck(count, last, "audit.verify.head_mismatch", None, int(head["chain_seq"]))
    if not anchor_seen:
        assert anchor is not None
        return ChainCheck(count, last, "audit.verify.anchor_ahead", None, anchor.seq)
    stray = run(cur, "get_first_unchained_audit_row")
    if stray is not None:
        return ChainCheck(count, last, "audit.verify.unchained", int(stray["id"]), None)
    return ChainCheck(count, last)
