"""The sample census (sample/) and the workbook writer (workbooks/layout.py)."""

from __future__ import annotations

import re

import duckdb
import numpy as np
import openpyxl
import pandas as pd
import pytest

import config
from reporting import vietnamese
from sample import census, profiles, simulation
from schemas.headers import BASE_LABELS, LEADING_KEYS, TAIL_KEYS
from schemas.rules import INCOME_PLAUSIBLE_MAX_MULTIPLE, INCOME_PLAUSIBLE_MIN_SHARE
from workbooks import layout

SMALL = 3000  # households at end 2018 for the small runs


@pytest.fixture(scope="module")
def small() -> dict[int, pd.DataFrame]:
    return simulation.generate_census(range(2017, 2020), households=SMALL, seed=11)


def classes(df: pd.DataFrame, year: int) -> np.ndarray:
    """Class codes by the pipeline's classifier (transforms.classify)."""
    standard = config.standard_for_year(year)
    return simulation.household_class(
        df["household_id"].to_numpy(),
        (df["area"] == simulation.URBAN_LABEL).to_numpy(),
        df["income_per_capita"].to_numpy(),
        {k: df[k].to_numpy() for k in standard.indicator_keys},
        standard,
    )


def rate(mask: np.ndarray) -> float:
    return float(np.mean(mask) * 100)


# --- generator ---------------------------------------------------------------------------------
def test_same_seed_same_frames():
    a = simulation.generate_census([2018, 2019], households=800, seed=5)
    b = simulation.generate_census([2018, 2019], households=800, seed=5)
    for year in (2018, 2019):
        pd.testing.assert_frame_equal(a[year], b[year])
    other_seed = simulation.generate_census([2018], households=800, seed=6)[2018]
    assert not a[2018].equals(other_seed)


def test_a_year_does_not_depend_on_the_other_years_asked_for():
    alone = simulation.generate_census([2019], households=800, seed=5)[2019]
    with_others = simulation.generate_census(range(2016, 2021), households=800, seed=5)[2019]
    pd.testing.assert_frame_equal(alone, with_others)


def test_columns_types_and_codes(small):
    standard = config.standard_for_year(2018)
    df = small[2018]
    expected = [
        *LEADING_KEYS,
        *standard.indicator_keys,
        *TAIL_KEYS,
    ]
    assert list(df.columns) == expected
    assert df["household_size"].dtype == np.int64
    assert df["income_per_capita"].dtype == np.int64
    for key in [*standard.indicator_keys, "meritorious", "social_protection"]:
        assert df[key].dtype == bool, key
    assert df["household_size"].between(1, 30).all()
    assert (df["income_per_capita"] >= 0).all()

    ids = df["household_id"]
    assert ids.is_unique
    assert ids.str.fullmatch(r"DB-\d{2}-\d{6}").all()
    province = config.load_province()
    # The district number in the id is the district's position in config.
    number = ids.str[3:5].astype(int) - 1
    assert (province.districts["district"].to_numpy()[number] == df["district"].to_numpy()).all()

    communes = province.map(2019).communes
    pairs = set(zip(communes["district"], communes["commune"], strict=True))
    assert set(zip(df["district"], df["commune"], strict=True)) <= pairs
    urban_units = communes.loc[communes["unit_type"].isin(["ward", "town"]), "commune"]
    is_urban = df["commune"].isin(set(urban_units))
    assert (df.loc[is_urban, "area"] == simulation.URBAN_LABEL).all()
    assert (df.loc[~is_urban, "area"] == simulation.RURAL_LABEL).all()
    assert set(df["ethnicity"]) <= set(config.ethnic_groups()["ethnicity"])
    assert set(df["commune_classification"]) <= set(simulation.CLASS_LABELS)
    numbers = df["head_id_number"]
    assert numbers.str.fullmatch(r"(\d{9}|\d{12})?").all()
    assert (numbers != "").mean() > 0.8
    assert (df["note"] == "").mean() > 0.9


def test_size_scales_with_households(small):
    assert abs(len(small[2018]) - SMALL) < SMALL * 0.03
    assert len(small[2017]) < len(small[2018]) < len(small[2019])


