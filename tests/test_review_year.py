"""This year's review across the July 2025 reform and the 2026 change of standard: real
workbooks of each map (district workbooks up to 2024, commune workbooks from 2025, a 2026
workbook under the 2027-2030 standard, a scores-only one), the real flow, the real DuckDB file.

Households keep their ids across the reform. Status by year (P poor, N near-poor, X not poor,
- absent, R not reviewed), with the old commune (2023, 2024) and the new one (2025, 2026):

    id   2023 2024 2025 2026  old commune (district) -> today's commune
    a1    P    P    P    N    Chà Cang (Nậm Pồ) -> Mường Chà      stayed poor; 2026 to near-poor
    a2    N    N    P    P    Chà Nưa (Nậm Pồ) -> Mường Chà       from near-poor
    a3    X    P    X    X    Nà Hỳ (Nậm Pồ) -> Nà Hỳ             above the near-poor line
    r1    P    X    P    P    Nà Hỳ -> Nà Hỳ                      relapsed (poor in 2023)
    n1    X    X    P    P    Nà Hỳ -> Nà Hỳ                      newly poor
    m1    P    P    P    P    Nà Hỳ -> moves to Mường Chà 2025   other decrease / other increase
    b1    P    P    P    P    Mường Chà town (Mường Chà) -> Na Sang: "Mường Chà" of 2024 is not
                                                                 the commune Mường Chà of 2025
    b2    N    N    N    N    Sá Tổng (Mường Chà) -> Mường Lay (a ward, urban)
    c1    P    P    P    P    Na Lay (Mường Lay) -> Mường Lay     same unit since 2025 as b2
    e1    -    -    P    P    arrives in Nà Hỳ 2025               other increase
    h1    -    -    P    P    Hoa, arrives in Mường Lay 2025      an ethnic minority
    x1    -    -    R    X    Nà Hỳ, listed but not reviewed 2025
    s1    -    -    P    -    Chà Tở: scores only (Điểm A, Điểm B), no indicator columns
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import config
from flows.census_flow import annual_census
from tests.factory import household, write_workbook

YEARS = [2023, 2024, 2025, 2026]
OLD = {  # old commune -> (district, area)
    "Chà Cang": ("Nậm Pồ", "Nông thôn"),
    "Chà Nưa": ("Nậm Pồ", "Nông thôn"),
    "Nà Hỳ": ("Nậm Pồ", "Nông thôn"),
    "Mường Chà": ("Mường Chà", "Thành thị"),
    "Sá Tổng": ("Mường Chà", "Nông thôn"),
    "Na Lay": ("Mường Lay", "Thành thị"),
}
NEW_AREA = {"Mường Chà": "Nông thôn", "Nà Hỳ": "Nông thôn", "Na Sang": "Nông thôn"}
NEW_AREA |= {"Mường Lay": "Thành thị", "Chà Tở": "Nông thôn"}
HISTORY = {
    "a1": ("Chà Cang Chà Cang Mường Chà Mường Chà", "P P P N"),
    "a2": ("Chà Nưa Chà Nưa Mường Chà Mường Chà", "N N P P"),
    "a3": ("Nà Hỳ Nà Hỳ Nà Hỳ Nà Hỳ", "X P X X"),
    "r1": ("Nà Hỳ Nà Hỳ Nà Hỳ Nà Hỳ", "P X P P"),
    "n1": ("Nà Hỳ Nà Hỳ Nà Hỳ Nà Hỳ", "X X P P"),
    "m1": ("Nà Hỳ Nà Hỳ Mường Chà Mường Chà", "P P P P"),
    "b1": ("Mường Chà Mường Chà Na Sang Na Sang", "P P P P"),
    "b2": ("Sá Tổng Sá Tổng Mường Lay Mường Lay", "N N N N"),
    "c1": ("Na Lay Na Lay Mường Lay Mường Lay", "P P P P"),
    "e1": ("- - Nà Hỳ Nà Hỳ", "- - P P"),
    "h1": ("- - Mường Lay Mường Lay", "- - P P"),
    "x1": ("- - Nà Hỳ Nà Hỳ", "- - R X"),
}


def communes_of(places: str) -> list[str]:
    """'Chà Cang Chà Cang Mường Chà Mường Chà' -> the four communes (names have two words)."""
    words = places.split()
    out, i = [], 0
    while i < len(words):
        if words[i] == "-":
            out.append("-")
            i += 1
        else:
            out.append(" ".join(words[i : i + 2]))
            i += 2
    return out


def row(hid: str, year: int, commune: str, status: str) -> dict[str, object]:
    """A household whose income and deprivations give `status` under the year's standard."""
    standard = config.standard_for_year(year)
    district, area = OLD[commune] if year < 2025 else (None, NEW_AREA[commune])
    area_key = "urban" if area == "Thành thị" else "rural"
    line = standard.income_line[area_key]
    deprived = standard.indicator_keys[:3] if status == "P" else []
    income = {"P": line - 100_000, "N": line - 100_000, "X": 2 * line, "R": None}[status]
    if standard.income_floor[area_key] and status == "N":
        income = standard.income_floor[area_key] + 50_000  # Decision 59: above the floor
    r = household(
        int(hid[1:]) + 100 * ord(hid[0]),
        household_id=f"DB-{hid.upper()}",
        district=district,
        commune=commune,
        area=area,
        ethnicity="Hoa" if hid == "h1" else "Thái",
        income_per_capita=income,
    )
    return r | dict.fromkeys(deprived, "x")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, prefect_harness) -> Path:
    root = tmp_path_factory.mktemp("review")
    raw, warehouse = root / "raw", root / "census.duckdb"
    for k, year in enumerate(YEARS):
        units: dict[str, list[dict[str, object]]] = {}
        for hid, (places, statuses) in HISTORY.items():
            commune, status = communes_of(places)[k], statuses.split()[k]
            if commune == "-":
                continue
            unit = OLD[commune][0] if year < 2025 else commune
            units.setdefault(unit, []).append(row(hid, year, commune, status))
        for unit, rows in units.items():
            path = raw / str(year) / f"{unit}.xlsx"
            if year < 2025:
                write_workbook(path, rows, year)
            else:  # no district column; the commune column headed as the new units write it
                write_workbook(
                    path, rows, year, omit=("district",), labels={"commune": "Xã/Phường"}
                )
    scores = household(1, household_id="DB-S1", commune="Chà Tở", income_per_capita=None)
    scores |= {"income_score": 120, "deprivation_score": 30}  # A <= 140, B >= 30: poor
    indicators = tuple(config.standard_for_year(2025).indicator_keys)
    write_workbook(raw / "2025" / "Chà Tở.xlsx", [scores], 2025, omit=("district", *indicators))
    for year in YEARS:
        summary = annual_census(
            year=year, raw_dir=raw, warehouse_path=warehouse, reports_dir=root / "reports"
        )
        assert summary.status == "completed" and summary.rows_rejected == 0, summary
    return warehouse


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_each_review_is_on_its_map_and_under_its_standard(warehouse):
    rows = query(
        warehouse,
        "SELECT year, household_id, reporting_unit, district, commune, current_commune, "
        "standard, status FROM marts.household_status ORDER BY ALL",
    )
    got = {(r[0], r[1]): r[2:] for r in rows}
    # 2024: the district is the reporting unit; "Mường Chà" is the district and its town,
    # which became Na Sang.
    assert got[(2024, "DB-B1")][:4] == ("Mường Chà", "Mường Chà", "Mường Chà", "Na Sang")
    assert got[(2024, "DB-B2")][:4] == ("Mường Chà", "Mường Chà", "Xá Tổng", "Mường Lay")
    # 2025: no district; "Mường Chà" is the new commune made of old Nậm Pồ communes.
    assert got[(2025, "DB-A1")][:4] == ("Mường Chà", None, "Mường Chà", "Mường Chà")
    assert got[(2025, "DB-B1")][:4] == ("Na Sang", None, "Na Sang", "Na Sang")
    standards = {y: s for (y, _), (*_, s, _) in got.items()}
    assert standards == {2023: "2022-2026", 2024: "2022-2026", 2025: "2022-2026"} | {
        2026: "2027-2030"
    }
    assert got[(2025, "DB-X1")][-1] == "not_reviewed"
    assert got[(2025, "DB-S1")][-1] == "poor"
    [(basis, reason)] = query(
        warehouse,
        "SELECT basis, reason FROM marts.household_status WHERE household_id = 'DB-S1'",
    )
    assert basis == "score" and "điểm A 120 ≤ 140" in reason
    [(reason,)] = query(
        warehouse,
        "SELECT reason FROM marts.household_status WHERE year = 2026 AND household_id = 'DB-A1'",
    )
    assert reason.endswith("(chuẩn 2027-2030 tạm tính, chờ xác nhận)")


