"""`audit verify [--anchor SEQ:HASH]` and `audit anchor`: check the audit log's hash chain, and
print its head to publish (docs/audit.md).

Exit codes: 0 the log checks, 2 it does not (the message names the first bad row), 1 refused
input (a malformed anchor, no hash key).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from data_layer.core.i18n import t
from data_layer.store.chain import ChainCheck, parse_anchor, verify_chain
from data_layer.store.database import Database

LANG = "en"
BROKEN = 2


def add_parser(sub: Any) -> None:
    audit = sub.add_parser("audit", help="check the audit log's hash chain, or print its head to publish")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser(
        "verify", help="walk the chain: exit 0 if intact, 2 naming the first row edited, removed or slipped in"
    )
    verify.add_argument(
        "--anchor", metavar="SEQ:HASH", help="also prove that the log still holds this published head (from `anchor`)"
    )
    audit_sub.add_parser("anchor", help="check the chain, then print its head (SEQ:HASH) to publish elsewhere")


def describe(check: ChainCheck) -> str:
    assert check.problem is not None
    return t(check.problem, LANG, id=check.row_id, seq=check.seq)


def run_command(db: Database, args: argparse.Namespace) -> int:
    anchor = parse_anchor(args.anchor) if getattr(args, "anchor", None) else None
    started = time.perf_counter()
    with db.reading() as cur:
        check = verify_chain(cur, anchor)
    seconds = time.perf_counter() - started
    if not check.ok:
        print(f"{t('audit.verify.broken_log', LANG)} {describe(check)}", file=sys.stderr)
        return BROKEN
    if args.audit_command == "anchor":
        print(check.head)
        print(t("audit.anchor.publish", LANG, rows=check.rows), file=sys.stderr)
        return 0
    print(t("audit.verify.ok", LANG, rows=check.rows, head=str(check.head), seconds=f"{seconds:.1f}"))
    if anchor is not None:
        print(t("audit.verify.anchor_ok", LANG, anchor=str(anchor)))
    return 0
