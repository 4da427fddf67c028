"""Many sessions writing at once through one shared `Database`, as the app's threads do:
16 threads saving 200 households each (plus national IDs they all race for) while 8 threads
allocate the same stock line. Nothing lost, nothing doubled, one audit row per write, stock
never below zero, every refusal a JesrError with a translated message."""

import datetime as dt
import threading
from decimal import Decimal

import pytest

from data_layer.core.actor import Actor
from data_layer.core.errors import JesrError
from data_layer.core.i18n import LANGS, has_key, t
from data_layer.distribution.allocation import save_allocations
from data_layer.registry.donations import register_donation
from data_layer.registry.households import register_household

ENTRY_THREADS = 16
HOUSEHOLDS_PER_THREAD = 200
CONTESTED_IDS = [f"5900000{j}" for j in range(10)]  # every entry thread also tries these
ALLOCATION_THREADS = 8
ATTEMPTS_PER_ALLOCATOR = 5
BASKETS_PER_NEED = 3
STOCK_BASKETS = 50  # 8 x 5 x 3 = 120 asked for: 16 saves fit, 2 baskets stay


def scalar(db, sql, *params):
    return db.conn.execute(sql, list(params)).fetchone()[0]


def household(national_id: str, name: str, governorate: str, needs: str = "food:1:basket") -> dict:
    return {
        "national_id": national_id,
        "full_name": name,
        "phone": "",
        "governorate": governorate,
        "delegation": "Centre",
        "address": "نهج 1",
        "household_size": 3,
        "vulnerabilities": "",
        "needs": needs,
    }