def test_every_movement_on_todays_communes(warehouse):
    rows = query(
        warehouse,
        "SELECT year, household_id, current_commune, presence, other_commune, previous_status, "
        "status, poverty_movement, near_poverty_movement, crosses_standard_change "
        "FROM marts.transitions WHERE year >= 2024 ORDER BY ALL",
    )
    got = {(r[0], r[1], r[3]): r for r in rows}
    P, N = "poor", "near_poor"
    expected = {
        (2024, "DB-A3", "continuing"): ("not_poor", P, "newly_poor", None),
        (2024, "DB-R1", "continuing"): (P, "not_poor", "above_near_poor", None),
        (2025, "DB-A1", "continuing"): (P, P, "stayed_poor", None),
        (2025, "DB-A2", "continuing"): (N, P, "from_near_poor", "to_poor"),
        (2025, "DB-A3", "continuing"): (P, "not_poor", "above_near_poor", None),
        (2025, "DB-R1", "continuing"): ("not_poor", P, "relapsed", None),
        (2025, "DB-N1", "continuing"): ("not_poor", P, "newly_poor", None),
        (2025, "DB-M1", "left"): (P, None, "other_decrease", None),
        (2025, "DB-M1", "arrived"): (None, P, "other_increase", None),
        (2025, "DB-B1", "continuing"): (P, P, "stayed_poor", None),
        (2025, "DB-B2", "continuing"): (N, N, None, "stayed_near_poor"),
        (2025, "DB-C1", "continuing"): (P, P, "stayed_poor", None),
        (2025, "DB-E1", "arrived"): (None, P, "other_increase", None),
        (2025, "DB-H1", "arrived"): (None, P, "other_increase", None),
        (2025, "DB-X1", "arrived"): (None, "not_reviewed", None, None),
        (2026, "DB-A1", "continuing"): (P, N, "to_near_poor", "from_poor"),
        (2026, "DB-X1", "continuing"): ("not_reviewed", "not_poor", None, None),
        (2026, "DB-S1", "left"): (P, None, "other_decrease", None),
    }
    for key, want in expected.items():
        assert got[key][5:9] == want, key
    assert got[(2025, "DB-M1", "left")][2] == "Nà Hỳ"
    assert got[(2025, "DB-M1", "arrived")][4] == "Nà Hỳ"  # moved from Nà Hỳ
    crossing = {year: flag for year, *_, flag in rows}
    assert crossing == {2024: False, 2025: False, 2026: True}  # 2026: the 2027-2030 standard


