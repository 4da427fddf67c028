"""A second country end to end, as an operator would run it: a country the repository does not ship
(Morocco, from an area file written here) is added to a fresh database beside Tunisia; an
organisation, a campaign and households of that country (Moroccan phones and ID cards) are created
and imported from the command line; its coverage, unmet needs, progress and HXL exports list its
regions with those households; `allocate --apply` over both countries never crosses the border;
and a bad area file is refused with its line and reason, leaving the database as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import hxl
import pycountry
import pytest

from data_layer.ops.bootstrap import open_database
from data_layer.ops.cli import main

# Three of Morocco's twelve regions, with the ISO 3166-2 codes pycountry knows, and centroids.
MOROCCO = (
    "Pays,Code,الاسم,Nom,Name,Latitude,Longitude\n"
    "#country+code,#adm1+code,#adm1+name+i_ar,#adm1+name+i_fr,#adm1+name+i_en,#geo+lat,#geo+lon\n"
    "MA,MA-01,طنجة تطوان الحسيمة,Tanger-Tétouan-Al Hoceïma,Tanger-Tetouan-Al Hoceima,35.3,-5.6\n"
    "MA,MA-04,الرباط سلا القنيطرة,Rabat-Salé-Kénitra,Rabat-Sale-Kenitra,34.0,-6.4\n"
    "MA,MA-06,الدار البيضاء سطات,Casablanca-Settat,Casablanca-Settat,33.2,-7.6\n"
)
HOUSEHOLDS = "national_id,full_name,phone,governorate,household_size,needs\n"
# Moroccan ID cards (CIN: one or two letters, then digits) and phones in the ways people write them;
# the regions by French name, Arabic name and code.
MOROCCAN_HOUSEHOLDS = HOUSEHOLDS + (
    "AB123456,Fatima Zahra Bennani,0612345678,Rabat-Salé-Kénitra,4,food:1\n"
    "k654321,يوسف العلوي,+212 661-234567,الدار البيضاء سطات,3,food:2\n"
    "BE98765,Aicha Tazi,06 50 12 34 56,MA-06,2,food:1\n"
)
TUNISIAN_HOUSEHOLDS = HOUSEHOLDS + (
    "41000001,نجلاء الشابي,98111222,Sfax,4,food:1\n"
    "41000002,Karim Gharbi,+216 22 333 444,TN-61,3,food:1\n"
    "41000003,هند المرزوقي,,صفاقس,5,food:1\n"
)
DONATIONS = "donor_name,category,quantity,unit,value_tnd,governorate,received_on\n"
# Morocco holds more baskets than its households need, Tunisia fewer: an allocation that ignored
# the border would lend Rabat's spare baskets to Sfax.
MOROCCAN_DONATIONS = DONATIONS + "Souk Solidaire,food,8,basket,400,MA-04,{day}\nDonateur,cash,500,,,MA-04,{day}\n"
TUNISIAN_DONATIONS = DONATIONS + "Epicerie Sfax,food,1,basket,40,TN-61,{day}\n"


def cli(db_path: Path | str, capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    """`python -m data_layer --db DB ARGS…`, in this process (the same code as the command)."""
    code = main(["--db", str(db_path), *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out.strip(), captured.err.strip()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def query(db_path: Path | str, sql: str) -> list[tuple]:
    database = open_database(db_path)
    try:
        with database.reading() as cur:
            return [tuple(row) for row in cur.execute(sql).fetchall()]
    finally:
        database.close()


def state(db_path: Path | str) -> list[tuple]:
    """What adding a country writes: countries, settings, areas, audit rows."""
    return query(
        db_path,
        "SELECT (SELECT count(*) FROM countries), (SELECT count(*) FROM country_settings),"
        " (SELECT count(*) FROM areas), (SELECT count(*) FROM audit_log)",
    )


def test_the_area_file_of_the_test_is_morocco_as_iso_3166_2_names_it():
    iso = {s.code: s.name for s in pycountry.subdivisions.get(country_code="MA")}
    assert iso["MA-01"] == "Tanger-Tétouan-Al Hoceïma"
    assert iso["MA-04"] == "Rabat-Salé-Kénitra"
    assert iso["MA-06"] == "Casablanca-Settat"


def test_a_second_country_is_added_registered_imported_exported_and_allocated_within_its_border(
    empty_db_path, tmp_path, capsys
):
    db = empty_db_path
    today = dt.date.today()
    start, end = (today - dt.timedelta(days=10)).isoformat(), (today + dt.timedelta(days=20)).isoformat()

    # The country: its area file and settings.
    assert cli(db, capsys, "countries", "add", write(tmp_path, "MA.csv", MOROCCO), "--currency", "mad",
               "--id-pattern", "[A-Z]{1,2}[0-9]{5,6}", "--default-lang", "fr") == (
        0, "Country MA added with 3 areas.", "")  # fmt: skip
    code, listed, _ = cli(db, capsys, "countries", "list")
    assert code == 0
    assert [line.split()[0] for line in listed.splitlines()[1:]] == ["MA", "TN"]
    assert "MAD" in listed.splitlines()[1]

    # An organisation and a campaign in each country; the Moroccan ones say where they are.
    assert cli(db, capsys, "orgs", "add", "MAWADA", "--name", "Mawada", "--governorates", "MA-04,MA-06",
               "--country", "MA", "--phone", "0522123456")[0] == 0  # fmt: skip
    assert cli(db, capsys, "orgs", "add", "SFAX", "--name", "Sfax Solidaire", "--governorates", "TN-61")[:2] == (
        0,
        "Organisation SFAX created (#2).",
    )
    assert cli(db, capsys, "campaigns", "add", "--name", "رمضان المغرب", "--name-fr", "Ramadan Maroc",
               "--start", start, "--end", end, "--target-households", "3", "--country", "MA")[0] == 0  # fmt: skip
    assert cli(db, capsys, "campaigns", "add", "--name", "رمضان تونس", "--start", start, "--end", end,
               "--target-households", "3", "--country", "TN")[0] == 0  # fmt: skip
    assert cli(db, capsys, "users", "add", "karima", "--role", "association", "--full-name", "Karima",
               "--org", "MAWADA", "--password", "a long enough password 1")[0] == 0  # fmt: skip
    assert query(db, "SELECT code, country_code, phone FROM organisations ORDER BY id") == [
        ("MAWADA", "MA", "+212522123456"),
        ("SFAX", "TN", None),
    ]
    # Each campaign in its country's currency, none named on the command line.
    assert query(
        db,
        "SELECT c.name, c.country_code, s.currency FROM campaigns c"
        " JOIN campaign_settings s ON s.campaign_id = c.id ORDER BY c.id",
    ) == [("رمضان المغرب", "MA", "MAD"), ("رمضان تونس", "TN", "TND")]
    code, accounts, _ = cli(db, capsys, "users", "list", "--country", "MA")
    assert code == 0 and [line.split()[1] for line in accounts.splitlines()[1:]] == ["karima"]

    # Households and stock of both countries, imported; Moroccan numbers kept in their own formats.
    day = today.isoformat()
    for kind, org, text in (
        ("households", "MAWADA", MOROCCAN_HOUSEHOLDS),
        ("households", "SFAX", TUNISIAN_HOUSEHOLDS),
        ("donations", "MAWADA", MOROCCAN_DONATIONS.format(day=day)),
        ("donations", "SFAX", TUNISIAN_DONATIONS.format(day=day)),
    ):
        code, out, err = cli(db, capsys, "import", kind, write(tmp_path, f"{org}-{kind}.csv", text), "--org", org)
        assert (code, err) == (0, ""), err
        assert out.startswith("Imported")
    assert query(
        db,
        "SELECT h.national_id, h.phone, h.governorate_code, c.country_code FROM households h"
        " JOIN campaigns c ON c.id = h.campaign_id WHERE h.governorate_code LIKE 'MA-%' ORDER BY h.national_id",
    ) == [
        ("AB123456", "+212612345678", "MA-04", "MA"),
        ("BE98765", "+212650123456", "MA-06", "MA"),
        ("K654321", "+212661234567", "MA-06", "MA"),
    ]
    # Every record took the active campaign of its own country.
    assert query(
        db,
        "SELECT count(*) FROM households h JOIN campaigns c ON c.id = h.campaign_id"
        " JOIN areas a ON a.code = h.governorate_code WHERE a.country_code <> c.country_code",
    ) == [(0,)]
    assert query(
        db,
        "SELECT count(*) FROM donations d JOIN campaigns c ON c.id = d.campaign_id"
        " JOIN areas a ON a.code = d.governorate_code WHERE a.country_code <> c.country_code",
    ) == [(0,)]

    # The Moroccan figures list Morocco's regions, with the imported households.
    out = tmp_path / "coverage.csv"
    assert cli(db, capsys, "export", "coverage", "--country", "MA", "-o", out)[0] == 0
    assert [(r["governorate_code"], r["governorate_name"], r["households_registered"]) for r in read_csv(out)] == [
        ("MA-01", "Tanger-Tetouan-Al Hoceima", "0"),
        ("MA-04", "Rabat-Sale-Kenitra", "1"),
        ("MA-06", "Casablanca-Settat", "2"),
    ]
    out = tmp_path / "unmet.csv"
    assert cli(db, capsys, "export", "unmet_needs", "--country", "MA", "-o", out)[0] == 0
    assert [(r["governorate_code"], r["category_code"], r["households_waiting"], r["unmet_quantity"])
            for r in read_csv(out)] == [("MA-04", "food", "1", "1.0"), ("MA-06", "food", "2", "3.0")]  # fmt: skip
    out = tmp_path / "progress.csv"
    assert cli(db, capsys, "export", "progress_governorates", "--country", "MA", "-o", out)[0] == 0
    assert [(r["governorate_code"], r["households_registered"]) for r in read_csv(out)] == [
        ("MA-01", "0"),
        ("MA-04", "1"),
        ("MA-06", "2"),
    ]
    out = tmp_path / "coverage.hxl.csv"
    assert cli(db, capsys, "export", "coverage", "--country", "MA", "--format", "hxl", "-o", out)[0] == 0
    rows = list(hxl.data(str(out), hxl.InputOptions(allow_local=True)))
    assert [(r.get("#adm1+code"), r.get("#adm1+name+i_ar"), r.get("#adm1+name+i_fr"), r.get("#affected+hh+registered"))
            for r in rows] == [
        ("MA-01", "طنجة تطوان الحسيمة", "Tanger-Tétouan-Al Hoceïma", "0"),
        ("MA-04", "الرباط سلا القنيطرة", "Rabat-Salé-Kénitra", "1"),
        ("MA-06", "الدار البيضاء سطات", "Casablanca-Settat", "2"),
    ]  # fmt: skip
    # Tunisia's figures are Tunisia's alone.
    out = tmp_path / "coverage_tn.csv"
    assert cli(db, capsys, "export", "coverage", "--country", "TN", "-o", out)[0] == 0
    tunisia = read_csv(out)
    assert len(tunisia) == 24 and sum(int(r["households_registered"]) for r in tunisia) == 3
    # Cash stays in the currency of the country that holds it.
    out = tmp_path / "value.csv"
    assert cli(db, capsys, "export", "value_by_country", "-o", out)[0] == 0
    assert [(r["country_code"], r["currency"], r["received_value"]) for r in read_csv(out)] == [
        ("MA", "MAD", "900.0"),
        ("TN", "TND", "40.0"),
    ]
    # The donations register names each gift's currency beside its value.
    out = tmp_path / "donations.csv"
    assert cli(db, capsys, "export", "donations", "-o", out)[0] == 0
    assert sorted({(r["governorate"][:2], r["currency"]) for r in read_csv(out)}) == [("MA", "MAD"), ("TN", "TND")]

    # One allocation run over both countries: no stock crosses the border.
    code, out_text, err = cli(db, capsys, "allocate", "--apply")
    assert code == 0, err
    allocations = query(
        db,
        "SELECT stock.country_code, home.country_code, sum(al.quantity) FROM allocations al"
        " JOIN donations d ON d.id = al.donation_id JOIN areas stock ON stock.code = d.governorate_code"
        " JOIN needs n ON n.id = al.need_id JOIN households h ON h.id = n.household_id"
        " JOIN areas home ON home.code = h.governorate_code"
        " WHERE d.category_code = 'food' GROUP BY stock.country_code, home.country_code ORDER BY 1",
    )
    # Morocco's four baskets go to its three households; Tunisia's one basket to one of its three.
    assert [(s, h, float(q)) for s, h, q in allocations] == [("MA", "MA", 4.0), ("TN", "TN", 1.0)]


BAD_FILES = {
    "duplicate code": (
        MOROCCO.replace("MA,MA-06,", "MA,MA-04,"),
        "Refused: Area code: Line 5: code MA-04 already appears on line 4.",
    ),
    "missing name": (
        MOROCCO.replace("الرباط سلا القنيطرة", ""),
        "Refused: Area: Arabic name: Line 4: the ar name of area MA-04 is missing.",
    ),
    "unknown country code": (
        MOROCCO.replace("MA,MA-06,", "XM,MA-06,"),
        "Refused: Country: Line 5: country code XM is not in ISO 3166-1.",
    ),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_area_file_is_refused_with_its_line_and_reason_and_leaves_the_database_as_it_was(
    empty_db_path, tmp_path, capsys, name
):
    text, refusal = BAD_FILES[name]
    before = state(empty_db_path)
    path = write(tmp_path, "MA.csv", text)
    assert cli(
        empty_db_path, capsys, "countries", "add", path, "--currency", "MAD", "--id-pattern", "[A-Z]{1,2}[0-9]{5,6}"
    ) == (
        1,
        "",
        refusal,
    )
    assert state(empty_db_path) == before


def test_a_record_takes_the_active_campaign_of_its_own_country_and_never_another_countrys(empty_db):
    from data_layer.core.actor import SYSTEM, Actor
    from data_layer.registry.campaigns import create_campaign
    from data_layer.registry.countries import add_country
    from data_layer.registry.donations import register_donation
    from data_layer.registry.households import register_household
    from data_layer.registry.organisations import create_organisation

    add_country(empty_db, SYSTEM, MOROCCO, currency="MAD", id_pattern="[A-Z]{1,2}[0-9]{5,6}")
    org = create_organisation(
        empty_db, SYSTEM, {"code": "MAWADA", "name": "Mawada", "kind": "association", "areas": ["MA-04"]}
    )
    staff = Actor(user_id=None, username="karima", role="association", organisation_id=org, country_code="MA")
    tunisia = create_campaign(
        empty_db,
        SYSTEM,
        {
            "name": "تونس",
            "starts_on": "2020-04-01",
            "ends_on": "2020-06-30",
            "target_households": 5,
            "country_code": "TN",
        },
    )
    first = register_household(
        empty_db, staff, {"national_id": "AB123456", "full_name": "Fatima", "governorate": "MA-04",
                          "household_size": 2, "phone": "0612345678", "needs": "food:1"},
    )  # fmt: skip
    morocco = create_campaign(
        empty_db,
        SYSTEM,
        {"name": "المغرب", "starts_on": "2020-03-01", "ends_on": "2020-06-30", "target_households": 5,
         "country_code": "MA"},
    )  # fmt: skip
    second = register_household(
        empty_db, staff, {"national_id": "K654321", "full_name": "Youssef", "governorate": "MA-04",
                          "household_size": 3, "needs": "food:1"},
    )  # fmt: skip
    gift = register_donation(
        empty_db,
        staff,
        {"donor_name": "Souk", "category": "food", "quantity": "2", "unit": "basket", "governorate": "MA-04",
         "received_on": "2020-05-01"},
    )  # fmt: skip
    with empty_db.reading() as cur:
        households = dict(cur.execute("SELECT id, campaign_id FROM households").fetchall())
        donations = dict(cur.execute("SELECT id, campaign_id FROM donations").fetchall())
    # Before Morocco had a campaign, none (Tunisia's, which started later, is not Morocco's).
    assert households == {first: None, second: morocco}
    assert donations == {gift: morocco} and morocco != tunisia
