"""Demo data that looks like the May 2020 campaign, deterministic for a seed.

Rows are generated as columns with NumPy and inserted as whole DataFrames: row by
row, DuckDB manages about 1,500 rows a second; a DataFrame insert manages millions.
Demo accounts are created only here, so only demo databases have them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_layer.access.accounts import hash_password
from data_layer.core.actor import SYSTEM
from data_layer.core.countries import gift_currency
from data_layer.core.i18n import DEFAULT_LANG
from data_layer.monitoring.facts import ensure_facts_current, mark_facts_stale
from data_layer.ops.demo_distribution import generate_demo_distribution
from data_layer.registry.identity import refresh_national_id_keys
from data_layer.registry.receipts import assign_missing_receipt_codes
from data_layer.store.audit import write_audit
from data_layer.store.bulk import advance_sequence, run_with_rows
from data_layer.store.database import Database
from data_layer.store.queries import run
from data_layer.store.reference import get_reference

CAMPAIGN_START = dt.date(2020, 5, 15)
CAMPAIGN_END = dt.date(2020, 5, 30)

ASSOCIATIONS = [
    # code, name, home governorate, governorates covered
    ("ATSS", "الجمعية التونسية للتضامن الاجتماعي", "TN-11", ["TN-11", "TN-12", "TN-13", "TN-14"]),
    ("CRT", "الهلال الأحمر التونسي", "TN-11", None),  # None: every governorate
    ("AMAL-SFX", "جمعية الأمل صفاقس", "TN-61", ["TN-61", "TN-53", "TN-81"]),
    ("NORD-SOL", "Association Nord Solidarité", "TN-23", ["TN-23", "TN-31", "TN-32", "TN-33", "TN-34"]),
    ("SAHEL-AID", "جمعية الساحل للإغاثة", "TN-51", ["TN-51", "TN-52", "TN-53"]),
    ("CENTRE-ESP", "Association Espoir du Centre", "TN-41", ["TN-41", "TN-42", "TN-43", "TN-22"]),
    ("SUD-KHIR", "جمعية الخير للجنوب", "TN-82", ["TN-81", "TN-82", "TN-83", "TN-73", "TN-72", "TN-71"]),
    ("CAPBON-SOL", "Cap Bon Solidaire", "TN-21", ["TN-21", "TN-22"]),
]
DEMO_ACCOUNTS = [
    # username, password, role, organisation code, full name
    ("admin", "jesr-admin-2020", "admin", None, "Admin Jesr"),
    ("organiser", "jesr-organiser-2020", "organiser", "ALECSO-MIN", "منسق الحملة"),
    ("observer", "jesr-observer-2020", "observer", "MIN-SOC", "Observateur Ministère"),
    ("atss", "jesr-assoc-2020", "association", "ATSS", "موظف الجمعية التونسية للتضامن"),
    ("amal", "jesr-assoc-2020", "association", "AMAL-SFX", "موظف جمعية الأمل"),
    ("volunteer", "jesr-volunteer-2020", "volunteer", "ATSS", "متطوع تونس"),
]
FIRST_NAMES = [
    "محمد",
    "أحمد",
    "علي",
    "فاطمة",
    "عائشة",
    "مريم",
    "سامي",
    "نجلاء",
    "هند",
    "يوسف",
    "خديجة",
    "منير",
    "سلوى",
    "رضا",
    "ليلى",
    "كمال",
    "سعاد",
    "حمزة",
    "آمنة",
    "وليد",
    "Mohamed",
    "Sonia",
    "Karim",
    "Nadia",
    "Hichem",
    "Imen",
    "Sami",
    "Rim",
    "Anis",
    "Olfa",
]
LAST_NAMES = [
    "بن علي",
    "الطرابلسي",
    "الجبالي",
    "المرزوقي",
    "الغنوشي",
    "بن سالم",
    "الشابي",
    "العياري",
    "الحمامي",
    "الزواري",
    "بوعزيزي",
    "القروي",
    "Ben Ahmed",
    "Trabelsi",
    "Jlassi",
    "Mejri",
    "Gharbi",
    "Ayari",
    "Hammami",
    "Dridi",
    "Saidi",
    "Chaabane",
    "Zouari",
    "Khelifi",
]
DONOR_NAMES = [
    "Société Poulina",
    "مجموعة المرطبات",
    "Banque de l'Habitat",
    "Délice Danone",
    "Tunisie Telecom",
    "عائلة بن يوسف",
    "مواطن متبرع",
    "Carrefour Tunisie",
    "UTICA Sfax",
    "جمعية المهاجرين",
    "Pharmacie Centrale",
    "Groupe Mabrouk",
    "Monoprix",
    "Ooredoo",
    "Anonyme",
]
ITEMS: dict[str, list[tuple[str, str | None]]] = {
    "cash": [("تبرع نقدي", None)],  # in the campaign's currency (generate_demo)
    "food": [("قفة مواد غذائية", "basket"), ("Semoule", "kg"), ("Huile végétale", "litre"), ("Pâtes", "kg")],
    "hygiene": [("Kit hygiène", "kit"), ("Savon", "piece"), ("Masques", "piece")],
    "medicine": [("أدوية مزمنة", "box"), ("Paracétamol", "box")],
    "clothes": [("ملابس أطفال", "bag"), ("Couvertures", "piece")],
    "services": [("Transport médical", "hour"), ("Soutien psychologique", "session")],
}
NEED_UNITS: dict[str, str | None] = {
    "cash": None,  # in the campaign's currency, as its cash stock (generate_demo)
    "food": "basket",
    "hygiene": "kit",
    "medicine": "box",
    "clothes": "bag",
    "services": "session",
}
NEED_CATEGORY_WEIGHTS = {
    "food": 0.45,
    "hygiene": 0.2,
    "medicine": 0.12,
    "cash": 0.12,
    "clothes": 0.08,
    "services": 0.03,
}
VULNERABILITY_RATES = {
    "elderly": 0.22,
    "disability": 0.08,
    "chronic_illness": 0.15,
    "lost_income": 0.45,
    "single_parent": 0.12,
}
# Share of donations held in a named delegation; the rest are held at governorate level.
DONATIONS_IN_A_DELEGATION = 0.75


@dataclass
class DemoSummary:
    households: int
    needs: int
    donations: int
    donors: int
    volunteers: int
    organisations: int
    users: int


class DemoRefused(Exception):
    """Demo data goes only into a database without households."""


def generate_demo(db: Database, households: int = 2000, seed: int = 2020) -> DemoSummary:
    """Fill an empty database with a campaign like May 2020; same seed, same rows."""
    rng = np.random.default_rng(seed)
    with db.reading() as cur:
        if run(cur, "count_households") > 0:
            raise DemoRefused("the database already holds households; demo data goes only into a new one")
        areas = run(cur, "list_demo_areas", {"country_code": "TN"})
    weights = areas["population"].to_numpy(dtype=float)
    weights /= weights.sum()
    area_codes = areas["code"].to_numpy()
    # The demo campaign names no currency: its cash is counted in Tunisia's.
    cash_unit = gift_currency(None, get_reference(db).settings.get("TN"))

    with db.transaction() as cur:
        campaign_id = run(
            cur,
            "insert_campaign",
            {
                "name": "جسر المحبة — Jesr al-Mahabba 2020",
                "country_code": "TN",
                "starts_on": CAMPAIGN_START,
                "ends_on": CAMPAIGN_END,
                "target_households": max(1, int(households * 0.7)),
                "target_value_tnd": float(households * 60),
            },
        )
        bases = run(cur, "get_demo_id_bases")
        org_ids = _insert_organisations(cur, area_codes)
        assoc_codes = [a[0] for a in ASSOCIATIONS]
        n_donors = _insert_donors(cur, rng, bases["donors"], max(20, households // 25))
        # Where donations are held within their governorate is drawn from its own stream, so adding
        # it left every other demo row as it was for the same seed.
        n_donations = _insert_donations(
            cur,
            rng,
            np.random.default_rng([seed, 12]),
            bases["donations"],
            campaign_id,
            org_ids,
            assoc_codes,
            areas,
            weights,
            max(60, households // 8),
            n_donors,
            cash_unit=cash_unit,
        )
        n_needs = _insert_households(
            cur, rng, bases, campaign_id, org_ids, assoc_codes, areas, weights, households, cash_unit=cash_unit
        )
        n_volunteers = _insert_volunteers(
            cur, rng, bases["volunteers"], org_ids, assoc_codes, area_codes, weights, max(24, households // 40)
        )
        n_users = _insert_accounts(cur, org_ids)
        summary = DemoSummary(households, n_needs, n_donations, n_donors, n_volunteers, len(org_ids), n_users)
        mark_facts_stale(cur)  # bulk rows without an audit row each: rebuild the dashboard facts
        write_audit(cur, SYSTEM, "seed_demo", "campaigns", campaign_id, after={"seed": seed, **summary.__dict__})
    assign_missing_receipt_codes(db)
    refresh_national_id_keys(db)
    generate_demo_distribution(db, seed, CAMPAIGN_START, CAMPAIGN_END)
    ensure_facts_current(db)
    return summary


def _insert_organisations(cur, area_codes: np.ndarray) -> dict[str, int]:  # noqa: ANN001
    rows = [
        ("ALECSO-MIN", "ALECSO — Ministère (coordination)", "organiser", "TN-11"),
        ("MIN-SOC", "Ministère des Affaires sociales (observation)", "ministry", "TN-11"),
    ]
    rows += [(code, name, "association", home) for code, name, home, _ in ASSOCIATIONS]
    ids: dict[str, int] = {}
    for code, name, kind, home in rows:
        ids[code] = run(
            cur,
            "insert_organisation",
            {"code": code, "name": name, "kind": kind, "governorate_code": home, "phone": None, "country_code": "TN"},
        )
    covered = []
    for code, _, _, areas in ASSOCIATIONS:
        for area in areas if areas is not None else list(area_codes):
            covered.append((ids[code], area))
    run_with_rows(
        cur, "insert_demo_organisation_areas", pd.DataFrame(covered, columns=["organisation_id", "area_code"])
    )
    return ids


def _insert_donors(cur, rng: np.random.Generator, base: int, count: int) -> int:  # noqa: ANN001
    names = np.array(DONOR_NAMES, dtype=object)[rng.integers(0, len(DONOR_NAMES), count)]
    types = rng.choice(["company", "individual", "association", "international"], count, p=[0.4, 0.4, 0.1, 0.1])
    frame = pd.DataFrame(
        {
            "id": np.arange(base + 1, base + count + 1),
            "name": [f"{n} #{i + 1}" for i, n in enumerate(names)],
            "donor_type": types,
        }
    )
    run_with_rows(cur, "insert_demo_donors", frame)
    advance_sequence(cur, "seq_donors", count)
    return count


def _dates(rng: np.random.Generator, count: int) -> np.ndarray:
    days = (CAMPAIGN_END - CAMPAIGN_START).days + 1
    return np.datetime64(CAMPAIGN_START) + rng.integers(0, days, count).astype("timedelta64[D]")


def _insert_donations(
    cur,
    rng,
    place_rng,
    base,
    campaign_id,
    org_ids,
    assoc_codes,
    areas,
    weights,  # noqa: ANN001
    count,
    n_donors,
    *,
    cash_unit: str | None,
) -> int:
    categories = list(NEED_CATEGORY_WEIGHTS)
    cat_choice = rng.choice(categories, count, p=list(NEED_CATEGORY_WEIGHTS.values()))
    items, units, quantities, values = [], [], [], []
    item_pick = rng.random(count)
    qty_draw = rng.integers(20, 400, count)
    for cat, pick, qty in zip(cat_choice, item_pick, qty_draw):
        item, unit = ITEMS[cat][int(pick * len(ITEMS[cat]))]
        items.append(item)
        units.append(cash_unit if cat == "cash" else unit)
        quantity = float(qty * 50) if cat == "cash" else float(qty)
        quantities.append(quantity)
        values.append(
            quantity
            if cat == "cash"
            else quantity * {"food": 45, "hygiene": 18, "medicine": 25, "clothes": 30, "services": 20}[cat]
        )
    organisations = [org_ids[c] for c in rng.choice(assoc_codes, count)]
    donors = rng.integers(1, n_donors + 1, count)
    gov_index = rng.choice(len(areas), count, p=weights)
    # Most donations are held in a delegation of their governorate, the rest at governorate level.
    delegations = _delegation_names(areas, gov_index, place_rng.random(count))
    delegations = delegations.where(place_rng.random(count) < DONATIONS_IN_A_DELEGATION, None)
    frame = pd.DataFrame(
        {
            "id": np.arange(base + 1, base + count + 1),
            "campaign_id": campaign_id,
            "organisation_id": organisations,
            "donor_id": donors,
            "kind": np.where(cat_choice == "cash", "cash", "in_kind"),
            "category_code": cat_choice,
            "item": items,
            "quantity": quantities,
            "unit": units,
            "value_tnd": values,
            "governorate_code": areas["code"].to_numpy()[gov_index],
            "delegation": delegations,
            "storage_location": "مستودع الجمعية",
            "received_on": _dates(rng, count),
        }
    )
    run_with_rows(cur, "insert_demo_donations", frame)
    advance_sequence(cur, "seq_donations", count)
    return count


def _delegation_names(areas: pd.DataFrame, gov_index: np.ndarray, draw: np.ndarray) -> pd.Series:
    """Demo delegation names, "<governorate name_fr> <n>" with n uniform in 1..its delegations
    (`draw` uniform in [0, 1)): households and donations use the same names."""
    number = (draw * areas["delegations"].to_numpy()[gov_index]).astype(int) + 1
    return pd.Series(areas["name_fr"].to_numpy()[gov_index]) + " " + pd.Series(number).astype(str)


def _insert_households(  # noqa: ANN001
    cur, rng, bases, campaign_id, org_ids, assoc_codes, areas, weights, count, *, cash_unit: str | None
) -> int:
    base = bases["households"]
    ids = np.arange(base + 1, base + count + 1)
    gov_index = rng.choice(len(areas), count, p=weights)
    codes = areas["code"].to_numpy()[gov_index]
    delegations = _delegation_names(areas, gov_index, rng.random(count))
    # Distinct 8-digit national IDs: a random sample of the 8-digit range without repeats.
    national_ids = (
        rng.choice(np.arange(10_000_000, 99_999_999, dtype=np.int64), count, replace=False)
        if count < 2_000_000
        else rng.permutation(np.arange(10_000_000, 10_000_000 + count, dtype=np.int64))
    )
    first = np.array(FIRST_NAMES, dtype=object)[rng.integers(0, len(FIRST_NAMES), count)]
    last = np.array(LAST_NAMES, dtype=object)[rng.integers(0, len(LAST_NAMES), count)]
    phone_prefix = rng.choice(np.array(["2", "5", "9", "4"]), count)
    phone_rest = rng.integers(0, 10_000_000, count)
    vuln_flags = {v: rng.random(count) < rate for v, rate in VULNERABILITY_RATES.items()}
    vulnerabilities = [[v for v in VULNERABILITY_RATES if vuln_flags[v][i]] for i in range(count)]
    frame = pd.DataFrame(
        {
            "id": ids,
            "campaign_id": campaign_id,
            "national_id": pd.Series(national_ids).astype(str).str.zfill(8),
            "full_name": first + " " + last,
            "phone": "+216" + pd.Series(phone_prefix) + pd.Series(phone_rest).astype(str).str.zfill(7),
            "governorate_code": codes,
            "delegation": delegations,
            "address": "حي " + pd.Series(rng.integers(1, 200, count)).astype(str),
            "household_size": np.clip(rng.poisson(4.2, count), 1, 14),
            "vulnerabilities": vulnerabilities,
            "organisation_id": [org_ids[c] for c in rng.choice(assoc_codes, count)],
            "status": rng.choice(["registered", "verified"], count, p=[0.35, 0.65]),
            "created_at": pd.to_datetime(_dates(rng, count))
            + pd.to_timedelta(rng.integers(8 * 3600, 18 * 3600, count), unit="s"),
        }
    )
    run_with_rows(cur, "insert_demo_households", frame)
    advance_sequence(cur, "seq_households", count)

    # Needs: every household needs something; some need two or three categories.
    categories = np.array(list(NEED_CATEGORY_WEIGHTS))
    probs = np.array(list(NEED_CATEGORY_WEIGHTS.values()))
    n_needs = 1 + (rng.random(count) < 0.45).astype(int) + (rng.random(count) < 0.15).astype(int)
    owner = np.repeat(ids, n_needs)
    cats = rng.choice(categories, len(owner), p=probs)
    need_frame = pd.DataFrame({"household_id": owner, "category_code": cats})
    need_frame = need_frame.drop_duplicates(["household_id", "category_code"]).reset_index(drop=True)
    total = len(need_frame)
    need_base = bases["needs"]
    need_frame["id"] = np.arange(need_base + 1, need_base + total + 1)
    quantity = rng.integers(1, 4, total).astype(float)
    is_cash = need_frame["category_code"].to_numpy() == "cash"
    quantity[is_cash] = rng.choice([50.0, 100.0, 150.0, 200.0], int(is_cash.sum()))
    need_frame["quantity"] = quantity
    need_frame["unit"] = need_frame["category_code"].map({**NEED_UNITS, "cash": cash_unit})
    need_frame["urgency"] = rng.choice(["low", "normal", "high", "critical"], total, p=[0.15, 0.5, 0.25, 0.1])
    household_created = frame.set_index("id")["created_at"]
    need_frame["created_at"] = household_created.reindex(need_frame["household_id"]).to_numpy()
    run_with_rows(cur, "insert_demo_needs", need_frame)
    advance_sequence(cur, "seq_needs", total)
    return total


def _insert_volunteers(cur, rng, base, org_ids, assoc_codes, area_codes, weights, count) -> int:  # noqa: ANN001
    transport = rng.random(count) < 0.6
    distribution = ~transport | (rng.random(count) < 0.5)
    vehicle = np.where(
        transport, rng.choice(["car", "van", "motorbike", "truck"], count, p=[0.6, 0.2, 0.15, 0.05]), "none"
    )
    governorates = rng.choice(area_codes, count, p=weights)
    governorates[: min(count, len(area_codes))] = area_codes[: min(count, len(area_codes))]  # one in each at least
    frame = pd.DataFrame(
        {
            "id": np.arange(base + 1, base + count + 1),
            "full_name": np.array(FIRST_NAMES, dtype=object)[rng.integers(0, len(FIRST_NAMES), count)]
            + " "
            + np.array(LAST_NAMES, dtype=object)[rng.integers(0, len(LAST_NAMES), count)],
            "phone": "+2165" + pd.Series(rng.integers(0, 10_000_000, count)).astype(str).str.zfill(7),
            "governorate_code": governorates,
            "offers_transport": transport,
            "offers_distribution": distribution,
            "vehicle": vehicle,
            "available_from": CAMPAIGN_START,
            "available_to": CAMPAIGN_END,
            "organisation_id": [org_ids[c] for c in rng.choice(assoc_codes, count)],
        }
    )
    run_with_rows(cur, "insert_demo_volunteers", frame)
    advance_sequence(cur, "seq_volunteers", count)
    return count


def _insert_accounts(cur, org_ids: dict[str, int]) -> int:  # noqa: ANN001
    hashes: dict[str, str] = {}
    for username, password, role, org_code, full_name in DEMO_ACCOUNTS:
        if password not in hashes:
            hashes[password] = hash_password(password)
        user_id = run(
            cur,
            "insert_user",
            {
                "username": username,
                "full_name": full_name,
                "role": role,
                "organisation_id": org_ids.get(org_code) if org_code else None,
                "password_hash": hashes[password],
                "preferred_lang": DEFAULT_LANG,
                "country_code": None,  # its organisation's (the demo admin's: every country)
            },
        )
        if role == "volunteer":
            # The demo volunteer account drives the first volunteer in Tunis.
            run(
                cur,
                "assign_demo_volunteer_account",
                {
                    "user_id": user_id,
                    "organisation_id": org_ids.get(org_code) if org_code else None,
                    "governorate_code": "TN-11",
                },
            )
    return len(DEMO_ACCOUNTS)
