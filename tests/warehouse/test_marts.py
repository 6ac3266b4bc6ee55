"""The movement, summary-form, disagreement and Alkire–Foster marts on a census small enough to
check by hand: real workbooks (tests/factory.py), the real flow, the real DuckDB file.

Three districts over 2017-2019 (2016-2021 standard, Decision 59/2015/QĐ-TTg):
Mường Nhé (MN) and Nậm Pồ (NP) are rural units, Điện Biên Phủ (DBP) is the urban unit.
Status by year (P poor, N near-poor, A average, X not poor, - absent):

    id   district            2017 2018 2019   what it shows
    H01  MN                   P    P    P     stayed poor; 2019 meritorious, commune says N
    H02  MN                   P    N    N     escaped to near-poor; newly / stayed near-poor
    H03  MN                   P    A    P     escaped above; relapsed (poor by deprivation)
    H04  MN                   X    P    N     newly poor; escaped to near-poor
    H05  MN                   N    P    A     off the near-poor list into poverty; escaped above
    H06  MN                   P    P    -     left as poor
    H07  MN (Kinh)            -    P    P     arrived as poor; 2019 classified by score
    H08  MN -> NP in 2018     P    P    P     moved district (rural to rural)
    H09  MN                   N    A    N     near-poor relapse
    H10  MN (Kinh)            X    X    X     meritorious but not poor
    B01  NP                   N    N    N
    B02  NP                   X    X    X
    U01  DBP (Kinh)           P    X    X     escaped above
    U02  DBP -> MN in 2019    P    N    P     moved urban to rural: a poverty relapse overall
    U03  DBP (Kinh)           X    X    X     commune says P in 2019
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.census_flow import annual_census
from tests.factory import household, write_workbook

YEARS = [2017, 2018, 2019]
DISTRICTS = {
    "MN": ("Mường Nhé", "Sín Thầu", "Nông thôn", "muong-nhe.xlsx"),
    "NP": ("Nậm Pồ", "Nà Hỳ", "Nông thôn", "nam-po.xlsx"),
    "DBP": ("Điện Biên Phủ", "Him Lam", "Thành thị", "dien-bien-phu.xlsx"),
}
# Income per person per month giving each status without deprivations (2016-2021 lines:
# rural poor <= 700,000, near-poor <= 1,000,000, average <= 1,500,000; urban 900,000,
# 1,300,000, 1,950,000). D: poor by deprivation, near-poor income with 3+ deprivations.
INCOME = {
    "Nông thôn": {"P": 600_000, "D": 850_000, "N": 850_000, "A": 1_200_000, "X": 2_000_000},
    "Thành thị": {"P": 800_000, "D": 1_100_000, "N": 1_100_000, "A": 1_600_000, "X": 2_500_000},
}
HISTORY = {
    "H01": ("MN MN MN", "P P P"),
    "H02": ("MN MN MN", "P N N"),
    "H03": ("MN MN MN", "P A D"),
    "H04": ("MN MN MN", "X P N"),
    "H05": ("MN MN MN", "N P A"),
    "H06": ("MN MN -", "P P -"),
    "H07": ("- MN MN", "- P P"),
    "H08": ("MN NP NP", "P P P"),
    "H09": ("MN MN MN", "N A N"),
    "H10": ("MN MN MN", "X X X"),
    "B01": ("NP NP NP", "N N N"),
    "B02": ("NP NP NP", "X X X"),
    "U01": ("DBP DBP DBP", "P X X"),
    "U02": ("DBP DBP MN", "P N P"),
    "U03": ("DBP DBP DBP", "X X X"),
}
KINH = {"H07", "H10", "U01", "U03"}
# 2019 only: deprived indicators (10 indicators in 5 dimensions, AF weight 1/10 each),
# flags, the commune's own classification and scores.
DEPRIVED_2019 = {
    "H01": ["health_insurance", "drinking_water", "latrine", "housing_quality", "telecom"],
    "H02": ["health_insurance", "telecom"],
    "H03": ["health_insurance", "drinking_water", "latrine"],
    "H07": ["adult_education", "child_school_attendance", "health_access", "living_area"],
    "H08": ["health_insurance", "drinking_water", "latrine", "information_assets"],
}
EXTRA_2019 = {
    "H01": {"meritorious": "x", "commune_classification": "Hộ cận nghèo"},
    "H02": {"meritorious": "x", "commune_classification": "Hộ cận nghèo"},
    "H03": {"social_protection": "x"},
    "H05": {"commune_classification": "Hộ không nghèo"},
    "H07": {"income_score": 100, "deprivation_score": 40},  # B1 <= 120: poor by score
    "H10": {"meritorious": "x"},
    "U03": {"commune_classification": "Hộ nghèo"},
}


def census_rows(year: int) -> dict[str, list[dict[str, object]]]:
    """Each district's workbook rows for the year, in HISTORY order."""
    k = YEARS.index(year)
    rows: dict[str, list[dict[str, object]]] = {d: [] for d in DISTRICTS}
    for i, (hid, (places, statuses)) in enumerate(HISTORY.items()):
        place, status = places.split()[k], statuses.split()[k]
        if place == "-":
            continue
        district, commune, area, _ = DISTRICTS[place]
        row = household(
            i,
            household_id=hid,
            district=district,
            commune=commune,
            area=area,
            income_per_capita=INCOME[area][status],
            ethnicity="Kinh" if hid in KINH else "Hà Nhì",
        )
        if year == 2019:
            row |= dict.fromkeys(DEPRIVED_2019.get(hid, []), "x") | EXTRA_2019.get(hid, {})
        rows[place].append(row)
    return rows


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, prefect_harness) -> Path:
    root = tmp_path_factory.mktemp("marts")
    raw, warehouse = root / "raw", root / "census.duckdb"
    for year in YEARS:
        for place, rows in census_rows(year).items():
            write_workbook(raw / str(year) / DISTRICTS[place][3], rows, year)
        summary = annual_census(year=year, raw_dir=raw, warehouse_path=warehouse)
        assert summary.status == "completed" and summary.rows_rejected == 0, summary
    return warehouse


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_the_statuses_are_the_ones_designed(warehouse):
    rows = query(warehouse, "SELECT household_id, year, status FROM marts.household_status")
    got = {(hid, year): status for hid, year, status in rows}
    code = {"poor": "P", "near_poor": "N", "average": "A", "not_poor": "X"}
    for hid, (_, statuses) in HISTORY.items():
        for year, want in zip(YEARS, statuses.replace("D", "P").split(), strict=True):
            assert code.get(got.get((hid, year)), "-") == want, (hid, year)
    assert len(got) == 14 + 15 + 14