# The published figures of ../shared/dien-bien.md: year -> (households, poor %, near-poor %).
PUBLISHED = {
    2018: (127_667, 37.08, 9.78),
    2019: (130_000, 33.05, None),  # "about 130,000"; near-poor "nearly 13,000"
    2021: (None, 34.9, None),
    2023: (None, 25.6, 11.29),
    2024: (None, 21.29, 11.96),
    2025: (143_650, 17.78, 13.05),
}


@pytest.fixture(scope="module")
def full_size() -> dict[int, pd.DataFrame]:
    """The real-size province (frames only: a full year writes in ~10 s, generating them all
    takes about as long)."""
    return simulation.generate_census([*PUBLISHED, 2026])


def test_full_size_matches_the_published_figures(full_size):
    for year, (households, poor, near_poor) in PUBLISHED.items():
        df = full_size[year]
        cls = classes(df, year)
        # The calibration makes each old district's count round(target x n): the province is
        # off by at most half a household per district, under 0.01 points.
        assert rate(cls == simulation.POOR) == pytest.approx(poor, abs=0.02), year
        if near_poor is not None and year >= 2021:  # calibrated too (no income floor)
            assert rate(cls == simulation.NEAR_POOR) == pytest.approx(near_poor, abs=0.02), year
        if households is not None:
            # Sizes are not calibrated year by year: the 2018 total is the reference and the
            # others follow from leaving, splitting and arriving (profiles.LATER_ARRIVALS sized
            # for 2025); 1% holds for every seed tried (they spread by about 0.3%).
            assert abs(len(df) - households) < 0.01 * households, year
    # Under the 2016-2021 standard the near-poor follow from the welfare spread.
    assert 8.5 < rate(classes(full_size[2018], 2018) == simulation.NEAR_POOR) < 11.0  # 9.78%
    assert 8.5 < rate(classes(full_size[2019], 2019) == simulation.NEAR_POOR) < 11.0  # ~10%


def test_full_size_2025_by_area_and_2026_under_the_new_lines(full_size):
    df = full_size[2025]
    under = classes(df, 2025) <= simulation.NEAR_POOR  # poor or near-poor
    urban = (df["area"] == simulation.URBAN_LABEL).to_numpy()
    assert rate(under[urban]) < 8  # published: wards 3.40%
    assert 33 < rate(under[~urban]) < 39  # published: rural communes 35.97%
    cls = classes(full_size[2026], 2026)  # an assumption (profiles.py), above 2025's rates
    assert rate(cls == simulation.POOR) == pytest.approx(
        profiles.POOR_RATE_PATH["dien-bien"][2026], abs=0.02
    )
    assert rate(cls == simulation.NEAR_POOR) == pytest.approx(
        profiles.NEAR_POOR_RATE_PATH["dien-bien"][2026], abs=0.02
    )


def test_incomes_are_plausible_every_year(full_size):
    """No income the audit would question (HW001: under 0.1 x the year's line, over 20 x its
    average-living line): a sample raises warnings only where a real province would."""
    for year, df in full_size.items():
        standard = config.standard_for_year(year)
        urban = (df["area"] == simulation.URBAN_LABEL).to_numpy()
        line = np.where(urban, standard.income_line["urban"], standard.income_line["rural"])
        average = np.where(urban, standard.average_line["urban"], standard.average_line["rural"])
        income = df["income_per_capita"].to_numpy()
        assert (income >= INCOME_PLAUSIBLE_MIN_SHARE * line).all(), year
        assert (income <= INCOME_PLAUSIBLE_MAX_MULTIPLE * average).all(), year
        assert (income % 1000 == 0).all()
        assert np.median(income / line) > 0.9  # the tails are compressed, not the bulk