def test_the_identity_closes_for_every_commune_and_year(warehouse):
    """end = start - decreases + increases, with start read from last year's statuses (not
    from the transitions), for poverty and near-poverty, on every current commune."""
    rows = query(
        warehouse,
        """
        WITH status AS (
            SELECT year, current_commune,
                   count(*) FILTER (status = 'poor') AS poor,
                   count(*) FILTER (status = 'near_poor') AS near_poor
            FROM marts.household_status GROUP BY ALL
        ),
        moves AS (
            SELECT year, previous_year, current_commune,
                count(*) FILTER (poverty_movement IN
                    ('to_near_poor', 'above_near_poor', 'other_decrease')) AS p_down,
                count(*) FILTER (poverty_movement IN
                    ('from_near_poor', 'relapsed', 'newly_poor', 'other_increase')) AS p_up,
                count(*) FILTER (near_poverty_movement IN
                    ('to_poor', 'above_near_poor', 'other_decrease')) AS n_down,
                count(*) FILTER (near_poverty_movement IN
                    ('from_poor', 'relapsed', 'newly_near_poor', 'other_increase')) AS n_up,
                count(*) FILTER (poverty_movement IS NOT NULL) AS p_any
            FROM marts.transitions WHERE previous_year IS NOT NULL GROUP BY ALL
        )
        SELECT m.year, m.current_commune, coalesce(b.poor, 0), coalesce(n.poor, 0), m.p_down,
               m.p_up, coalesce(b.near_poor, 0), coalesce(n.near_poor, 0), m.n_down, m.n_up,
               m.p_any
        FROM moves AS m
        LEFT JOIN status AS b ON b.year = m.previous_year AND b.current_commune = m.current_commune
        LEFT JOIN status AS n ON n.year = m.year AND n.current_commune = m.current_commune
        """,
    )
    assert {r[1] for r in rows} >= {"Mường Chà", "Nà Hỳ", "Na Sang", "Mường Lay", "Chà Tở"}
    assert sum(r[-1] for r in rows) > 10
    for year, commune, start, end, down, up, n_start, n_end, n_down, n_up, _ in rows:
        assert end == start - down + up, (year, commune)
        assert n_end == n_start - n_down + n_up, (year, commune)


