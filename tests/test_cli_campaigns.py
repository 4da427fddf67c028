"""The command line for organisations, campaigns and the health probe: each command does what it
says, and bad input gets one clear line, a non-zero exit and no change at all."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from data_layer.ops.bootstrap import open_database
from tests.conftest import run_cli


def table_rows(db_path, sql):
    database = open_database(db_path)
    try:
        return database.conn.execute(sql).fetchall()
    finally:
        database.close()


def audit_count(db_path):
    return table_rows(db_path, "SELECT count(*) FROM audit_log")[0][0]


def test_orgs_add_list_disable(fresh):
    added = run_cli(fresh, "orgs", "add", "jasmin", "--name", "Association Jasmin", "--governorates", "TN-11,Sfax")
    assert added.returncode == 0 and "Organisation JASMIN created" in added.stdout, added.stderr
    assert table_rows(fresh, "SELECT code, name, kind, governorate_code, is_active FROM organisations") == [
        ("JASMIN", "Association Jasmin", "association", "TN-11", True)
    ]
    assert table_rows(fresh, "SELECT area_code FROM organisation_areas ORDER BY 1") == [("TN-11",), ("TN-61",)]
    listed = run_cli(fresh, "orgs", "list")
    assert listed.returncode == 0 and "JASMIN" in listed.stdout
    disabled = run_cli(fresh, "orgs", "disable", "jasmin")
    assert disabled.returncode == 0
    assert table_rows(fresh, "SELECT is_active FROM organisations") == [(False,)]
    assert table_rows(fresh, "SELECT action FROM audit_log WHERE table_name = 'organisations' ORDER BY id") == [
        ("insert",),
        ("disable",),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "jasmin", "--name", "Again", "--governorates", "TN-11"], "Code ATSS is already taken"),
        (["add", "x!", "--name", "", "--governorates", "Atlantis"], 'Unknown governorate "Atlantis"'),
        (["disable", "NOPE"], "No organisation with code NOPE."),
    ],
)
def test_orgs_bad_input_changes_nothing(fresh, args, message):
    run_cli(fresh, "orgs", "add", "jasmin", "--name", "Association Jasmin", "--governorates", "TN-11")
    before = audit_count(fresh), table_rows(fresh, "SELECT count(*) FROM organisations")
    refused = run_cli(fresh, "orgs", *args)
    assert refused.returncode == 1
    assert refused.stderr.startswith("Refused: ") and "Traceback" not in refused.stderr
    assert message.replace("ATSS", "JASMIN") in refused.stderr
    assert (audit_count(fresh), table_rows(fresh, "SELECT count(*) FROM organisations")) == before


def test_campaigns_add_list_close_and_records_take_the_active_one(fresh):
    added = run_cli(
        fresh,
        *("campaigns", "add", "--name", "حملة رمضان", "--name-fr", "Campagne du Ramadan", "--start", "2020-05-01"),
        *("--end", "2020-05-30", "--target-households", "1000", "--target-value", "45000.5"),
        *("--governorate-targets", "TN-11:300;Sfax:200"),
    )
    assert added.returncode == 0 and "Campaign #1 created (active)." in added.stdout, added.stderr
    planned = run_cli(
        fresh,
        *("campaigns", "add", "--name", "B", "--start", "2020-06-01", "--end", "2020-06-30"),
        *("--target-households", "10", "--planned"),
    )
    assert planned.returncode == 0
    assert table_rows(
        fresh,
        "SELECT c.id, c.name, s.name_fr, c.starts_on::VARCHAR, c.target_households, c.target_value_tnd::DOUBLE, "
        "s.currency, s.status, c.is_active FROM campaigns c JOIN campaign_settings s ON s.campaign_id = c.id "
        "ORDER BY c.id",
    ) == [
        (1, "حملة رمضان", "Campagne du Ramadan", "2020-05-01", 1000, 45000.5, "TND", "active", True),
        (2, "B", None, "2020-06-01", 10, None, "TND", "planned", False),
    ]
    assert table_rows(fresh, "SELECT governorate_code, target_households FROM campaign_targets ORDER BY 1") == [
        ("TN-11", 300),
        ("TN-61", 200),
    ]
    listed = run_cli(fresh, "campaigns", "list")
    assert listed.returncode == 0 and "حملة رمضان" in listed.stdout and "planned" in listed.stdout
    assert run_cli(fresh, "campaigns", "activate", "2").returncode == 0
    closed = run_cli(fresh, "campaigns", "close", "1")
    assert closed.returncode == 0 and "closed" in closed.stdout
    assert table_rows(
        fresh,
        "SELECT c.id, s.status, c.is_active, s.closed_at IS NOT NULL FROM campaigns c "
        "JOIN campaign_settings s ON s.campaign_id = c.id ORDER BY c.id",
    ) == [
        (1, "closed", False, True),
        (2, "active", True, False),
    ]


@pytest.fixture(scope="module")
def one_closed_campaign(tmp_path_factory: pytest.TempPathFactory, empty_template: Path) -> Path:
    """A database where campaign 1 was added and closed through the command line, made once for the
    refusals below (each test refuses on a copy of its own)."""
    path = tmp_path_factory.mktemp("closed") / "jesr.duckdb"
    shutil.copy(empty_template, path)
    added = run_cli(
        path,
        "campaigns",
        "add",
        "--name",
        "A",
        "--start",
        "2020-05-01",
        "--end",
        "2020-05-30",
        "--target-households",
        "100",
    )
    assert added.returncode == 0, added.stderr
    assert run_cli(path, "campaigns", "close", "1").returncode == 0
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["add", "--name", "X", "--start", "2020-05-30", "--end", "2020-05-01", "--target-households", "5"],
            "The end date is before the start date.",
        ),
        (
            ["add", "--name", "X", "--start", "30 May", "--end", "2020-05-31", "--target-households", "0"],
            "between 1 and",
        ),
        (
            [
                "add",
                "--name",
                "X",
                "--start",
                "2020-05-01",
                "--end",
                "2020-05-31",
                "--target-households",
                "5",
                "--target-value",
                "lots",
                "--governorate-targets",
                "Atlantis:3",
            ],
            "Enter a number",
        ),
        (
            [
                "add",
                "--name",
                "X",
                "--start",
                "2020-05-01",
                "--end",
                "2020-05-31",
                "--target-households",
                "5",
                "--governorate-targets",
                "TN-11:9",
            ],
            "more than the campaign's target of 5",
        ),
        (["close", "1"], 'cannot go from "closed" to "closed"'),
        (["close", "99"], "Record not found"),
        (["activate", "1"], 'cannot go from "closed" to "active"'),
    ],
)
def test_campaigns_bad_input_changes_nothing(one_closed_campaign, tmp_path, args, message):
    fresh = tmp_path / "jesr.duckdb"
    shutil.copy(one_closed_campaign, fresh)
    before = audit_count(fresh), table_rows(fresh, "SELECT count(*) FROM campaigns")
    refused = run_cli(fresh, "campaigns", *args)
    assert refused.returncode == 1, refused.stdout
    assert refused.stderr.startswith("Refused: ") and "Traceback" not in refused.stderr
    assert message in refused.stderr
    assert (audit_count(fresh), table_rows(fresh, "SELECT count(*) FROM campaigns")) == before


def test_health_ok_missing_and_held(fresh, tmp_path):
    ok = run_cli(fresh, "health")
    assert ok.returncode == 0 and ok.stdout.startswith("ok")
    missing = run_cli(tmp_path / "none.duckdb", "health")
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    assert not (tmp_path / "none.duckdb").exists()
    junk = tmp_path / "junk.duckdb"
    junk.write_text("not a database")
    broken = run_cli(junk, "health")
    assert broken.returncode == 1 and broken.stderr.startswith("not ok") and "Traceback" not in broken.stderr
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(fresh)!r}); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        held = run_cli(fresh, "health")
        assert held.returncode == 3 and "held by another process" in held.stderr
    finally:
        holder.kill()
        holder.wait()


def test_export_keeps_one_campaign_even_once_closed(fresh, tmp_path, capsys):
    from data_layer.ops.cli import main

    for name, start in (("Hiver", "2020-01-01"), ("Printemps", "2020-04-01")):
        assert main(["--db", str(fresh), "campaigns", "add", "--name", name, "--start", start,
                     "--end", start[:5] + "12-31", "--target-households", "10"]) == 0  # fmt: skip
    assert main(["--db", str(fresh), "campaigns", "close", "1"]) == 0
    database = open_database(fresh)
    try:
        database.conn.execute(
            "INSERT INTO households (campaign_id, national_id, full_name, governorate_code, household_size) "
            "VALUES (1, '09000001', 'Foulen', 'TN-11', 2), (2, '09000002', 'Foulena', 'TN-61', 3)"
        )
    finally:
        database.close()
    out = tmp_path / "households.csv"
    assert main(["--db", str(fresh), "export", "households", "--campaign", "1", "-o", str(out)]) == 0
    assert "Wrote 1 rows" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8-sig").count("09000001") == 1
    assert "09000002" not in out.read_text(encoding="utf-8-sig")
    assert main(["--db", str(fresh), "export", "households", "--campaign", "7", "-o", str(out)]) == 1
    assert "There is no campaign #7." in capsys.readouterr().err
    assert main(["--db", str(fresh), "export", "stock", "--campaign", "1", "-o", str(out)]) == 1
    assert "--campaign" in capsys.readouterr().err
