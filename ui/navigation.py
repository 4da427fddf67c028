"""Which pages exist and who may open them; `app.py` builds `st.navigation` from this.

A page not returned for a role is not registered at all, so it cannot be reached,
not even by its URL.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from data_layer.core.i18n import t

STAFF = frozenset({"admin", "organiser", "association"})
EVERYONE = frozenset({"admin", "organiser", "association", "observer", "volunteer"})
ADMIN = frozenset({"admin"})
ORGANISERS = frozenset({"admin", "organiser"})
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class PageSpec:
    path: str
    title_key: str
    icon: str
    roles: frozenset[str]
    section_key: str
    default: bool = False


PAGES: list[PageSpec] = [
    PageSpec("pages/home.py", "nav.home", ":material/home:", EVERYONE, "nav.section.campaign", default=True),
    PageSpec(
        "pages/dashboard.py", "nav.dashboard", ":material/bar_chart:", STAFF | {"observer"}, "nav.section.monitoring"
    ),
    PageSpec("pages/progress.py", "nav.progress", ":material/timer:", STAFF | {"observer"}, "nav.section.monitoring"),
    PageSpec("pages/fairness.py", "nav.fairness", ":material/scale:", STAFF | {"observer"}, "nav.section.monitoring"),
    PageSpec("pages/donation_new.py", "nav.donation_new", ":material/volunteer_activism:", STAFF, "nav.section.entry"),
    PageSpec("pages/household_new.py", "nav.household_new", ":material/family_restroom:", STAFF, "nav.section.entry"),
    PageSpec("pages/volunteer_new.py", "nav.volunteer_new", ":material/person_add:", STAFF, "nav.section.entry"),
    PageSpec("pages/import_data.py", "nav.import", ":material/upload_file:", STAFF, "nav.section.entry"),
    PageSpec("pages/records.py", "nav.records", ":material/folder_open:", STAFF, "nav.section.records"),
    PageSpec("pages/queues.py", "nav.queues", ":material/checklist:", STAFF, "nav.section.records"),
    PageSpec("pages/stock.py", "nav.stock", ":material/inventory_2:", STAFF, "nav.section.distribution"),
    PageSpec("pages/allocation.py", "nav.allocation", ":material/balance:", STAFF, "nav.section.distribution"),
    PageSpec("pages/deliveries.py", "nav.deliveries", ":material/local_shipping:", STAFF, "nav.section.distribution"),
    PageSpec("pages/routes.py", "nav.routes", ":material/route:", STAFF, "nav.section.distribution"),
    PageSpec("pages/pickup_points.py", "nav.pickup_points", ":material/storefront:", STAFF, "nav.section.distribution"),
    PageSpec("pages/reschedule.py", "nav.reschedule", ":material/event_repeat:", STAFF, "nav.section.distribution"),
    PageSpec(
        "pages/my_deliveries.py",
        "nav.my_deliveries",
        ":material/location_on:",
        frozenset({"volunteer"}),
        "nav.section.distribution",
    ),
    PageSpec(
        "pages/open_work.py",
        "nav.open_work",
        ":material/near_me:",
        frozenset({"volunteer"}),
        "nav.section.distribution",
    ),
    PageSpec(
        "pages/duplicates.py",
        "nav.duplicates",
        ":material/content_copy:",
        frozenset({"admin", "organiser"}),
        "nav.section.distribution",
    ),
    PageSpec("pages/traceability.py", "nav.traceability", ":material/explore:", STAFF, "nav.section.distribution"),
    PageSpec("pages/audit.py", "nav.audit", ":material/history:", STAFF, "nav.section.records"),
    PageSpec("pages/campaigns.py", "nav.campaigns", ":material/calendar_month:", ORGANISERS, "nav.section.admin"),
    PageSpec(
        "pages/admin_organisations.py", "nav.organisations", ":material/account_balance:", ADMIN, "nav.section.admin"
    ),
    PageSpec("pages/admin_users.py", "nav.users", ":material/group:", ADMIN, "nav.section.admin"),
    PageSpec("pages/account.py", "nav.account", ":material/key:", EVERYONE, "nav.section.account"),
    PageSpec(
        "pages/login.py", "nav.login", ":material/login:", frozenset({ANONYMOUS}), "nav.section.account", default=True
    ),
    PageSpec(
        "pages/public_request.py", "nav.public_request", ":material/sos:", EVERYONE | {ANONYMOUS}, "nav.section.public"
    ),
    PageSpec(
        "pages/public_volunteer.py",
        "nav.public_volunteer",
        ":material/front_hand:",
        EVERYONE | {ANONYMOUS},
        "nav.section.public",
    ),
    PageSpec(
        "pages/public_pledge.py",
        "nav.public_pledge",
        ":material/handshake:",
        EVERYONE | {ANONYMOUS},
        "nav.section.public",
    ),
    PageSpec(
        "pages/transparency.py",
        "nav.transparency",
        ":material/travel_explore:",
        EVERYONE | {ANONYMOUS},
        "nav.section.public",
    ),
    PageSpec(
        "pages/receipt.py", "nav.receipt", ":material/receipt_long:", EVERYONE | {ANONYMOUS}, "nav.section.public"
    ),
]


def specs_for(role: str) -> list[PageSpec]:
    return [spec for spec in PAGES if role in spec.roles]


def navigation_for(role: str, lang: str) -> dict[str, list[st.Page]]:
    """The role's pages by section, built once per session, role and language: st.Page resolves
    its file path on the disk, a twelfth of the server's time per dashboard rerun. Not shared
    between sessions: st.navigation marks the chosen Page object callable for one run."""
    memo_key = f"_navigation_{role}_{lang}"
    if memo_key not in st.session_state:
        sections: dict[str, list[st.Page]] = {}
        for spec in specs_for(role):
            page = st.Page(spec.path, title=t(spec.title_key, lang), icon=spec.icon, default=spec.default)
            sections.setdefault(t(spec.section_key, lang), []).append(page)
        st.session_state[memo_key] = sections
    return st.session_state[memo_key]
