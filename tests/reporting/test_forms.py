"""`census forms`: the official report forms of a review, from a warehouse made by the real flow
(tests/reporting/household_census.py: 2024 on the old map, 2025 and 2026 on the new one),
checked against counts this test makes itself from the households it wrote; opened in
LibreOffice and rendered to pages where those tools are installed."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import duckdb
import openpyxl
import pytest

import config
from flows.cli import main as census
from reporting import check
from reporting.forms import NOT_COLLECTED, forms
from tests.reporting import household_census as hc
from tests.sample_warehouse import build as build_sample
from tests.sample_warehouse import build_reform

FIRST_ROW = 10  # Excel row of a form's first unit (title, header rows and the numbering above)


@pytest.fixture(scope="module")
def written(tmp_path_factory, prefect_harness) -> dict[int, Path]:
    root = tmp_path_factory.mktemp("forms")
    warehouse = hc.build(root)
    out = {}
    for year in hc.YEARS:
        folder = root / "out"
        code = census(["forms", "--year", str(year), "--warehouse", str(warehouse),
                       "--out", str(folder)])  # fmt: skip
        assert code == 0
        out[year] = folder / f"bieu-mau-{year}.xlsx"
    return out


def table(path: Path, sheet: str) -> list[list[object]]:
    """The form's rows under its header, to the first empty row."""
    ws = openpyxl.load_workbook(path)[sheet]
    rows = []
    for row in ws.iter_rows(min_row=FIRST_ROW, values_only=True):
        if row[0] is None and row[1] is None and (len(row) < 3 or row[2] is None):
            break
        rows.append(list(row))
    return rows


def sheet_of(number: str) -> str:
    return next(f.sheet for f in forms() if f.number == number)


def counted(year: int) -> Counter:
    return Counter(h.status[year] for h in hc.households())


def test_every_form_of_the_year_and_the_quality_note(written):
    for year, path in written.items():
        names = openpyxl.load_workbook(path).sheetnames
        expected = [f.sheet for f in forms() if f.applies_to(year)]
        assert names == [*expected, "Chất lượng số liệu"]
        assert "Biểu điều tra (đến 2020)" not in names  # the older form: reviews up to 2020


def test_form_01_totals_equal_the_province_and_units_add_up(written):
    for year, path in written.items():
        rows = table(path, sheet_of("Biểu số 01"))
        province = rows[0]
        assert province[1] == "Toàn tỉnh (*)" or province[1] == "Toàn tỉnh"
        statuses = counted(year)
        households = len(hc.households())
        assert province[2] == households
        assert province[3] == sum(h.size for h in hc.households())
        assert province[4] == statuses["poor"] and province[6] == statuses["near_poor"]
        assert province[5] == pytest.approx(round(100 * statuses["poor"] / households, 2))
        level = "    " if year < 2025 else ""  # communes are indented under their district
        units = [r for r in rows[1:] if not str(r[1]).startswith(level + " ")]
        if year < 2025:
            units = [r for r in rows[1:] if str(r[1]).startswith(("Huyện", "Thành phố", "Thị xã"))]
        for column in (2, 3, 4, 6, 8, 10, 12):
            assert sum(r[column] or 0 for r in units) == province[column], (year, column)


def test_movement_forms_close_on_every_row(written):
    for year in (2025, 2026):
        for number, member in (("Biểu số 02", "poor"), ("Biểu số 03", "near_poor")):
            rows = table(written[year], sheet_of(number))
            assert rows[0][2] == "Hộ" and rows[1][2] == "Nhân khẩu"
            moved = 0
            for r in rows:
                start, d2, d3, d4, i5, i6, i7, i8, end = r[3:12]
                assert end == start - d2 - d3 - d4 + i5 + i6 + i7 + i8, (year, number, r)
                moved += d2 + d3 + d4 + i5 + i6 + i7 + i8
            assert moved > 0
            # The start is last year's end, on this year's map.
            assert rows[0][3] == counted(year - 1)[member]
            assert rows[0][11] == counted(year)[member]


def test_optional_columns_not_in_the_workbooks_say_not_collected(written):
    rows = table(written[2025], sheet_of("Biểu số 08"))
    province = rows[0]
    assert province[3] == counted(2025)["poor"]  # Hộ row: STT, unit, "Hộ", total
    assert NOT_COLLECTED in province  # meritorious, no working capacity: not collected
    causes = table(written[2025], sheet_of("Biểu số 10"))[0]
    assert causes.count(NOT_COLLECTED) == 2 * len(config.poverty_causes())


def test_form_08_other_is_the_households_in_none_of_the_groups(tmp_path_factory, prefect_harness):
    """Form 08's "Khác" was the total less the three groups, as report-forms.md writes it; a
    household in two (ethnic minority and with a meritorious member) made it negative: -447
    poor households for the province in the 2026 sample. It counts the households in none."""
    warehouse = build_reform(tmp_path_factory).warehouse
    out = tmp_path_factory.mktemp("form-08")
    code = census(["forms", "--year", "2026", "--warehouse", str(warehouse), "--out", str(out)])
    assert code == 0
    rows = table(out / "bieu-mau-2026.xlsx", sheet_of("Biểu số 08"))
    none_of = "NOT (coalesce(is_ethnic_minority, false) OR coalesce(meritorious, false) "
    none_of += "OR coalesce(no_working_capacity, false))"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [(other, both)] = con.execute(
            f"SELECT count(*) FILTER (status = 'poor' AND {none_of}), count(*) FILTER (status "
            "= 'poor' AND is_ethnic_minority AND (meritorious OR no_working_capacity)) "
            "FROM marts.household_status WHERE year = 2026"
        ).fetchall()
    assert both > 0  # households in two groups: the total less the three was not this
    assert rows[0][2] == "Hộ" and rows[0][7] == other
    assert all(r[c] >= 0 for r in rows for c in (7, 12) if isinstance(r[c], int | float))