def test_transitions_name_every_movement(warehouse):
    rows = query(
        warehouse,
        """
        SELECT year, household_id, district, presence, other_district, previous_status, status,
               poverty_transition, near_poverty_transition
        FROM marts.transitions WHERE year > 2017 ORDER BY ALL
        """,
    )
    moves = {(r[0], r[1], r[3]): r for r in rows}
    P, N = "poor", "near_poor"
    expected = {
        # 2018
        (2018, "H01", "continuing"): ("Mường Nhé", None, P, P, "stayed_poor", None),
        (2018, "H02", "continuing"): ("Mường Nhé", None, P, N, "escaped", "newly_poor"),
        (2018, "H03", "continuing"): ("Mường Nhé", None, P, "average", "escaped", None),
        (2018, "H04", "continuing"): ("Mường Nhé", None, "not_poor", P, "newly_poor", None),
        (2018, "H05", "continuing"): ("Mường Nhé", None, N, P, "newly_poor", "escaped"),
        (2018, "H07", "arrived"): ("Mường Nhé", None, None, P, None, None),
        (2018, "H08", "left"): ("Mường Nhé", "Nậm Pồ", P, None, None, None),
        (2018, "H08", "arrived"): ("Nậm Pồ", "Mường Nhé", None, P, None, None),
        (2018, "H09", "continuing"): ("Mường Nhé", None, N, "average", None, "escaped"),
        (2018, "U01", "continuing"): ("Điện Biên Phủ", None, P, "not_poor", "escaped", None),
        (2018, "U02", "continuing"): ("Điện Biên Phủ", None, P, N, "escaped", "newly_poor"),
        # 2019
        (2019, "H03", "continuing"): ("Mường Nhé", None, "average", P, "relapsed", None),
        (2019, "H04", "continuing"): ("Mường Nhé", None, P, N, "escaped", "newly_poor"),
        (2019, "H05", "continuing"): ("Mường Nhé", None, P, "average", "escaped", None),
        (2019, "H06", "left"): ("Mường Nhé", None, P, None, None, None),
        (2019, "H08", "continuing"): ("Nậm Pồ", None, P, P, "stayed_poor", None),
        (2019, "H09", "continuing"): ("Mường Nhé", None, "average", N, None, "relapsed"),
        (2019, "U02", "left"): ("Điện Biên Phủ", "Mường Nhé", N, None, None, None),
        (2019, "U02", "arrived"): ("Mường Nhé", "Điện Biên Phủ", None, P, None, None),
    }
    for key, want in expected.items():
        assert moves[key][2:3] + moves[key][4:] == want, key
    # One row per household and year, plus the 'left' rows; nothing to compare with in 2017.
    [(first_year_rows, presences)] = query(
        warehouse, "SELECT count(*), count(presence) FROM marts.transitions WHERE year = 2017"
    )
    assert (first_year_rows, presences) == (14, 0)
    assert len(rows) == 15 + 1 + 14 + 2  # 2018: h08 left Mường Nhé; 2019: h06 and u02 left


