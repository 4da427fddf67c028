"""Benchmark inputs: demo databases of a given size and a households CSV to import."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd

from data_layer.ops.bootstrap import open_database
from data_layer.ops.demo import generate_demo

WORK = Path(__file__).resolve().parent / "work"
SEED = 2020

# Governorates written the ways people write them: ISO code, French and Arabic names.
GOVERNORATE_SPELLINGS = [
    "TN-11",
    "Tunis",
    "تونس",
    "Sfax",
    "صفاقس",
    "TN-61",
    "Sousse",
    "سوسة",
    "Ariana",
    "أريانة",
    "Nabeul",
    "نابل",
    "Kairouan",
    "القيروان",
    "Gabès",
    "قابس",
    "Bizerte",
    "بنزرت",
    "Ben Arous",
    "بن عروس",
    "TN-51",
    "Monastir",
    "Médenine",
    "TN-83",
]
FIRST = ["محمد", "فاطمة", "أحمد", "عائشة", "سامي", "نجلاء", "Mohamed", "Sonia", "Karim", "Nadia", "Imen", "Hichem"]
LAST = ["بن علي", "الطرابلسي", "الجبالي", "Ben Ahmed", "Trabelsi", "Jlassi", "Gharbi", "Mejri", "Ayari"]
NEEDS = [
    "food:2",
    "food:1;hygiene:1",
    "medicine:1",
    "cash:100",
    "food:3;clothes:1:bag",
    "hygiene:2:piece",
    "cash:50;food:1",
    "",
    "services:1:session",
    "food:2;medicine:2;hygiene:1",
]
VULNERABILITIES = [
    "",
    "",
    "elderly",
    "lost_income",
    "elderly;lost_income",
    "disability",
    "single_parent;lost_income",
    "chronic_illness",
]


def build_database(households: int) -> tuple[Path, float]:
    """A fresh demo database of `households` under bench/work; returns its path and build seconds."""
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"demo_{households}.duckdb"
    for stale in (path, Path(str(path) + ".wal")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    db = open_database(path)
    try:
        generate_demo(db, households=households, seed=SEED)
        db.conn.execute("CHECKPOINT")
    finally:
        db.close()
    return path, time.perf_counter() - started


def copy_database(source: Path, name: str) -> Path:
    """A scratch copy, so writes made by one measurement do not change another's input."""
    target = WORK / name
    for stale in (target, Path(str(target) + ".wal")):
        stale.unlink(missing_ok=True)
    shutil.copy(source, target)
    return target


def households_csv(rows: int, seed: int = SEED) -> Path:
    """A valid households CSV as associations send them: mixed scripts, phone formats and spellings.

    National IDs start with 0, a range the demo never uses, so every row is new to the database.
    """
    rng = np.random.default_rng(seed)
    path = WORK / f"households_{rows}.csv"
    national_ids = pd.Series(rng.permutation(rows) + 1_000_000).astype(str).str.zfill(8)
    digits = pd.Series(rng.integers(0, 10_000_000, rows)).astype(str).str.zfill(7)
    prefix = pd.Series(rng.choice(np.array(["2", "5", "9", "4"]), rows))
    phone_style = rng.integers(0, 4, rows)
    local = prefix + digits
    phone = np.where(
        phone_style == 0,
        local,
        np.where(
            phone_style == 1,
            "+216" + local,
            np.where(phone_style == 2, "+216 " + local.str[:2] + " " + local.str[2:5] + " " + local.str[5:], ""),
        ),
    )
    frame = pd.DataFrame(
        {
            "national_id": national_ids,
            "full_name": pd.Series(rng.choice(FIRST, rows)) + " " + pd.Series(rng.choice(LAST, rows)),
            "phone": phone,
            "governorate": rng.choice(GOVERNORATE_SPELLINGS, rows),
            "delegation": pd.Series(rng.choice(["Centre", "Nord", "Sud", "المدينة"], rows))
            + " "
            + pd.Series(rng.integers(1, 12, rows)).astype(str),
            "address": "نهج "
            + pd.Series(rng.integers(1, 400, rows)).astype(str)
            + " عدد "
            + pd.Series(rng.integers(1, 90, rows)).astype(str),
            "household_size": rng.integers(1, 12, rows).astype(str),
            "vulnerabilities": rng.choice(VULNERABILITIES, rows),
            "needs": rng.choice(NEEDS, rows),
            "notes": np.where(rng.random(rows) < 0.1, "أولوية", ""),
        }
    )
    WORK.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path
