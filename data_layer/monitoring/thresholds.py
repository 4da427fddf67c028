"""The thresholds of the fairness signals, in one place: the signals, the page and docs/fairness.md read them here.

Each is a point above which a pattern is worth a look by an organiser, not proof of abuse; change
them here (the page shows the values in use).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SignalThresholds:
    # One phone number behind at least this many households still in play.
    households_per_phone: int = 4
    # One address (case and outer spaces ignored) behind at least this many households.
    households_per_address: int = 5
    # At least this many registrations from one delegation in one day.
    registrations_per_delegation_day: int = 50
    # At least this many households typed by one account in one hour (imports are bulk by design: not counted).
    registrations_per_account_hour: int = 40
    # An association whose share of allocations delivered is this far (as a fraction) from the median of all.
    delivery_ratio_gap: float = 0.30
    # ... counting allocations at least this many days old (newer ones may simply not be delivered yet),
    settle_days: int = 7
    # ... and only associations with at least this many of them.
    min_allocations_for_ratio: int = 20
    # A delivery marked delivered or confirmed less than this many minutes after it was planned.
    fast_delivery_minutes: int = 10
    # A household served more than this multiple of its limit in the period ending now.
    above_limit_factor: float = 1.0
    # The most groups or records one list shows (the largest first).
    max_rows: int = 500


THRESHOLDS = SignalThresholds()