def test_rates_near_the_published_ones(small):
    poor = {y: rate(classes(df, y) == simulation.POOR) for y, df in small.items()}
    near = {y: rate(classes(df, y) == simulation.NEAR_POOR) for y, df in small.items()}
    assert 39.0 < poor[2017] < 42.0  # about 40%
    assert 36.0 < poor[2018] < 38.2  # 37.08%
    assert 32.0 < poor[2019] < 34.2  # 33.05%
    for year in small:
        assert 6.5 < near[year] < 13.0, year  # 9.78% in 2018, nearly 10% in 2019

    df = small[2018]
    cls = classes(df, 2018)
    minority = df["ethnicity"].map(
        config.ethnic_groups().set_index("ethnicity")["is_ethnic_minority"]
    )
    em_rate = rate(cls[minority.to_numpy()] == simulation.POOR)
    assert 42.0 < em_rate < 51.0  # published 46.28%
    assert rate(minority[cls == simulation.POOR]) > 93  # the poor are nearly all ethnic minority

    by_district = pd.Series(cls == simulation.POOR).groupby(df["district"].to_numpy()).mean() * 100
    assert by_district["Điện Biên Phủ"] < 8
    poor_districts = config.load_province().poor_district_names(2018)
    assert by_district[poor_districts].min() > 35
    in_poor = df["district"].isin(poor_districts).to_numpy()
    assert 49.0 < rate(cls[in_poor] == simulation.POOR) < 56.0  # published 52.09%


def test_ethnic_shares(small):
    share = small[2018]["ethnicity"].value_counts(normalize=True) * 100
    assert 30 < share["Thái"] < 45
    assert 25 < share["Mông"] < 40
    assert 15 < share["Kinh"] < 28
    assert share.index[:3].tolist() == ["Thái", "Mông", "Kinh"]
    assert share.get("Khơ Mú", 0) < 6
    # Kinh live mostly in the city and the towns.
    df = small[2018]
    kinh = df["ethnicity"] == "Kinh"
    assert (df.loc[kinh, "area"] == simulation.URBAN_LABEL).mean() > 0.4
    assert (df.loc[~kinh, "area"] == simulation.URBAN_LABEL).mean() < 0.15


def test_movements_between_years(small):
    a, b = small[2018], small[2019]
    ids_a, ids_b = set(a["household_id"]), set(b["household_id"])
    stayed, left, new = ids_a & ids_b, ids_a - ids_b, ids_b - ids_a
    assert len(stayed) > 0.97 * len(ids_a)
    assert left and new
    # Split households name their parent, which existed the year before.
    notes = b.loc[b["household_id"].isin(new), "note"]
    parents = notes[notes.str.startswith(profiles.SPLIT_NOTE)].str.removeprefix(profiles.SPLIT_NOTE)
    assert len(parents) > 0.3 * len(new)
    assert set(parents) <= ids_a
    # An id is never reused: serials of new households are above last year's in the district.
    max_serial = a.groupby("district")["household_id"].agg(lambda s: s.str[-6:].astype(int).max())
    new_rows = b[b["household_id"].isin(new)]
    assert (
        new_rows["household_id"].str[-6:].astype(int).to_numpy()
        > max_serial.reindex(new_rows["district"]).to_numpy()
    ).all()

    status_a = pd.Series(classes(a, 2018), index=a["household_id"])
    status_b = pd.Series(classes(b, 2019), index=b["household_id"])
    common = sorted(stayed)
    was, now = status_a[common] == simulation.POOR, status_b[common] == simulation.POOR
    escaped, entered = int((was & ~now).sum()), int((~was & now).sum())
    assert escaped > 0 and entered > 0
    assert escaped > 2 * entered  # poverty falls mostly through escapes


def test_commune_classification_mostly_agrees(small):
    df = small[2018]
    truth = np.array(simulation.CLASS_LABELS, dtype=object)[classes(df, 2018)]
    agree = np.mean(df["commune_classification"].to_numpy() == truth)
    assert 0.95 < agree < 1.0


def test_scores_agree_with_income():
    for year in (2018, 2022):
        df = simulation.generate_census([year], households=600, seed=3, with_scores=True)[year]
        standard = config.standard_for_year(year)
        assert df["deprivation_score"].equals(
            df[standard.indicator_keys].sum(axis=1) * standard.points_per_indicator
        )
        urban = (df["area"] == simulation.URBAN_LABEL).to_numpy()
        income = df["income_per_capita"].to_numpy()
        score = df["income_score"].to_numpy()
        for area_mask, area in ((~urban, "rural"), (urban, "urban")):
            line, score_line = standard.income_line[area], standard.score_line[area]
            assert ((income[area_mask] <= line) == (score[area_mask] <= score_line)).all()
            if standard.income_floor[area] is not None:
                floor, score_floor = standard.income_floor[area], standard.score_floor[area]
                assert ((income[area_mask] <= floor) == (score[area_mask] <= score_floor)).all()


