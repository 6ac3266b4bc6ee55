"""`census report --year Y`: the Excel workbook, the HTML report and the slide charts."""

from __future__ import annotations

import re
import shutil

import duckdb
import openpyxl
import pytest
from PIL import Image

from flows.cli import main as census
from reporting.check import check_report, chromium
from tests.sample_warehouse import build

YEAR = 2019
HOSTILE = '=HYPERLINK("http://x.invalid","click")'


@pytest.fixture(scope="module")
def reports(tmp_path_factory, prefect_harness):
    _, warehouse = build(tmp_path_factory)
    out = tmp_path_factory.mktemp("reports")
    assert (
        census(["report", "--year", str(YEAR), "--warehouse", str(warehouse), "--out", str(out)])
        == 0
    )
    return warehouse, out


def test_excel_report_sheets_are_official_and_printable(reports):
    """Each sheet: the issuing body and the motto, a title with the year, the table, the
    signature block; A4 landscape, header row repeated; numbers in Vietnamese notation."""
    warehouse, out = reports
    wb = openpyxl.load_workbook(out / f"bao-cao-ho-ngheo-{YEAR}.xlsx")
    assert wb.sheetnames == [
        "Biểu tổng hợp",
        "Theo huyện",
        "Theo dân tộc",
        "Chỉ tiêu",
        "Chất lượng số liệu",
    ]
    for ws in wb.worksheets:
        assert ws["A1"].value == "ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN"
        assert str(YEAR) in ws["A4"].value  # Vietnamese title with the year
        assert ws.freeze_panes == "C8"  # header (row 7) and the first columns frozen
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.print_title_rows == "$7:$7"
        texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts and "Người lập biểu" in texts
        assert any(t.startswith("Điện Biên, ngày") for t in texts)
    form = wb["Biểu tổng hợp"]
    assert [form.cell(r, 1).value for r in (8, 9, 10)] == [
        "I. Khu vực thành thị",  # by the household's own area, not its district's type
        "II. Khu vực nông thôn",
        "Toàn tỉnh",
    ]
    headers = [c.value for c in form[7]]
    assert "Hộ cận nghèo cuối năm" in headers  # the near-poor block joined the form
    assert form["B10"].number_format == "[$-42A]#,##0"
    assert form["N10"].number_format == "[$-42A]0.00"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        households, rate = con.execute(
            "SELECT households, poverty_rate FROM marts.poverty_rates "
            "WHERE year = ? AND scope = 'province'",
            [YEAR],
        ).fetchone()
    assert form["B10"].value == households
    assert form["N10"].value == pytest.approx(rate)
    districts = wb["Theo huyện"]
    names = [districts.cell(r, 1).value for r in range(8, 18)]
    assert len(names) == 10 and any(n.startswith("Mường Nhé") for n in names)
    targets = wb["Chỉ tiêu"]
    sources = [targets.cell(r, 10).value for r in range(8, targets.max_row + 1)]
    assert any(s and s.startswith("Kế hoạch năm 2019") for s in sources)
    assert not any(s and "plan" in s for s in sources)  # no English


def test_text_starting_like_a_formula_stays_text(reports, tmp_path):
    """An ethnic group or district name that starts with = + - @ is written as text."""
    warehouse, _ = reports
    copy = tmp_path / "hostile.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "UPDATE marts.poverty_rates SET name = ? "
            "WHERE scope = 'ethnic_group' AND name = 'Kinh'",
            [HOSTILE],
        )
        con.execute(
            "UPDATE marts.poverty_rates SET name = '+84 Mường Nhé' WHERE name = 'Mường Nhé'"
        )
    assert (
        census(["report", "--year", str(YEAR), "--warehouse", str(copy), "--out", str(tmp_path)])
        == 0
    )
    wb = openpyxl.load_workbook(tmp_path / f"bao-cao-ho-ngheo-{YEAR}.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    hostile = [c for c in cells if c.value in (HOSTILE, "+84 Mường Nhé")]
    assert {c.value for c in hostile} == {HOSTILE, "+84 Mường Nhé"}
    assert all(c.data_type == "s" for c in hostile)
    assert not [c for c in cells if c.data_type == "f"]
    html = (tmp_path / f"bao-cao-ho-ngheo-{YEAR}.html").read_text(encoding="utf-8")
    assert "<td>+84 Mường Nhé</td>" in html  # escaped into a cell, nothing more


def test_html_is_self_contained_with_every_chart(reports):
    _, out = reports
    html = (out / f"bao-cao-ho-ngheo-{YEAR}.html").read_text(encoding="utf-8")
    images = re.findall(r'<img class="chart" id="chart-(\w+)"[^>]*src="([^"]+)"', html)
    assert [name for name, _ in images] == ["districts", "trend", "ethnic", "flows"]
    assert all(src.startswith("data:image/png;base64,") for _, src in images)
    # Nothing is fetched from elsewhere: no src/href pointing outside the file.
    assert not re.findall(r'(?:src|href)="(?!data:|#)', html)
    assert "<td>Mường Nhé</td>" in html  # Vietnamese text survives
    assert 'lang="vi"' in html and 'charset="utf-8"' in html


def test_charts_are_saved_as_png_for_slides(reports):
    _, out = reports
    for name in ("districts", "trend", "ethnic", "flows"):
        with Image.open(out / f"bieu-do-{name}-{YEAR}.png") as image:
            assert image.format == "PNG" and image.width > 600
            assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 16


def test_a_year_not_in_the_warehouse_is_refused(reports, tmp_path):
    warehouse, _ = reports
    with pytest.raises(LookupError, match="no census year 2030"):
        census(["report", "--year", "2030", "--warehouse", str(warehouse), "--out", str(tmp_path)])


@pytest.mark.skipif(
    chromium() is None,
    reason="chromium is not installed here (make check-report installs it from Debian)",
)
def test_report_renders_in_headless_chromium(reports, tmp_path):
    _, out = reports
    shot = tmp_path / "report.png"
    decoded, total, colours = check_report(out / f"bao-cao-ho-ngheo-{YEAR}.html", shot)
    assert (decoded, total) == (4, 4)
    assert colours > 16 and shot.stat().st_size > 10_000