def test_a_series_on_todays_communes_adds_up_to_the_province(warehouse):
    rows = query(
        warehouse,
        """
        SELECT year, scope, sum(households), sum(poor), sum(near_poor)
        FROM marts.poverty_rates WHERE scope IN ('province', 'current_commune')
        GROUP BY ALL ORDER BY ALL
        """,
    )
    by = {(y, s): rest for y, s, *rest in rows}
    for year in YEARS:
        assert by[(year, "current_commune")] == by[(year, "province")], year
    # Mường Lay's series runs unbroken from 2023 (Na Lay and Sá Tổng before the reform).
    series = query(
        warehouse,
        "SELECT year, households, poor FROM marts.poverty_rates "
        "WHERE scope = 'current_commune' AND name = 'Mường Lay' ORDER BY year",
    )
    assert series == [(2023, 2, 1), (2024, 2, 1), (2025, 3, 2), (2026, 3, 2)]
    # The districts exist up to 2024 only.
    years = query(
        warehouse, "SELECT DISTINCT year FROM marts.poverty_rates WHERE scope = 'district'"
    )
    assert sorted(y for (y,) in years) == [2023, 2024]


def test_rates_count_the_not_reviewed_and_the_hoa_as_minority(warehouse):
    [(households, not_reviewed, poor, near, multi, em, em_poor)] = query(
        warehouse,
        "SELECT households, not_reviewed, poor, near_poor, multidimensional_poverty_rate, "
        "ethnic_minority_households, ethnic_minority_poor FROM marts.poverty_rates "
        "WHERE scope = 'province' AND year = 2025",
    )
    # 13 households (x1 not reviewed, counted), 10 poor, 1 near-poor; all ethnic minorities
    # (Thái, and h1 Hoa: every group but Kinh).
    assert (households, not_reviewed, poor, near) == (13, 1, 10, 1)
    assert multi == pytest.approx(100 * 11 / 13)
    assert (em, em_poor) == (13, 10)
    [(provisional,)] = query(
        warehouse,
        "SELECT provisional_standard FROM marts.poverty_rates "
        "WHERE scope = 'province' AND year = 2026",
    )
    assert provisional is True


