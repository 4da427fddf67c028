"""A daily budget, per organisation, of the import's "already registered by another association" answers.

Each such answer tells an association that someone receives aid elsewhere. The forms give it one
person at a time; a file could ask it of thousands of national IDs, so the import would become a
way to test lists of IDs. An association's imports may meet CLASH_DAILY_BUDGET households of
other associations a day. A file that would go past it is refused as a whole, without saying
which rows met whom (the organisers still get their duplicate reports), and the day's budget is
then spent: any further household import of that association waits for the next day, so even
"refused or not" stops answering. Organisers and admins, who read every organisation's
households anyway, have no budget. The counts live in the database (`import_clash_counts`), so
every app server shares them.
"""

from __future__ import annotations

import datetime as dt
import os

from data_layer.core.actor import Actor
from data_layer.core.errors import JesrError
from data_layer.store.database import Database
from data_layer.store.queries import run

DEFAULT_CLASH_DAILY_BUDGET = 50
OTHER_CLASH_CODE = "error.duplicate_household_other"


def clash_daily_budget() -> int:
    """JESR_IMPORT_CLASH_BUDGET, or 50 households of other associations a day."""
    try:
        return max(0, int(os.environ.get("JESR_IMPORT_CLASH_BUDGET", DEFAULT_CLASH_DAILY_BUDGET)))
    except ValueError:
        return DEFAULT_CLASH_DAILY_BUDGET


class ClashBudgetExceeded(JesrError):
    code = "imports.error.clash_budget"


def _budgeted(actor: Actor, organisation_id: int | None) -> bool:
    return organisation_id is not None and not actor.sees_all_organisations


def require_budget_left(db: Database, actor: Actor, organisation_id: int | None, today: dt.date) -> None:
    """Refuse a household import before any row is looked at when today's budget is spent."""
    if not _budgeted(actor, organisation_id):
        return
    budget = clash_daily_budget()
    with db.reading() as cur:
        used = int(run(cur, "sum_import_clashes_on", {"organisation_id": organisation_id, "day": today}))
    if used >= budget:
        raise ClashBudgetExceeded("imports.error.clash_budget_spent", budget=budget)


def spend_budget(db: Database, actor: Actor, organisation_id: int | None, clashes: int, today: dt.date) -> None:
    """Count a file's households of other associations; refuse the file when they pass what is left.

    A refused file spends the whole day's budget (see the module's docstring).
    """
    if not _budgeted(actor, organisation_id) or clashes == 0:
        return
    budget = clash_daily_budget()
    with db.transaction() as cur:
        params = {"organisation_id": organisation_id, "day": today}
        used = int(run(cur, "sum_import_clashes_on", params))
        left = max(0, budget - used)
        run(cur, "insert_import_clash_count", dict(params, clashes=clashes if clashes <= left else left))
    if clashes > left:
        raise ClashBudgetExceeded("imports.error.clash_budget", budget=budget, left=left)