def district_figures(warehouse: Path) -> list[tuple]:
    """Per later year and district: the end of last year and the start/flows/end of this year,
    for poverty and near-poverty; the start is read from last year's household_status, not
    from the transitions, so the identity is a real check."""
    return query(
        warehouse,
        """
        WITH status AS (
            SELECT year, district,
                   count(*) FILTER (status = 'poor') AS poor,
                   count(*) FILTER (status = 'near_poor') AS near_poor
            FROM marts.household_status GROUP BY ALL
        ),
        flows AS (
            SELECT year, previous_year, district,
                count(*) FILTER (previous_status = 'poor') AS p_start,
                count(*) FILTER (poverty_transition = 'escaped') AS p_escaped,
                count(*) FILTER (poverty_transition = 'relapsed') AS p_relapsed,
                count(*) FILTER (poverty_transition = 'newly_poor') AS p_newly,
                count(*) FILTER (presence = 'arrived' AND status = 'poor') AS p_arrived,
                count(*) FILTER (presence = 'left' AND previous_status = 'poor') AS p_left,
                count(*) FILTER (previous_status = 'near_poor') AS n_start,
                count(*) FILTER (near_poverty_transition = 'escaped') AS n_escaped,
                count(*) FILTER (near_poverty_transition = 'relapsed') AS n_relapsed,
                count(*) FILTER (near_poverty_transition = 'newly_poor') AS n_newly,
                count(*) FILTER (presence = 'arrived' AND status = 'near_poor') AS n_arrived,
                count(*) FILTER (presence = 'left' AND previous_status = 'near_poor') AS n_left
            FROM marts.transitions WHERE previous_year IS NOT NULL GROUP BY ALL
        )
        SELECT f.year, f.district, coalesce(before.poor, 0), coalesce(now.poor, 0),
               f.p_start, f.p_escaped, f.p_relapsed, f.p_newly, f.p_arrived, f.p_left,
               coalesce(before.near_poor, 0), coalesce(now.near_poor, 0),
               f.n_start, f.n_escaped, f.n_relapsed, f.n_newly, f.n_arrived, f.n_left
        FROM flows AS f
        LEFT JOIN status AS before ON before.year = f.previous_year AND before.district = f.district
        LEFT JOIN status AS now ON now.year = f.year AND now.district = f.district
        ORDER BY f.year, f.district
        """,
    )