def test_later_standard_years_work():
    frames = simulation.generate_census([2021, 2022, 2025], households=1000, seed=2)
    standard = config.standard_for_year(2022)
    assert set(standard.indicator_keys) <= set(frames[2022].columns)
    assert "information_assets" not in frames[2022].columns
    for year in (2022, 2025):
        assert 10 < rate(classes(frames[year], year) == simulation.POOR) < 50


def test_years_outside_the_standards_are_refused():
    with pytest.raises(ValueError):
        simulation.generate_census([2015], households=100)
    with pytest.raises(LookupError):
        simulation.generate_census([2040], households=100)


# --- workbooks ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def district_book(tmp_path_factory, small):
    df = small[2019]
    district = df[df["district"] == "Mường Lay"]
    path = tmp_path_factory.mktemp("books") / "muong-lay.xlsx"
    layout.write_unit_workbook(district, path, 2019)
    return district, openpyxl.load_workbook(path)


def test_workbook_has_a_sheet_per_commune(district_book):
    district, wb = district_book
    communes = list(dict.fromkeys(district["commune"]))
    assert wb.sheetnames == [*communes, layout.INSTRUCTIONS_SHEET]


def test_workbook_header_rows(district_book):
    district, wb = district_book
    standard = config.standard_for_year(2019)
    ws = wb[district["commune"].iloc[0]]
    assert "NĂM 2019" in ws["A1"].value
    assert ws["A1"].value.startswith("DANH SÁCH HỘ GIA ĐÌNH")
    assert "Mường Lay" in ws["A2"].value
    top = [c.value for c in ws[layout.HEADER_ROW]]  # Excel row 5
    second = [c.value for c in ws[layout.HEADER_ROW + 1]]  # Excel row 6
    n_base = len(LEADING_KEYS)
    assert top[:n_base] == [BASE_LABELS[k][0] for k in LEADING_KEYS]
    n_ind = len(standard.indicator_keys)
    assert second[n_base : n_base + n_ind] == [i.name_vi for i in standard.indicators]
    assert top[n_base] == layout.GROUP_HEADER
    assert top[n_base + n_ind :] == [BASE_LABELS[k][0] for k in TAIL_KEYS]

    merged = {str(r) for r in ws.merged_cells.ranges}
    first_ind = openpyxl.utils.get_column_letter(n_base + 1)
    last_ind = openpyxl.utils.get_column_letter(n_base + n_ind)
    assert f"{first_ind}5:{last_ind}5" in merged  # the group header over the indicators
    assert {"A5:A6", "B5:B6", "J5:J6"} <= merged  # base columns merged over both rows


def test_workbook_rows_totals_and_values(district_book):
    district, wb = district_book
    standard = config.standard_for_year(2019)
    for commune, households in district.groupby("commune", sort=False):
        ws = wb[commune]
        rows = list(ws.iter_rows(min_row=7, values_only=True))
        n = len(households)
        data, totals = rows[:n], rows[n]
        assert [r[0] for r in data] == households["household_id"].tolist()
        assert totals[0] == layout.TOTALS_LABEL
        assert totals[1] == n  # household count equals the data rows above
        filled = [v for v in totals if v not in (None, "")]
        assert len(filled) <= 3
        assert [r[9] for r in data] == households["income_per_capita"].tolist()
        numbers = [r[2] or "" for r in data]
        assert numbers == households["head_id_number"].tolist()  # text, leading zeros kept
        for j, key in enumerate(standard.indicator_keys, start=len(LEADING_KEYS)):
            written = [r[j] == layout.FLAG_MARK for r in data]
            assert written == households[key].tolist(), key
            assert all(r[j] in (None, layout.FLAG_MARK) for r in data)
        below = [" ".join(str(v) for v in r if v) for r in rows[n + 1 :]]
        assert any(re.search(r"ngày \.\.\. tháng \.\.\. năm", line) for line in below)
        assert any("Người lập biểu" in line for line in below)


def test_workbook_instructions_sheet(district_book):
    _, wb = district_book
    ws = wb[layout.INSTRUCTIONS_SHEET]
    text = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v)
    assert "Mã hộ" in text and "Nông thôn" in text and "700.000" in text