def test_a_list_of_reviewed_households_with_its_totals_sheet(tmp_path, prefect_harness):
    """A commune sends only the households it reviewed, with the sheet `Tổng số hộ dân cư`:
    the rates count every resident household (those not listed are neither poor nor
    near-poor); the members sheet goes to the private schema for certificates."""
    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    rows = [
        row("p1", 2025, "Nà Hỳ", "P"),
        row("p2", 2025, "Nà Hỳ", "P"),
        row("n1", 2025, "Nà Hỳ", "N"),
    ]
    rows[0] |= {"ethnicity": "Kinh"}
    totals = [
        ["TỔNG SỐ HỘ DÂN CƯ"],
        ["Xã/Phường", "Tổng số hộ dân cư", "Trong đó: hộ dân tộc thiểu số"],
        ["Nà Hỳ", 10, 8],
    ]
    members = [
        ["Mã hộ", "Họ và tên", "Dân tộc", "Quan hệ với chủ hộ", "Năm sinh", "Giới tính"],
        ["DB-P1", "Lò Văn Một", "Kinh", "Chủ hộ", 1980, "Nam"],
        ["DB-P1", "Lò Thị Hai", "Thái", "Vợ", 1985, "Nữ"],
        ["DB-N1", "Lò Văn Ba", "Thái", "Chủ hộ", "năm 90", "Nam"],  # not a year: warned
    ]
    sheets = {"Tổng số hộ dân cư": totals, "Thành viên hộ": members}
    write_workbook(raw / "2025" / "na-hy.xlsx", rows, 2025, omit=("district",), extra_sheets=sheets)
    state = annual_census(year=2025, raw_dir=raw, warehouse_path=warehouse,
                          reports_dir=tmp_path / "r", return_state=True)  # fmt: skip
    assert state.result().status == "completed"
    [rates] = query(
        warehouse,
        "SELECT households, listed_households, not_reviewed, poor, near_poor, poverty_rate, "
        "ethnic_minority_households, ethnic_minority_poor, ethnic_minority_poverty_rate "
        "FROM marts.poverty_rates WHERE scope = 'commune' AND name = 'Nà Hỳ'",
    )
    # 10 residents, 3 listed; 2 poor (one Kinh), 1 near-poor; 8 ethnic-minority households,
    # of them 1 poor.
    assert rates[:5] == (10, 3, 7, 2, 1) and rates[5] == pytest.approx(20.0)
    assert rates[6:8] == (8, 1) and rates[8] == pytest.approx(100 / 8)
    people = query(
        warehouse,
        "SELECT household_id, member_name, relation, birth_year, sex FROM private.members "
        "ORDER BY excel_row",
    )
    assert people == [
        ("DB-P1", "Lò Văn Một", "Chủ hộ", 1980, "Nam"),
        ("DB-P1", "Lò Thị Hai", "Vợ", 1985, "Nữ"),
        ("DB-N1", "Lò Văn Ba", "Chủ hộ", None, "Nam"),
    ]
    assert query(warehouse, "SELECT count(*) FROM audit.rejections WHERE rule_code = 'HW003'") == [
        (1,)
    ]


