"""Status sets that several rules share, defined once and passed to SQL as list parameters.

In SQL they are read as `list_contains($live_statuses, a.status)`: as fast as an IN list of
literals on DuckDB, where `= ANY(...)` plans a semi-join at half the speed.
"""

from __future__ import annotations

# A household in these no longer counts as a registration of its national ID.
CLOSED_HOUSEHOLD_STATUSES = ("rejected", "merged")
# Households out of play: no aid goes to them and duplicate matching leaves them alone.
INACTIVE_HOUSEHOLD_STATUSES = (*CLOSED_HOUSEHOLD_STATUSES, "inactive")
# A request may be merged only into a household on file and past the verification queue.
NOT_MERGEABLE_HOUSEHOLD_STATUSES = (*CLOSED_HOUSEHOLD_STATUSES, "submitted")
# Households not counted as registered (nor served) on dashboards: requests not yet accepted, and closed ones.
UNCOUNTED_HOUSEHOLD_STATUSES = ("submitted", *CLOSED_HOUSEHOLD_STATUSES)
# Allocations that still hold stock of their donation.
LIVE_ALLOCATION_STATUSES = ("allocated", "delivered", "confirmed")
# Allocations, and deliveries, that reached the household.
DELIVERED_STATUSES = ("delivered", "confirmed")
# Deliveries that ended without reaching the household: their allocations give the stock back.
UNDELIVERED_END_STATUSES = ("failed", "cancelled")
# Pledges promised but not yet received as a donation: the supply still to come.
OPEN_PLEDGE_STATUSES = ("submitted", "accepted")