def assert_identity_closes(rows: list[tuple]) -> int:
    """end = start - escaped + relapsed + newly + arrived - left, with start = last year's end;
    returns the number of movements seen (so a caller can check it is not trivially zero)."""
    seen = 0
    for year, district, *figures in rows:
        for block in (figures[:8], figures[8:]):
            before, end, start, escaped, relapsed, newly, arrived, left = block
            assert start == before, (year, district, block)
            assert end == start - escaped + relapsed + newly + arrived - left, (
                year,
                district,
                block,
            )
            seen += escaped + relapsed + newly + arrived + left
    return seen


def test_identity_closes_for_every_district_including_moves(warehouse):
    rows = district_figures(warehouse)
    assert [(r[0], r[1]) for r in rows] == [
        (y, d) for y in (2018, 2019) for d in ("Mường Nhé", "Nậm Pồ", "Điện Biên Phủ")
    ]
    assert assert_identity_closes(rows) > 0
    by_key = {(r[0], r[1]): r[2:] for r in rows}
    # Mường Nhé 2019, poor: 5 - 2 (h04, h05) + 1 (h03) + 0 + 1 (u02 moved in) - 1 (h06) = 4;
    # near-poor: 1 (h02) - 0 + 1 (h09) + 1 (h04) + 0 - 0 = 3.
    assert by_key[(2019, "Mường Nhé")] == (5, 4, 5, 2, 1, 0, 1, 1, 1, 3, 1, 0, 1, 1, 0, 0)
    # Điện Biên Phủ 2019: u02 left as near-poor.
    assert by_key[(2019, "Điện Biên Phủ")] == (0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1)
    # Nậm Pồ 2018: h08 arrives poor from Mường Nhé.
    assert by_key[(2018, "Nậm Pồ")] == (0, 1, 0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0)


