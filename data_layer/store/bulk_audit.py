"""The audit rows of a bulk write, chained as they are written.

An import audits each row it adds: 240,000 audit rows for 100,000 households. Written plainly,
they would be chained when the transaction commits (store/chain.py): read back with their content
text, hashed, then updated in place, which on PostgreSQL writes every row a second time. Here
the rows are put together in Arrow, with their JSON values and the content text the chain hashes,
hashed and linked onto the chain's head before they are written once, by `copy_rows` (COPY on
PostgreSQL). The head moves past them in the same transaction, so the chaining at commit carries
on after them; the check (`verify_chain`) reads them like any other row.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from data_layer.core.actor import Actor
from data_layer.core.secrets import key_fingerprint
from data_layer.store.bulk import copy_rows, map_list_values
from data_layer.store.chain import (
    CHAIN_PURPOSE,
    CONTENT_FIELDS,
    audit_id_issued,
    chain_links,
    chain_new_rows,
    content_hashes,
)
from data_layer.store.queries import run

# The control characters JSON text may not hold as they are.
_CONTROL = "[\\x00-\\x1f]"


def _json_strings(values: pa.Array) -> pa.Array:
    """Text values as JSON strings: quoted, with `\\`, `"` and control characters escaped."""
    text = pc.replace_substring(pc.replace_substring(values, "\\", "\\\\"), '"', '\\"')
    if pc.any(pc.match_substring_regex(text, _CONTROL)).as_py():
        for code in range(0x20):
            text = pc.replace_substring(text, chr(code), f"\\u{code:04x}")
    return pc.binary_join_element_wise('"', text, '"', "")


def json_values(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Each value of `column` as JSON text (NULL as `null`): texts, numbers, booleans, dates and times
    (as strings) and lists of those."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    kind = column.type
    if pa.types.is_dictionary(kind):
        return json_values(column.cast(kind.value_type))
    if pa.types.is_null(kind):
        return pa.array(["null"] * len(column), pa.string())
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = _json_strings(column.cast(pa.string()))
    elif pa.types.is_floating(kind):
        # NaN and infinities have no JSON spelling: null, as a missing number.
        finite = pc.is_finite(column)
        text = pc.if_else(finite, column.cast(pa.string()), pa.scalar(None, pa.string()))
    elif pa.types.is_integer(kind) or pa.types.is_decimal(kind) or pa.types.is_boolean(kind):
        text = column.cast(pa.string())
    elif pa.types.is_temporal(kind):
        text = _json_strings(column.cast(pa.string()))
    elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
        lists = map_list_values(column, json_values)
        text = pc.binary_join_element_wise("[", pc.binary_join(lists, ","), "]", "")
    else:
        raise TypeError(f"no JSON text for a column of {kind}")
    return pc.fill_null(text, "null")


def json_objects(table: pa.Table) -> pa.Array:
    """Each row of `table` as a JSON object of its columns, in their order (`{"a":1,"b":"x"}`)."""
    parts: list[Any] = []
    for i, name in enumerate(table.column_names):
        parts.append(("{" if i == 0 else ",") + json.dumps(name, ensure_ascii=False) + ":")
        parts.append(json_values(table.column(name)))
    if not parts:
        return pa.array(["{}"] * table.num_rows, pa.string())
    parts.append("}")
    return pc.binary_join_element_wise(*parts, "")


def _content_part(value: Any) -> Any:
    """One field of the chain's content text (store/chain.py): `length:value;`, NULL as `-;`."""
    if isinstance(value, pa.Array):
        length = pc.utf8_length(value).cast(pa.string())
        return pc.fill_null(pc.binary_join_element_wise(length, ":", value, ";", ""), "-;")
    return "-;" if value is None else f"{len(value)}:{value};"


def content_texts(fields: dict[str, Any]) -> pa.Array:
    """The chain's content text of each row (store/chain.py `with_content_text`), column at a time.

    `fields` holds the text of each content field (chain.CONTENT_FIELDS): an Arrow string array,
    or one value (text or None) shared by every row."""
    return pc.binary_join_element_wise(*(_content_part(fields[name]) for name in CONTENT_FIELDS), "")


def _repeat(value: Any, count: int, kind: pa.DataType) -> pa.Array:
    return pa.nulls(count, kind) if value is None else pa.repeat(pa.scalar(value, kind), count)


@dataclass(frozen=True)
class AuditBatch:
    """The `insert` audit rows of one bulk write: one per record, its values (a row each) as JSON."""

    table_name: str
    record_ids: np.ndarray
    values: pa.Table


