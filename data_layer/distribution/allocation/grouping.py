"""Array helpers shared by the suggestion and the exact solver: exact integer sums per group and
joint codes for (category, unit, governorate, delegation) pools, all without a Python loop per group."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_layer.core.validation import delegation_key


def group_starts(group: np.ndarray, count: int) -> np.ndarray:
    """Where each of `count` groups starts in an ascending array of group codes (and where the last ends)."""
    return np.searchsorted(group, np.arange(count + 1))


def cumsum_within(group: np.ndarray, qty: np.ndarray, count: int) -> np.ndarray:
    """Running total of `qty` within each group, exclusive of the row itself (`group` ascending)."""
    running = np.concatenate([[0], np.cumsum(qty)])
    return running[:-1] - running[group_starts(group, count)[:-1]][group]


def group_sums(group: np.ndarray, qty: np.ndarray, count: int) -> np.ndarray:
    """Exact integer sum of `qty` per group (`group` ascending)."""
    running = np.concatenate([[0], np.cumsum(qty)])
    starts = group_starts(group, count)
    return running[starts[1:]] - running[starts[:-1]]


def sum_by(group: np.ndarray, qty: np.ndarray, count: int) -> np.ndarray:
    """Exact integer sum of `qty` per group, in any order."""
    order = np.argsort(group, kind="stable")
    return group_sums(group[order], qty[order], count)


def grouped_fill(
    need_group: np.ndarray, need_qty: np.ndarray, line_group: np.ndarray, line_qty: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Within each group, serve needs in their order from lines in theirs: (need index, line index, amount).

    Both sides ascending by group (order kept within a group). Each group gets a window of
    min(need, stock) units on one shared axis; needs and lines are laid end to end inside their
    group's window, and every stretch between two consecutive ends is one (need, line) piece.
    All groups at once, with no Python loop over groups.
    """
    need_total = group_sums(need_group, need_qty, count)
    line_total = group_sums(line_group, line_qty, count)
    window = np.minimum(need_total, line_total)
    total = int(window.sum())
    if total <= 0:
        empty = np.array([], dtype=np.int64)
        return empty, empty, empty
    base = np.cumsum(window) - window
    need_end = base[need_group] + np.minimum(cumsum_within(need_group, need_qty, count) + need_qty, window[need_group])
    line_end = base[line_group] + np.minimum(cumsum_within(line_group, line_qty, count) + line_qty, window[line_group])
    # Both ends arrays are sorted: a stable sort of the two runs is a merge (cheaper than np.unique's hashing).
    cuts = np.sort(
        np.concatenate([[0], need_end[need_end < total], line_end[line_end < total], [total]]), kind="stable"
    )
    cuts = cuts[np.concatenate([[True], cuts[1:] != cuts[:-1]])]
    starts, ends = cuts[:-1], cuts[1:]
    need_index = np.searchsorted(need_end, starts, side="right")
    line_index = np.searchsorted(line_end, starts, side="right")
    return need_index, line_index, ends - starts


Codes = tuple[np.ndarray, pd.Index]  # a column factorized: one code per row (-1: missing), the distinct values


def factorized(frame: pd.DataFrame, column: str) -> Codes:
    codes, uniques = pd.factorize(frame[column])  # on the Arrow strings themselves: no Python objects per row
    return codes, pd.Index(uniques)


def factorized_delegation(frame: pd.DataFrame) -> Codes:
    """The frame's delegations by their folded form (delegation_key); -1 where there is none."""
    if "delegation" not in frame:
        return np.full(len(frame), -1, dtype=np.int64), pd.Index([])
    codes, names = pd.factorize(frame["delegation"])
    key_codes, keys = pd.factorize(np.array([delegation_key(name) for name in names] + [None], dtype=object))
    return key_codes[codes], pd.Index(keys)  # code -1 picks the trailing None's -1


def joint_codes(need_parts: list[Codes], line_parts: list[Codes]) -> tuple[np.ndarray, np.ndarray, int]:
    """One code per distinct combination of the parts across needs and lines (-1 if a part is missing),
    and how many codes there are."""
    need_code = np.zeros(len(need_parts[0][0]), dtype=np.int64)
    line_code = np.zeros(len(line_parts[0][0]), dtype=np.int64)
    missing = np.zeros(len(need_code) + len(line_code), dtype=bool)
    for (need_part, need_values), (line_part, line_values) in zip(need_parts, line_parts):
        values = need_values.append(line_values.difference(need_values, sort=False))
        line_part = np.append(values.get_indexer(line_values), -1)[line_part]  # -1 (missing) stays -1
        missing |= np.concatenate([need_part, line_part]) < 0
        need_code = need_code * (len(values) + 1) + need_part + 1
        line_code = line_code * (len(values) + 1) + line_part + 1
    code, uniques = pd.factorize(np.concatenate([need_code, line_code]))
    code = np.where(missing, -1, code)
    return code[: len(need_code)], code[len(need_code) :], len(uniques)