def test_summary_form_2019(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        form = con.execute("SELECT * FROM marts.summary_form WHERE year = 2019").df()
    form = form.set_index("unit_group")
    assert list(form.index) == ["urban", "rural", "total"]
    assert list(form["districts"]["urban"]) == ["Điện Biên Phủ"]
    expected = {
        # households, start; poor: start, start EM, escaped, to near, above, relapsed, newly,
        # arrived, left, end, end EM, meritorious, social protection, income-poor, deprivation
        "urban": (2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        # u02 arrives poor from the city: 6 - 2 + 1 + 0 + 1 - 1 = 5.
        "rural": (12, 12, 6, 5, 2, 1, 1, 1, 0, 1, 1, 5, 4, 1, 1, 4, 1),
        # u02 is a continuing household of the province: a relapse, 6 - 2 + 2 + 0 + 0 - 1 = 5.
        "total": (14, 15, 6, 5, 2, 1, 1, 2, 0, 0, 1, 5, 4, 1, 1, 4, 1),
    }
    columns = [
        "households",
        "households_start",
        "poor_start",
        "poor_start_ethnic_minority",
        "poor_escaped",
        "poor_escaped_to_near_poor",
        "poor_escaped_above",
        "poor_relapsed",
        "poor_newly",
        "poor_arrived",
        "poor_left",
        "poor_end",
        "poor_end_ethnic_minority",
        "poor_meritorious",
        "poor_social_protection",
        "poor_end_income",
        "poor_end_deprivation",
    ]
    for group, want in expected.items():
        assert tuple(int(form.at[group, c]) for c in columns) == want, group
    near = [
        "near_poor_start",
        "near_poor_escaped",
        "near_poor_escaped_to_poor",
        "near_poor_relapsed",
        "near_poor_newly",
        "near_poor_arrived",
        "near_poor_left",
        "near_poor_end",
        "near_poor_end_ethnic_minority",
        "near_poor_meritorious",
    ]
    # rural: 2 (h02, b01) - 0 + 1 (h09) + 1 (h04) = 4; urban: u02 left near-poor;
    # total: 3 (h02, b01, u02) - 1 (u02, down into poverty) + 1 + 1 = 4.
    assert tuple(int(form.at["rural", c]) for c in near) == (2, 0, 0, 1, 1, 0, 0, 4, 4, 1)
    assert tuple(int(form.at["total", c]) for c in near) == (3, 1, 1, 1, 1, 0, 0, 4, 4, 1)
    assert tuple(int(form.at["urban", c]) for c in near) == (1, 0, 0, 0, 0, 0, 1, 0, 0, 0)

    total = form.loc["total"]
    assert total["poor_escaped_pct"] == pytest.approx(100 * 2 / 6)
    assert total["poor_relapsed_pct"] == pytest.approx(100 * 2 / 6)
    assert total["poor_newly_pct"] == 0
    assert total["poor_rate"] == pytest.approx(100 * 5 / 14)
    # 10 ethnic-minority households (all but the four Kinh), 4 of them poor (h01 h03 h08 u02).
    assert total["ethnic_minority_households"] == 10
    assert total["poor_end_ethnic_minority_rate"] == pytest.approx(100 * 4 / 10)
    assert total["poor_end_ethnic_minority_share"] == pytest.approx(100 * 4 / 5)
    assert total["near_poor_rate"] == pytest.approx(100 * 4 / 14)
    assert total["near_poor_escaped_pct"] == pytest.approx(100 * 1 / 3)
    # No ethnic-minority household left in the city: the rate has no base.
    assert form.at["urban", "ethnic_minority_households"] == 0
    assert form["poor_end_ethnic_minority_rate"].isna()["urban"]


def test_summary_form_identity_and_first_year(warehouse):
    rows = query(
        warehouse,
        """
        SELECT year, unit_group, poor_start, poor_escaped, poor_relapsed, poor_newly,
               poor_arrived, poor_left, poor_end, near_poor_start, near_poor_escaped,
               near_poor_relapsed, near_poor_newly, near_poor_arrived, near_poor_left,
               near_poor_end, households
        FROM marts.summary_form ORDER BY year, row_order
        """,
    )
    assert [(r[0], r[1]) for r in rows] == [
        (y, g) for y in YEARS for g in ("urban", "rural", "total")
    ]
    for r in rows:
        if r[0] == 2017:  # nothing to compare with: start and movements are null
            assert r[2:8] == (None,) * 6 and r[9:15] == (None,) * 6
            continue
        start, escaped, relapsed, newly, arrived, left, end = r[2:9]
        assert end == start - escaped + relapsed + newly + arrived - left, r
        start, escaped, relapsed, newly, arrived, left, end = r[9:16]
        assert end == start - escaped + relapsed + newly + arrived - left, r
    assert [r[16] for r in rows if r[1] == "total"] == [14, 15, 14]


def test_target_gap_counts_province_movements(warehouse):
    """The plan's relapse and new-poverty counts are the province's: u02's relapse counts
    although it moved district, as in the summary form's total row."""
    rows = query(
        warehouse,
        """
        SELECT g.indicator, g.actual, f.poor_relapsed, f.poor_newly
        FROM marts.target_gap AS g
        JOIN marts.summary_form AS f ON f.year = g.year AND f.unit_group = 'total'
        WHERE g.year = 2019 AND g.indicator IN ('relapsed_households', 'newly_poor_households')
        ORDER BY g.indicator
        """,
    )
    assert rows == [("newly_poor_households", 0, 2, 0), ("relapsed_households", 2, 2, 0)]


def test_a_cut_a_year_is_never_measured_across_a_missing_year(tmp_path, prefect_harness):
    """The plan's cut is points a year: with 2019 not loaded, 2020's cut is unknown (null), not
    the two years' fall from 2018 counted as one year's."""
    for year, income in ((2018, 650_000), (2020, 1_500_000)):
        rows = [household(i, income_per_capita=income) for i in range(1, 5)]
        write_workbook(tmp_path / "raw" / str(year) / "muong-nhe.xlsx", rows, year)
        annual_census(year=year, raw_dir=tmp_path / "raw", warehouse_path=tmp_path / "w.duckdb")
    rows = query(
        tmp_path / "w.duckdb",
        "SELECT scope, actual FROM marts.target_gap "
        "WHERE year = 2020 AND indicator = 'poverty_rate_cut' ORDER BY scope, name",
    )
    assert rows and all(actual is None for _, actual in rows), rows
    [(previous, change)] = query(
        tmp_path / "w.duckdb",
        "SELECT previous_year, poverty_rate_change FROM marts.poverty_rates "
        "WHERE year = 2020 AND scope = 'province'",
    )
    assert (previous, change) == (2018, -100.0)  # the mart's change says from which year


def test_disagreements_point_to_the_row(warehouse):
    rows = query(
        warehouse,
        """
        SELECT year, household_id, district, commune, source_file, sheet, excel_row,
               commune_classification, computed_status, changes_poverty_lists, reason
        FROM marts.classification_disagreements ORDER BY household_id
        """,
    )
    # Rows of the Mường Nhé 2019 workbook start at Excel row 4 (title, blank, header): h01 is
    # its first row, h05 its fifth; u03 is the second row of the city's workbook.
    assert [r[:10] for r in rows] == [
        (2019, "H01", "Mường Nhé", "Sín Thầu", "muong-nhe.xlsx", "Danh sách", 4)
        + ("near_poor", "poor", True),
        (2019, "H05", "Mường Nhé", "Sín Thầu", "muong-nhe.xlsx", "Danh sách", 8)
        + ("not_poor", "average", False),
        (2019, "U03", "Điện Biên Phủ", "Him Lam", "dien-bien-phu.xlsx", "Danh sách", 5)
        + ("poor", "not_poor", True),
    ]
    assert rows[0][10].endswith("→ hộ nghèo")
    # Nothing is overwritten: the computed status stays in household_status.
    [(status,)] = query(
        warehouse,
        "SELECT status FROM marts.household_status WHERE year = 2019 AND household_id = 'U03'",
    )
    assert status == "not_poor"


def af_rows(warehouse: Path, year: int, scope: str, name: str) -> dict[str, tuple]:
    rows = query(
        warehouse,
        """
        SELECT indicator, households, af_poor_households, headcount_ratio, intensity, m0,
               weight, deprived_households, censored_deprived_households,
               censored_headcount_ratio, contribution_pct
        FROM marts.multidimensional_index WHERE year = ? AND scope = ? AND name = ?
        """,
        [year, scope, name],
    )
    return {r[0]: r[1:] for r in rows}


def test_alkire_foster_by_hand(warehouse):
    # 2019, 10 indicators, weight 1/10 each, k = 1/3 (4 deprivations or more).
    # Scores: h01 0.5, h07 0.4 (scored household), h08 0.4 -> AF-poor; h03 0.3 and h02 0.2
    # are not (h03 is poor under the Vietnamese rule: the measures differ).
    province = af_rows(warehouse, 2019, "province", "Điện Biên")
    assert len(province) == 10
    n, q, h, a, m0 = province["health_insurance"][:5]
    assert (n, q) == (14, 3)
    assert h == pytest.approx(3 / 14)
    assert a == pytest.approx((0.5 + 0.4 + 0.4) / 3)
    assert m0 == pytest.approx(1.3 / 14) and m0 == pytest.approx(h * a)
    # health insurance: deprived h01 h02 h03 h08, among the AF-poor h01 h08.
    assert province["health_insurance"][5:] == (
        pytest.approx(0.1),
        4,
        2,
        pytest.approx(2 / 14),
        pytest.approx(100 * 0.1 * 2 / 1.3),
    )
    assert province["telecom"][6:8] == (2, 1)  # h02 not AF-poor: censored out
    assert province["adult_education"][7] == 1  # h07, deprivations of a scored household
    assert sum(r[9] for r in province.values()) == pytest.approx(100)
    assert sum(r[5] * r[8] for r in province.values()) == pytest.approx(m0)

    nam_po = af_rows(warehouse, 2019, "district", "Nậm Pồ")["latrine"]
    assert nam_po[:5] == (3, 1, pytest.approx(1 / 3), pytest.approx(0.4), pytest.approx(0.4 / 3))
    city = af_rows(warehouse, 2019, "district", "Điện Biên Phủ")["latrine"]
    assert city[:5] == (2, 0, 0, None, 0) and city[9] is None
    kinh = af_rows(warehouse, 2019, "ethnic_group", "Kinh")["living_area"]
    assert kinh[:5] == (4, 1, 0.25, pytest.approx(0.4), pytest.approx(0.1))
    assert kinh[9] == pytest.approx(25)

    scopes = query(
        warehouse,
        "SELECT scope, count(DISTINCT (year, name)), count(*) FILTER (name IS NULL) "
        "FROM marts.multidimensional_index GROUP BY scope ORDER BY scope",
    )
    # every year: the province, 3 districts, 3 of today's communes, 2 ethnic groups
    assert scopes == [
        ("current_commune", 3 * 3, 0),
        ("district", 3 * 3, 0),
        ("ethnic_group", 3 * 2, 0),
        ("province", 3, 0),
    ]


@pytest.fixture(scope="module")
def sample(tmp_path_factory, prefect_harness) -> Path:
    """The shared 3-year sample census (tests/sample_warehouse.py, built once)."""
    sample_warehouse = pytest.importorskip("tests.sample_warehouse")
    return sample_warehouse.build(tmp_path_factory)[1]


def test_identity_closes_for_every_district_of_the_sample_census(sample):
    rows = district_figures(sample)
    assert len(rows) == 2 * 10  # 2018 and 2019, ten districts
    assert assert_identity_closes(rows) > 100


def test_summary_form_of_the_sample_census_adds_up(sample):
    rows = query(
        sample,
        """
        SELECT f.year, f.unit_group, f.poor_start, f.poor_escaped, f.poor_relapsed,
               f.poor_newly, f.poor_arrived, f.poor_left, f.poor_end, f.near_poor_start,
               f.near_poor_escaped, f.near_poor_relapsed, f.near_poor_newly,
               f.near_poor_arrived, f.near_poor_left, f.near_poor_end,
               f.poor_escaped_to_near_poor + f.poor_escaped_above - f.poor_escaped,
               f.households, f.poor_rate, r.households, r.poor, r.poverty_rate, prev.poor
        FROM marts.summary_form AS f
        LEFT JOIN marts.poverty_rates AS r
            ON r.year = f.year AND r.scope = 'province' AND f.unit_group = 'total'
        LEFT JOIN marts.poverty_rates AS prev
            ON prev.year = f.previous_year AND prev.scope = 'province' AND f.unit_group = 'total'
        WHERE f.previous_year IS NOT NULL
        ORDER BY f.year, f.row_order
        """,
    )
    assert len(rows) == 2 * 3
    for r in rows:
        for start, escaped, relapsed, newly, arrived, left, end in (r[2:9], r[9:16]):
            assert end == start - escaped + relapsed + newly + arrived - left, r
        assert r[16] == 0  # the escaped split adds up
        if r[1] == "total":  # the total row is the province of marts.poverty_rates
            assert (r[17], r[8], r[18]) == (r[19], r[20], pytest.approx(r[21]))
            assert r[2] == r[22]
            assert r[3] + r[4] + r[5] > 0