class BulkAudit:
    """Audit rows of bulk writes in one transaction. Made first in the transaction's block: the
    rows the block writes otherwise (`write_audit`) before a bulk write are chained ahead of it."""

    def __init__(self, cur: Any, chained: bool) -> None:
        self._cur = cur
        self._since = audit_id_issued(cur) if chained else None

    def write(self, actor: Actor, batches: list[AuditBatch], insert: Callable[[], None]) -> None:
        """Run `insert` (the bulk writes the batches audit) on the transaction's cursor, and write
        the audit rows of `batches` after it, chained in their order.

        `insert` runs in a second thread while this one puts the audit rows together and hashes
        them: the database checks and indexes the records meanwhile (on PostgreSQL most of an
        import's time, in the server's process), and the hashing is the chain's one step that
        cannot be left to it. `insert` must be the only user of the cursor until it returns."""
        batches = [batch for batch in batches if len(batch.record_ids)]
        if not batches:
            insert()
            return
        cur = self._cur
        chained = self._since is not None
        if chained:
            # The block's own earlier rows first, so that the chain follows the ids.
            chain_new_rows(cur, self._since)
        head = run(cur, "lock_audit_chain_head") if chained else None
        count = sum(len(batch.record_ids) for batch in batches)
        ids = np.sort(run(cur, "list_reserved_ids", {"sequence": "seq_audit", "count": count})["id"].astype(np.int64))
        logged_at = str(run(cur, "get_audit_clock"))
        failure: list[BaseException] = []

        def insert_and_keep_failure() -> None:
            try:
                insert()
            except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
                failure.append(exc)

        worker = threading.Thread(target=insert_and_keep_failure, name="bulk-insert")
        worker.start()
        try:
            rows = self._rows(actor, batches, ids, logged_at, head)
        finally:
            worker.join()
        if failure:
            raise failure[0]
        if head is not None:
            run(
                cur,
                "update_audit_chain_head",
                {
                    "chain_seq": int(rows.column("chain_seq")[-1].as_py()),
                    "last_id": int(ids[-1]),
                    "chain_hash": rows.column("chain_hash")[-1].as_py(),
                    "key_fingerprint": key_fingerprint(CHAIN_PURPOSE),
                },
            )
        copy_rows(cur, "insert_bulk_audit_rows", rows, source="bulk_audit_rows")

    @staticmethod
    def _rows(
        actor: Actor, batches: list[AuditBatch], ids: np.ndarray, logged_at: str, head: dict[str, Any] | None
    ) -> pa.Table:
        """The audit rows of the batches with the reserved `ids`, linked onto `head` when the log is chained."""
        count = len(ids)
        user_id = None if actor.user_id is None else int(actor.user_id)
        after = pa.concat_arrays([json_objects(batch.values) for batch in batches])
        table_names = pa.array(np.repeat([b.table_name for b in batches], [len(b.record_ids) for b in batches]))
        record_ids = pa.array(np.concatenate([np.asarray(b.record_ids, dtype=np.int64) for b in batches]))
        rows: dict[str, Any] = {
            "id": pa.array(ids, pa.int64()),
            "logged_at": _repeat(logged_at, count, pa.string()),
            "user_id": _repeat(user_id, count, pa.int64()),
            "username": _repeat(actor.username, count, pa.string()),
            "action": _repeat("insert", count, pa.string()),
            "table_name": table_names.cast(pa.string()),
            "record_id": record_ids,
            "after": after,
        }
        if head is None:
            for column in ("chain_seq", "content_hash", "prev_hash", "chain_hash"):
                rows[column] = pa.nulls(count, pa.int64() if column == "chain_seq" else pa.string())
            return pa.table(rows)
        texts = content_texts(
            {
                "id_text": rows["id"].cast(pa.string()),
                "logged_at_text": logged_at,
                "user_id_text": None if user_id is None else str(user_id),
                "username": actor.username,
                "action": "insert",
                "table_name": rows["table_name"],
                "record_id_text": record_ids.cast(pa.string()),
                "before_text": None,
                "after_text": after,
            }
        )
        contents = content_hashes({"content_text": texts.to_numpy(zero_copy_only=False)})
        first_seq, head_hash = int(head["chain_seq"]) + 1, str(head["chain_hash"])
        links = chain_links(first_seq, head_hash, contents)
        rows.update(
            chain_seq=pa.array(np.arange(first_seq, first_seq + count, dtype=np.int64)),
            content_hash=pa.array(contents, pa.string()),
            prev_hash=pa.array([head_hash, *links[:-1]], pa.string()),
            chain_hash=pa.array(links, pa.string()),
        )
        return pa.table(rows)
