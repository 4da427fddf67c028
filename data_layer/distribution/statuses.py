"""The groups of allocation, delivery and household states that distribution rules name.

Each group is written here once and given to SQL as a list parameter
(`list_contains($live_statuses, a.status)`: as fast as an IN list of literals, where
`= ANY(...)` plans a semi-join at half the speed).
"""

from __future__ import annotations

# Allocations that hold their stock line's quantity: neither returned nor cancelled.
LIVE_STATUSES = ("allocated", "delivered", "confirmed")
# Allocations, and deliveries, that reached the household.
DELIVERED_STATUSES = ("delivered", "confirmed")
# Deliveries that ended without reaching the household: their allocations give the stock back.
UNDELIVERED_END_STATUSES = ("failed", "cancelled")
# Households no longer given aid: merged into another, rejected, or gone.
CLOSED_HOUSEHOLD_STATUSES = ("merged", "rejected", "inactive")