@pytest.mark.slow  # 3,250 audited saves through one write lock: about a minute on 2 shared cores
def test_parallel_entry_and_allocation_lose_nothing_and_double_nothing(db, actors):
    atss, amal = actors["atss"], actors["amal"]
    before = {
        t: scalar(db, f"SELECT count(*) FROM {t}")
        for t in ("households", "needs", "audit_log", "duplicate_reports", "allocations")
    }

    # Eight allocators, each with five needs of its own (3 baskets each) against one 50-basket line.
    donation_id = register_donation(
        db,
        atss,
        {
            "donor_type": "company",
            "donor_name": "Monoprix",
            "category": "food",
            "kind": "in_kind",
            "item": "Panier",
            "quantity": str(STOCK_BASKETS),
            "unit": "basket",
            "governorate": "TN-11",
            "received_on": dt.date(2020, 5, 20),
        },
    )
    needs_of: dict[int, list[int]] = {}
    for a in range(ALLOCATION_THREADS):
        needs_of[a] = []
        for k in range(ATTEMPTS_PER_ALLOCATOR):
            hid = register_household(
                db,
                atss,
                household(
                    f"58{a:02d}{k:04d}", f"Allocation target {a}-{k}", "TN-11", needs=f"food:{BASKETS_PER_NEED}:basket"
                ),
            )
            needs_of[a].append(scalar(db, "SELECT id FROM needs WHERE household_id = ?", hid))
    audit_after_setup = scalar(db, "SELECT count(*) FROM audit_log")

    start = threading.Barrier(ENTRY_THREADS + ALLOCATION_THREADS + 1)
    saved: dict[str, list[int]] = {}
    refused: dict[str, list[JesrError]] = {}
    unexpected: list[BaseException] = []
    allocation_ids: list[int] = []
    lowest_available_seen: list[Decimal] = []
    done = threading.Event()

    def record(name: str, job) -> None:
        saved[name], refused[name] = [], []
        start.wait()
        try:
            job(name)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            unexpected.append(exc)

    def enter(name: str) -> None:
        index = int(name[-2:])
        me = Actor(
            user_id=(atss if index % 2 else amal).user_id,
            username=name,
            role="association",
            organisation_id=(atss if index % 2 else amal).organisation_id,
        )
        governorate = "TN-11" if index % 2 else "TN-61"
        jobs = [
            household(f"6{index:02d}{k:05d}", f"Worker {index} family {k}", governorate)
            for k in range(HOUSEHOLDS_PER_THREAD)
        ]
        # The contested IDs go in the middle, so the race happens while everyone is busy.
        middle = HOUSEHOLDS_PER_THREAD // 2
        jobs[middle:middle] = [household(n, f"Contested {n} by {index}", governorate) for n in CONTESTED_IDS]
        for raw in jobs:
            try:
                saved[name].append(register_household(db, me, raw))
            except JesrError as exc:
                refused[name].append(exc)

    def allocate(name: str) -> None:
        index = int(name[-2:])
        me = Actor(user_id=actors["organiser"].user_id, username=name, role="organiser")
        for need_id in needs_of[index]:
            try:
                ids = save_allocations(
                    db,
                    me,
                    [
                        {
                            "donation_id": donation_id,
                            "need_id": need_id,
                            "quantity": BASKETS_PER_NEED,
                            "category_code": "food",
                        }
                    ],
                )
                saved[name].append(need_id)
                allocation_ids.extend(ids)
            except JesrError as exc:
                refused[name].append(exc)

    def watch_stock() -> None:
        start.wait()
        while not done.is_set():
            cur = db.cursor()
            try:
                lowest_available_seen.append(
                    cur.execute("SELECT available FROM stock_lines WHERE donation_id = ?", [donation_id]).fetchone()[0]
                )
            finally:
                cur.close()

    threads = [threading.Thread(target=record, args=(f"entry{i:02d}", enter)) for i in range(ENTRY_THREADS)]
    threads += [threading.Thread(target=record, args=(f"alloc{i:02d}", allocate)) for i in range(ALLOCATION_THREADS)]
    watcher = threading.Thread(target=watch_stock)
    for thread in threads + [watcher]:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    done.set()
    watcher.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished"
    assert unexpected == [], f"raw exceptions escaped: {unexpected[:3]!r}"

    # --- households: every own ID saved exactly once; each contested ID won by exactly one thread --------
    entry_names = [f"entry{i:02d}" for i in range(ENTRY_THREADS)]
    wins = sum(len(saved[n]) for n in entry_names)
    losses = [exc for n in entry_names for exc in refused[n]]
    assert wins == ENTRY_THREADS * HOUSEHOLDS_PER_THREAD + len(CONTESTED_IDS)
    assert len(losses) == (ENTRY_THREADS - 1) * len(CONTESTED_IDS)
    assert {exc.code for exc in losses} <= {"error.duplicate_household_own", "error.duplicate_household_other"}
    new_households = scalar(db, "SELECT count(*) FROM households") - before["households"]
    assert new_households == wins + ALLOCATION_THREADS * ATTEMPTS_PER_ALLOCATOR
    assert (
        scalar(
            db, "SELECT count(*) FROM (SELECT national_id FROM households GROUP BY 1 HAVING count(*) > 1) AS repeated"
        )
        == 0
    )
    for n in CONTESTED_IDS:
        assert scalar(db, "SELECT count(*) FROM households WHERE national_id = ?", n) == 1
    ids = sorted(i for n in entry_names for i in saved[n])
    assert len(set(ids)) == wins
    assert scalar(db, "SELECT count(*) FROM needs WHERE household_id >= ?", ids[0]) == wins
    assert scalar(db, "SELECT count(*) FROM duplicate_reports") - before["duplicate_reports"] == len(losses)

    # --- one audit row per write, under the thread's own name ----------------------------------------------
    for n in entry_names:
        rows = dict(
            ((table, action), count)
            for table, action, count in db.conn.execute(
                "SELECT table_name, action, count(*) FROM audit_log WHERE username = ? GROUP BY table_name, action", [n]
            ).fetchall()
        )
        assert rows.get(("households", "insert")) == len(saved[n])
        assert rows.get(("needs", "insert")) == len(saved[n])
        assert rows.get(("households", "refused_duplicate"), 0) == len(refused[n])
    assert (
        scalar(
            db,
            """SELECT count(*) FROM households h
                         WHERE h.id >= ? AND (SELECT count(*) FROM audit_log a WHERE a.table_name = 'households'
                               AND a.action = 'insert' AND a.record_id = h.id) <> 1""",
            ids[0],
        )
        == 0
    )

    # --- allocations: the line is never overdrawn; the losers are told the stock changed ------------------
    alloc_names = [f"alloc{i:02d}" for i in range(ALLOCATION_THREADS)]
    successes = sum(len(saved[n]) for n in alloc_names)
    refusals = [exc for n in alloc_names for exc in refused[n]]
    assert successes == STOCK_BASKETS // BASKETS_PER_NEED == 16
    assert len(refusals) == ALLOCATION_THREADS * ATTEMPTS_PER_ALLOCATOR - successes
    assert {exc.code for exc in refusals} == {"distribution.error.stock_changed"}
    assert scalar(db, "SELECT available FROM stock_lines WHERE donation_id = ?", donation_id) == Decimal("2")
    assert scalar(db, "SELECT sum(quantity) FROM allocations WHERE donation_id = ?", donation_id) == Decimal("48")
    assert min(lowest_available_seen) >= 0 and len(lowest_available_seen) > 0
    assert sorted(allocation_ids) == sorted(
        r[0] for r in db.conn.execute("SELECT id FROM allocations WHERE donation_id = ?", [donation_id]).fetchall()
    )
    assert (
        scalar(
            db,
            "SELECT count(*) FROM audit_log WHERE action = 'allocate' AND record_id IN "
            "(SELECT id FROM allocations WHERE donation_id = ?)",
            donation_id,
        )
        == successes
    )
    assert (
        scalar(
            db,
            "SELECT count(*) FROM needs WHERE status = 'covered' AND id IN (SELECT need_id FROM "
            "allocations WHERE donation_id = ?)",
            donation_id,
        )
        == successes
    )
    new_audit = scalar(db, "SELECT count(*) FROM audit_log") - audit_after_setup
    # household + need per saved household, one per refused duplicate, allocation + need covered per allocation
    assert new_audit == 2 * wins + len(losses) + 2 * successes
    assert scalar(db, "SELECT count(*) FROM allocations") - before["allocations"] == successes

    for code in {exc.code for exc in losses + refusals}:
        assert has_key(code)
        for lang in LANGS:
            assert not t(code, lang).startswith("["), f"{code} has no {lang} text"


@pytest.mark.parametrize("threads", [8])
def test_parallel_saves_of_one_national_id_by_one_association_leave_one_row(db, actors, threads):
    """The check-then-insert of a national ID runs under the write lock: eight saves, one row."""
    start = threading.Barrier(threads)
    outcomes: list[object] = []

    def save() -> None:
        start.wait()
        try:
            outcomes.append(register_household(db, actors["atss"], household("57000001", "Same family", "TN-11")))
        except JesrError as exc:
            outcomes.append(exc.code)

    workers = [threading.Thread(target=save) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert sum(isinstance(o, int) for o in outcomes) == 1
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["error.duplicate_household_own"] * (threads - 1)
    assert scalar(db, "SELECT count(*) FROM households WHERE national_id = '57000001'") == 1
