"""Matching stock to needs, by job.

- `priority`: who comes first (the score of an open need, the open needs in that order);
- `suggestion`: the proposal of which stock serves which need;
- `saving`: typed allocations and proposals written in one transaction, re-checked inside it;
- `exact`: the HiGHS solver the suggestion is measured against;
- `command`: the `allocate` command's report.

The names below are what pages, the command line and tests use.
"""

from data_layer.distribution.allocation.exact import ExactValues, exact_allocation
from data_layer.distribution.allocation.priority import list_open_needs, priority_explanation, score_needs
from data_layer.distribution.allocation.saving import (
    StockChanged,
    apply_suggestion,
    cancel_allocation,
    list_cancellable_allocations,
    save_allocations,
)
from data_layer.distribution.allocation.suggestion import TIERS, Suggestion, _greedy, suggest_allocations, summarise

__all__ = [
    "TIERS",
    "ExactValues",
    "StockChanged",
    "Suggestion",
    "_greedy",
    "apply_suggestion",
    "cancel_allocation",
    "exact_allocation",
    "list_cancellable_allocations",
    "list_open_needs",
    "priority_explanation",
    "save_allocations",
    "score_needs",
    "suggest_allocations",
    "summarise",
]