def test_commune_workbook_of_a_year_without_districts(tmp_path, small):
    """From 2025 the writer writes one commune: one sheet, no district column (even when the
    frame has one), the commune column headed Xã/Phường, titles naming the commune and the
    province; 2026 under the 2027-2030 indicators."""
    old = config.standard_for_year(2019).indicator_keys
    new = config.standard_for_year(2026).indicator_keys
    frame = small[2019][lambda d: d["district"] == "Mường Lay"].drop(columns=old)
    flags = np.random.default_rng(0).random((len(frame), len(new))) < 0.2
    frame = frame.assign(commune="Mường Lay", **dict(zip(new, flags.T, strict=True)))
    path = tmp_path / "muong-lay.xlsx"
    layout.write_unit_workbook(frame, path, 2026)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Mường Lay", layout.INSTRUCTIONS_SHEET]
    ws = wb["Mường Lay"]
    assert ws["A2"].value == "Tỉnh Điện Biên"
    assert ws["A3"].value == "Phường Mường Lay"  # a ward of the new map
    top = [c.value for c in ws[5]]
    second = [c.value for c in ws[6]]
    assert "Huyện" not in top
    assert top[:4] == ["Mã hộ", "Họ và tên chủ hộ", "Số CCCD chủ hộ", layout.COMMUNE_UNIT_LABEL]
    assert [v for v in second if v] == [
        i.name_vi for i in config.standard_for_year(2026).indicators
    ]
    rows = list(ws.iter_rows(min_row=7, max_row=6 + len(frame), values_only=True))
    assert [r[0] for r in rows] == frame["household_id"].tolist()
    assert {r[3] for r in rows} == {"Mường Lay"}
    described = [  # the instructions' table: column letter, header, how to fill it
        r[1]
        for r in wb[layout.INSTRUCTIONS_SHEET].iter_rows(values_only=True)
        if r[0] and re.fullmatch(r"[A-Z]{1,2}", str(r[0]))
    ]
    assert set(described) == {v for v in top + second if v and v != layout.GROUP_HEADER}
    assert "Huyện" not in described
    with pytest.raises(ValueError, match="one commune"):
        layout.write_unit_workbook(small[2019].head(300), tmp_path / "two.xlsx", 2025)


def test_template(tmp_path):
    path = tmp_path / "mau-2022.xlsx"
    layout.write_template(path, 2022)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == layout.TEMPLATE_SHEET
    assert layout.INSTRUCTIONS_SHEET in wb.sheetnames
    assert wb[layout.LISTS_SHEET].sheet_state == "hidden"
    ws = wb[layout.TEMPLATE_SHEET]
    top = [c.value for c in ws[5]]
    second = [c.value for c in ws[6]]
    assert top[0] == "Mã hộ" and layout.GROUP_HEADER in top
    assert "Việc làm" in second  # the 2022-2025 indicators
    assert "Điểm A" in top and "Điểm B" in top
    assert ws.max_row <= 6  # blank: no data rows

    rules = {}
    for dv in ws.data_validations.dataValidation:
        column = str(dv.sqref).split(":")[0].rstrip("0123456789")
        rules[top[openpyxl.utils.column_index_from_string(column) - 1]] = dv
    assert rules["Khu vực"].type == "list"
    assert "Nông thôn" in _list_items(wb, rules["Khu vực"])
    ethnic = _list_items(wb, rules["Dân tộc"])
    assert len(ethnic) == 54 and "Mông" in ethnic
    assert "Điện Biên Phủ" in _list_items(wb, rules["Huyện"])
    assert simulation.POOR_LABEL in _list_items(wb, rules["Phân loại của xã"])
    standard = config.standard_for_year(2022)
    for indicator in standard.indicators:
        column = second.index(indicator.name_vi) + 1
        dv = next(
            d
            for d in ws.data_validations.dataValidation
            if str(d.sqref).startswith(openpyxl.utils.get_column_letter(column) + "7")
        )
        assert dv.formula1 == '"x"'
    assert rules["Số nhân khẩu"].type == "whole"