def test_deprivation_forms_use_the_years_indicators_in_order(written):
    for year in (2024, 2026):
        ws = openpyxl.load_workbook(written[year])[sheet_of("Biểu số 04")]
        headers = [c.value for c in ws[FIRST_ROW - 2]][4:]
        names = [i.name_vi for i in config.standard_for_year(year).indicators]
        assert headers == names


def test_numbers_are_numbers_in_vietnamese_notation_and_the_sheet_prints(written):
    ws = openpyxl.load_workbook(written[2025])[sheet_of("Biểu số 01")]
    cell = ws.cell(FIRST_ROW, 3)
    assert isinstance(cell.value, int | float) and cell.number_format.startswith("[$-42A]")
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows == "$7:$9"
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN" in texts
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts
    assert any(t.startswith("Điện Biên, ngày") for t in texts)
    assert "Người lập biểu" in texts and "KT. CHỦ TỊCH" in texts


def test_the_2026_forms_say_the_standard_is_provisional(written):
    ws = openpyxl.load_workbook(written[2026])["Chất lượng số liệu"]
    texts = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "2027-2030" in texts and "tạm tính" in texts
    assert "dự thảo" in texts and "draft" not in texts  # config's provisional_vi, not English


def test_a_movement_form_says_when_the_review_changed_standard(written):
    """2026 is the first review under 2027-2030: forms 02 and 03 say their movements include
    households moved by the change of standard; 2025 (Decree 07 both years) says nothing."""

    def notes(year: int, number: str) -> str:
        ws = openpyxl.load_workbook(written[year])[sheet_of(number)]
        return " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)

    for number in ("Biểu số 02", "Biểu số 03"):
        said = notes(2026, number)
        assert "năm 2025 rà soát theo chuẩn nghèo giai đoạn 2022-2026" in said, number
        assert "năm 2026 theo chuẩn giai đoạn 2027-2030" in said, number
        assert "thay đổi chuẩn nghèo" not in notes(2025, number), number
    assert "thay đổi chuẩn nghèo" not in notes(2026, "Biểu số 01")


def test_the_older_form_for_a_review_up_to_2020(tmp_path_factory, prefect_harness, tmp_path):
    _, warehouse = build_sample(tmp_path_factory)
    assert census(["forms", "--year", "2019", "--warehouse", str(warehouse), "--out",
                   str(tmp_path)]) == 0  # fmt: skip
    rows = table(tmp_path / "bieu-mau-2019.xlsx", "Biểu điều tra (đến 2020)")
    labels = [r[1] for r in rows]
    urban, rural = labels.index("I. Khu vực thành thị"), labels.index("II. Khu vực nông thôn")
    total = next(i for i, label in enumerate(labels) if str(label).startswith("Toàn tỉnh"))
    assert urban < rural < total
    end = 11  # Hộ nghèo cuối năm: số hộ
    assert rows[urban][end] + rows[rural][end] == rows[total][end] > 0
    assert rows[urban][2] + rows[rural][2] == rows[total][2]


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed here "
                    "(make check-report installs it from Debian)")  # fmt: skip
def test_libreoffice_opens_the_forms_and_prints_them_in_vietnamese(written, tmp_path):
    pdf = check.printed(written[2025], tmp_path)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "TỔNG HỢP DIỄN BIẾN HỘ NGHÈO" in text
    poor = counted(2025)["poor"]
    rate = f"{100 * poor / len(hc.households()):.2f}".replace(".", ",")
    assert rate in text  # rates with a comma
    for english in ("poor", "province", "households", "None", "nan"):
        assert f" {english} " not in f" {text} "
    if shutil.which("pdftoppm"):
        from PIL import Image

        page = Image.open(check.pages(pdf, tmp_path / "pages", last=1)[0]).convert("L")
        assert page.width > page.height  # landscape
        assert page.getextrema()[0] < 100  # ink on the page


def test_form_12_the_detailed_lists_go_to_the_officers_folder_only(written):
    path = written[2025].parent / "noi-bo" / "danh-sach-chi-tiet-2025.xlsx"  # inside --out
    assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
    book = openpyxl.load_workbook(path)
    for sheet, status in (("Danh sách hộ nghèo", "poor"), ("Danh sách hộ cận nghèo", "near_poor")):
        heads = [r for r in book[sheet].iter_rows(min_row=8, values_only=True) if r[7] == "Chủ hộ"]
        wanted = {h.household_id for h in hc.households() if h.status[2025] == status}
        assert {r[3] for r in heads} == wanted
    forms_book = openpyxl.load_workbook(written[2025])
    assert "Danh sách hộ nghèo" not in forms_book.sheetnames  # never beside the other forms
