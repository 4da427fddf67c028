"""The exact check: HiGHS MILP values of the suggestion's objective, the yardstick the greedy is tested against."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from data_layer.distribution.allocation.grouping import factorized, factorized_delegation, joint_codes


class ExactValues(NamedTuple):
    """The three objectives of the suggestion, each at its best given the ones before it."""

    governorate: float  # priority-weighted units served from stock held in the need's governorate
    total: float  # priority-weighted units served in all
    delegation: float  # of which from stock held in the household's own delegation


def exact_allocation(needs: pd.DataFrame, lines: pd.DataFrame) -> ExactValues:
    """Best values of the suggestion's lexicographic objective for one category/unit, by HiGHS MILP.

    1. the most weighted need served from stock in the same governorate; then, keeping that,
    2. the most weighted need served in all; then, keeping both,
    3. the most weighted need served from stock held in the household's own delegation.
    The delegation is a tie-break below coverage: it chooses which stock serves the needs that
    (1) and (2) serve anyway, and among needs of equal weight those it can serve locally; it never
    costs priority-weighted coverage. Solving the stages in turn is the same as one objective
    with bonuses far enough apart, without having to pick the bonus sizes.
    `needs`: need_id, governorate_code, delegation (optional), units, score, already_given;
    `lines`: donation_id, governorate_code, delegation (optional, None = governorate level), units.
    Households already given the category count after everyone else via a small weight.
    For small cases: the model has needs x lines variables.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    n, m = len(needs), len(lines)
    if n == 0 or m == 0:
        return ExactValues(0.0, 0.0, 0.0)
    weight = needs["score"].to_numpy(dtype=float) * np.where(needs["already_given"].to_numpy(dtype=bool), 1e-3, 1.0)
    same_governorate = needs["governorate_code"].to_numpy()[:, None] == lines["governorate_code"].to_numpy()[None, :]
    need_place, line_place, _ = joint_codes(
        [factorized(needs, "governorate_code"), factorized_delegation(needs)],
        [factorized(lines, "governorate_code"), factorized_delegation(lines)],
    )
    same_delegation = (need_place[:, None] == line_place[None, :]) & (need_place >= 0)[:, None]
    value = np.repeat(weight, m)  # variable (i, j) at i * m + j
    need_rows = np.kron(np.eye(n), np.ones(m))  # sum_j x_ij <= units_i
    line_rows = np.kron(np.ones(n), np.eye(m))  # sum_i x_ij <= units_j
    constraints = [
        LinearConstraint(need_rows, 0, needs["units"].to_numpy(dtype=float)),
        LinearConstraint(line_rows, 0, lines["units"].to_numpy(dtype=float)),
    ]
    bounds = Bounds(0, np.inf)
    integrality = np.ones(n * m)
    best = []
    for objective in (value * same_governorate.ravel(), value, value * same_delegation.ravel()):
        result = milp(
            -objective, constraints=constraints, bounds=bounds, integrality=integrality, options={"mip_rel_gap": 0}
        )
        if not result.success:
            raise RuntimeError(f"HiGHS: {result.message}")
        # The value of the rounded solution: HiGHS may return 0.9999995 for 1 (within its integrality
        # tolerance) and so a value a hair above what whole units reach, which the next stage cannot keep.
        best.append(float(objective @ np.rint(result.x)))
        constraints.append(LinearConstraint(objective[None, :], best[-1] - 1e-6, np.inf))
    return ExactValues(*best)