def test_template_of_a_commune_year(tmp_path):
    """2026: the commune layout (no district column, Xã/Phường, the 45 communes to choose
    from), the 2027-2030 draft indicators, and the instructions say both."""
    path = tmp_path / "mau-2026.xlsx"
    layout.write_template(path, 2026)
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.TEMPLATE_SHEET]
    top = [c.value for c in ws[5]]
    second = [c.value for c in ws[6]]
    assert "Huyện" not in top and layout.COMMUNE_UNIT_LABEL in top
    assert top.index(layout.COMMUNE_UNIT_LABEL) == top.index("Họ và tên chủ hộ") + 2
    standard = config.standard_for_year(2026)
    assert [v for v in second if v] == [i.name_vi for i in standard.indicators]
    assert "Thu gom, xử lý rác thải sinh hoạt" in second
    assert "Phương tiện phục vụ tiếp cận thông tin" not in second
    assert "Tỉnh Điện Biên" in ws["A2"].value and "Huyện" not in ws["A2"].value
    assert ws["A3"].value.startswith("Xã, phường")

    rules = {}
    for dv in ws.data_validations.dataValidation:
        column = str(dv.sqref).split(":")[0].rstrip("0123456789")
        rules[top[openpyxl.utils.column_index_from_string(column) - 1]] = dv
    communes = _list_items(wb, rules[layout.COMMUNE_UNIT_LABEL])
    assert communes == config.load_province().map(2026).communes["commune"].tolist()
    assert len(communes) == 45 and "Mường Chà" in communes and "Chà Cang" not in communes
    lists = [c.value for c in wb[layout.LISTS_SHEET][1]]
    assert "Huyện" not in lists and layout.COMMUNE_UNIT_LABEL in lists

    text = _sheet_text(wb[layout.INSTRUCTIONS_SHEET])
    assert "không còn cấp huyện" in text and "Không có cột Huyện" in text
    assert "2027-2030 đang tạm tính, chờ xác nhận" in text
    assert "2.200.000" in text  # the new rural line
    assert "Nghị định 351/2025/NĐ-CP" in text and "Decree" not in text  # cited in Vietnamese
    assert config.standard_for_year(2026).provisional  # the draft indicators, not yet confirmed


def test_template_of_a_district_year_says_so(tmp_path):
    path = tmp_path / "mau-2024.xlsx"
    layout.write_template(path, 2024)
    wb = openpyxl.load_workbook(path)
    assert "Huyện" in [c.value for c in wb[layout.TEMPLATE_SHEET][5]]
    text = _sheet_text(wb[layout.INSTRUCTIONS_SHEET])
    assert "Mỗi huyện, thị xã, thành phố gửi một tệp" in text
    assert "tạm tính" not in text and "không còn cấp huyện" not in text


def _sheet_text(ws) -> str:
    return " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v)


def _list_items(wb, dv) -> list[str]:
    formula = dv.formula1
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, cells = formula.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[cells.replace("$", "")] for c in row]


def test_write_sample_census(tmp_path):
    paths = census.write_sample_census(tmp_path, [2019], households=300, seed=1)
    districts = config.load_province().districts["district"].tolist()
    assert len(paths) == len(districts)
    assert paths[0] == tmp_path / "2019" / "dien-bien-phu.xlsx"
    assert all(p.exists() for p in paths)
    assert all(re.fullmatch(r"[a-z-]+\.xlsx", p.name) for p in paths)
    assert vietnamese.slug("Điện Biên Đông") == "dien-bien-dong"


# --- census sample --years --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("2019", [2019]),
        ("2017-2019", [2017, 2018, 2019]),
        ("2018,2019,2024-2026", [2018, 2019, 2024, 2025, 2026]),
        ("2025, 2018-2019,2019", [2018, 2019, 2025]),
    ],
)
def test_years_argument(text, years):
    from flows.cli import _years

    assert _years(text) == years


@pytest.mark.parametrize("text", ["", "2019-", "2019-2017", "2018,,2019", "20x9", "2018;2019"])
def test_years_argument_refuses_what_is_not_a_year(text):
    from flows.cli import _years

    with pytest.raises(ValueError, match="--years"):
        _years(text)


# --- each year on its map: 2020's transfer, the 2025 reform, the 2026 standard -----------------
REFORM = [2019, 2020, 2024, 2025, 2026]
MOVED_2020 = ["Nà Tấu", "Nà Nhạn", "Mường Phăng", "Pá Khoang"]  # Điện Biên -> Điện Biên Phủ