def test_the_form_counts_close_for_every_unit_of_every_map(warehouse):
    """marts.form_counts (the official forms' source): for every unit of every year's map, and
    within it for every area (the older form's rows by the household's own area), the poor at
    the start (last year's poor households counted on this year's map, computed here from
    marts.household_status) - decreases + increases = the poor at the end. DB-B1 is in old
    Mường Chà (urban) in 2024 and in Na Sang (rural) in 2025: it continues in Na Sang, leaves
    its urban rows and arrives in its rural ones."""
    rows = query(
        warehouse,
        """
        WITH moves AS (
            SELECT year, scope, name, area,
                sum(households) FILTER (category IN ('stayed_poor', 'to_near_poor',
                    'above_near_poor', 'other_decrease')) AS start_by_moves,
                sum(households) FILTER (category IN ('stayed_poor', 'from_near_poor',
                    'relapsed', 'newly_poor', 'other_increase')) AS end_by_moves
            FROM marts.form_counts WHERE measure = 'poverty_movement'
            GROUP BY ALL
        ),
        ends AS (
            SELECT year, scope, name, area, households AS poor FROM marts.form_counts
            WHERE measure = 'status' AND status = 'poor'
        ),
        starts AS (  -- last year's poor households on this year's map, in last year's area
            SELECT s.year + 1 AS year, u.scope,
                CASE u.scope WHEN 'province' THEN 'Điện Biên'
                    WHEN 'commune' THEN CASE WHEN s.year + 1 >= 2025 THEN s.current_commune
                                        ELSE s.commune END
                    ELSE s.district END AS name,
                a.area,
                count(*) AS poor
            FROM marts.household_status AS s
            CROSS JOIN (VALUES ('province'), ('district'), ('commune')) AS u(scope)
            CROSS JOIN (SELECT 'all' UNION ALL SELECT s.area) AS a(area)
            WHERE s.status = 'poor' AND (u.scope <> 'district' OR s.year + 1 < 2025)
            GROUP BY ALL
        )
        SELECT m.year, m.scope, m.name, m.area, coalesce(st.poor, 0),
               coalesce(m.start_by_moves, 0), coalesce(e.poor, 0), coalesce(m.end_by_moves, 0)
        FROM moves AS m
        LEFT JOIN starts AS st USING (year, scope, name, area)
        LEFT JOIN ends AS e USING (year, scope, name, area)
        """,
    )
    scopes = {(y, s) for y, s, *_ in rows}
    assert {(2025, "province"), (2025, "commune"), (2024, "district"), (2024, "commune")} <= scopes
    assert {(2025, "Na Sang", "urban"), (2025, "Na Sang", "rural")} <= {
        (y, n, a) for y, s, n, a, *_ in rows if s == "commune"
    }
    for year, scope, name, area, start, start_by_moves, end, end_by_moves in rows:
        assert (start, end) == (start_by_moves, end_by_moves), (year, scope, name, area)
    na_sang = query(
        warehouse,
        "SELECT area, category, households FROM marts.form_counts WHERE year = 2025 "
        "AND scope = 'commune' AND name = 'Na Sang' AND measure = 'poverty_movement' "
        "ORDER BY ALL",
    )
    assert na_sang == [
        ("all", "stayed_poor", 1),
        ("rural", "other_increase", 1),
        ("urban", "other_decrease", 1),
    ]
    residents = query(
        warehouse,
        "SELECT households FROM marts.form_counts WHERE year = 2025 AND scope = 'province' "
        "AND measure = 'residents' AND area = 'all'",
    )
    assert residents == [(13,)]


def test_the_run_ends_with_tables_an_officer_reads(warehouse, capsys):
    """`census run`'s last screen was English only, communes by code point (Na Sang before
    Nà Hỳ, Chiềng Sinh before Chà Tở): Vietnamese first, communes in dictionary order."""
    from flows.cli import print_tables

    print_tables(warehouse, YEARS)
    out = capsys.readouterr().out
    assert "Toàn tỉnh: tỷ lệ (% số hộ dân cư) theo năm rà soát" in out
    assert "Tỷ lệ hộ nghèo (%) theo huyện (các năm còn cấp huyện)" in out
    assert "Tỷ lệ (%) năm 2026 theo xã hiện nay" in out
    header = next(line for line in out.splitlines() if "Tỷ lệ nghèo" in line)
    assert header.split()[:4] == ["Năm", "Đơn", "vị", "Số"]
    assert "chuẩn mới" in out and "new standard" not in out
    communes = out.split("theo xã hiện nay")[1].splitlines()[2:]
    names = [line[:14].strip() for line in communes if line.strip()][:5]
    assert names == ["Chà Tở", "Mường Chà", "Mường Lay", "Nà Hỳ", "Na Sang"], names