@pytest.fixture(scope="module")
def reform() -> dict[int, pd.DataFrame]:
    return simulation.generate_census(REFORM, households=SMALL, seed=11)


def test_each_year_is_on_its_map(reform):
    province = config.load_province()
    for year, df in reform.items():
        units = province.map(year)
        communes = units.communes
        if units.has_districts:
            pairs = set(zip(communes["district"], communes["commune"], strict=True))
            assert set(zip(df["district"], df["commune"], strict=True)) <= pairs, year
        else:
            assert "district" not in df.columns, year
            assert set(df["commune"]) <= set(communes["commune"]), year
        # The area is the unit's on that year's map: wards and towns urban.
        urban = set(communes.loc[communes["unit_type"].isin(["ward", "town"]), "commune"])
        is_urban = df["area"] == simulation.URBAN_LABEL
        assert is_urban.equals(df["commune"].isin(urban)), year
    before, after = reform[2019], reform[2024]
    assert set(before.loc[before["commune"].isin(MOVED_2020), "district"]) == {"Điện Biên"}
    assert set(after.loc[after["commune"].isin(MOVED_2020), "district"]) == {"Điện Biên Phủ"}
    assert set(after["commune"]) >= set(MOVED_2020)
    # Tà Lèng merged into Thanh Minh in 2020: its households are written there.
    ta_leng = before.loc[before["commune"] == "Tà Lèng", "household_id"]
    assert len(ta_leng) > 5
    stayed = reform[2020][reform[2020]["household_id"].isin(ta_leng)]
    assert len(stayed) > 0.9 * len(ta_leng) and set(stayed["commune"]) == {"Thanh Minh"}
    assert "Tà Lèng" not in set(reform[2020]["commune"]) | set(after["commune"])


def test_households_keep_their_ids_across_the_reform(reform):
    old, new = reform[2024], reform[2025]
    became = config.load_province().map(2024).communes
    became = dict(zip(became["commune"], became["current_commune"], strict=True))
    both = old.merge(new, on="household_id", suffixes=("_old", "_new"))
    assert len(both) > 0.97 * len(old)
    # Each household is in the new commune its old commune became.
    assert (both["commune_old"].map(became) == both["commune_new"]).all()
    assert set(both.loc[both["commune_old"] == "Chà Cang", "commune_new"]) == {"Mường Chà"}
    assert set(both.loc[both["commune_old"] == "Mường Chà", "commune_new"]) == {"Na Sang"}


def test_ids_of_new_households_never_collide(reform):
    seen: set[str] = set()
    new_communes = config.load_province().map(2025).communes["commune"].tolist()
    for year, df in reform.items():
        ids = df["household_id"]
        assert ids.is_unique, year
        new = df[~ids.isin(seen)]
        if year <= 2024:
            assert ids.str.fullmatch(r"DB-\d{2}-\d{6}").all(), year
        else:
            # Created from 2025: the new commune's number in three digits, then a serial.
            assert new["household_id"].str.fullmatch(r"DB-\d{3}-\d{6}").all(), year
            number = new["household_id"].str[3:6].astype(int) - 1
            assert (np.array(new_communes)[number] == new["commune"].to_numpy()).all()
            assert len(new) > 0.01 * len(df), year
        seen |= set(ids)
    # From 2020, a new household of a moved commune is numbered by its district then.
    created = reform[2024][~reform[2024]["household_id"].isin(reform[2019]["household_id"])]
    moved = created[created["commune"].isin(MOVED_2020)]
    assert len(moved) and (moved["household_id"].str[3:5] == "01").all()  # Điện Biên Phủ


def test_each_year_carries_its_standards_indicators(reform):
    for year, df in reform.items():
        standard = config.standard_for_year(year)
        leading = [k for k in LEADING_KEYS if year < 2025 or k != "district"]
        assert list(df.columns) == [*leading, *standard.indicator_keys, *TAIL_KEYS], year
    assert "waste_collection" in reform[2026] and "information_means" not in reform[2026]
    assert "information_means" in reform[2025]


@pytest.fixture(scope="module")
def reform_files(tmp_path_factory) -> tuple[dict[int, pd.DataFrame], list]:
    out = tmp_path_factory.mktemp("reform")
    paths = census.write_sample_census(out, [2024, 2025, 2026], households=1200, seed=3)
    frames = simulation.generate_census([2024, 2025, 2026], households=1200, seed=3)
    return frames, paths


def test_district_workbooks_up_to_2024_on_the_2020_map(reform_files):
    frames, paths = reform_files
    districts = config.load_province().map(2024).districts["district"]
    books = {p.name: p for p in paths if p.parent.name == "2024"}
    assert set(books) == {f"{vietnamese.slug(d)}.xlsx" for d in districts}
    city = openpyxl.load_workbook(books["dien-bien-phu.xlsx"], read_only=True)
    assert set(city.sheetnames) >= {*MOVED_2020, "Thanh Minh"}
    assert "Tà Lèng" not in city.sheetnames
    district = openpyxl.load_workbook(books["dien-bien.xlsx"], read_only=True)
    assert not set(district.sheetnames) & set(MOVED_2020)
    ws = city["Nà Tấu"]
    assert "Thành phố Điện Biên Phủ" in ws["A2"].value
    header = [c.value for c in next(ws.iter_rows(min_row=5, max_row=5))]
    assert header[3:5] == ["Huyện", "Xã"]


def test_commune_workbooks_from_2025(reform_files):
    frames, paths = reform_files
    for year in (2025, 2026):
        books = [p for p in paths if p.parent.name == str(year)]
        communes = list(dict.fromkeys(frames[year]["commune"]))
        assert [p.name for p in books] == [f"{vietnamese.slug(c)}.xlsx" for c in communes]
        assert len(books) > 40  # of the 45 (a small sample may leave a commune empty)
        indicators = [i.name_vi for i in config.standard_for_year(year).indicators]
        for path, commune in zip(books, communes, strict=True):
            wb = openpyxl.load_workbook(path, read_only=True)
            assert wb.sheetnames == [commune, layout.INSTRUCTIONS_SHEET], path.name
            ws = wb[commune]
            rows = list(ws.iter_rows(values_only=True))
            assert rows[1][0] == "Tỉnh Điện Biên" and rows[2][0].endswith(commune)
            top, second = rows[4], rows[5]
            assert "Huyện" not in top and top[3] == layout.COMMUNE_UNIT_LABEL, path.name
            assert [v for v in second if v] == indicators, path.name
            households = frames[year][frames[year]["commune"] == commune]
            data = rows[6 : 6 + len(households)]
            assert [r[0] for r in data] == households["household_id"].tolist()
            assert {r[3] for r in data} == {commune}
            wb.close()
    muong_cha = next(p for p in paths if p.parent.name == "2025" and p.name == "muong-cha.xlsx")
    assert openpyxl.load_workbook(muong_cha, read_only=True)["Mường Chà"]["A3"].value == (
        "Xã Mường Chà"
    )


def test_a_sample_run_of_the_flow_writes_no_error_workbook(tmp_path_factory, prefect_harness):
    """District workbooks (2018, 2019, 2024), commune workbooks (2025, 2026 under the 2027-2030
    standard) through the real flow: every row loads, no error or warning, no error workbook;
    the households continue across the reform."""
    from tests.sample_warehouse import build_reform

    sample = build_reform(tmp_path_factory)
    for summary in sample.summaries.values():
        assert summary.status == "completed" and summary.rows_rejected == 0, summary
        assert summary.reports == [], summary.reports
    assert not list(sample.reports.rglob("*.xlsx"))
    warehouse = sample.warehouse
    with duckdb.connect(str(warehouse), read_only=True) as con:
        findings = con.execute(
            "SELECT rule_code, count(*) FROM audit.rejections "
            "WHERE severity IN ('error', 'warning') GROUP BY ALL"
        ).fetchall()
        presence = dict(
            con.execute(
                "SELECT presence, count(*) FROM marts.transitions WHERE year = 2025 GROUP BY ALL"
            ).fetchall()
        )
        units = dict(
            con.execute(
                "SELECT year, count(DISTINCT reporting_unit) FROM core.households GROUP BY ALL"
            ).fetchall()
        )
    assert findings == []
    assert presence["continuing"] > 0.95 * sum(presence.values())
    assert units[2024] == 10 and units[2025] > 40 and units[2026] > 40
