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
from reporting.data import ETHNIC_CHART_MIN_HOUSEHOLDS
from reporting.vietnamese import number
from tests.sample_warehouse import build, build_reform

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
    signature block; landscape, header row repeated; numbers in Vietnamese notation. A4, or
    A3 where A4 would print the text under 6.6 pt: the summary form's 24 columns, fitted to
    A4's width, printed at 5.5 pt."""
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
        paper = 8 if ws.title == "Biểu tổng hợp" else 9  # A3, A4
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == paper
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (1, None)
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


# The 2026 review: the province's communes and wards report straight to it (no district since
# 1 July 2025), and no target of the 2019 plan covers the year.
COMMUNE_YEAR = 2026


@pytest.fixture(scope="module")
def commune_year(tmp_path_factory, prefect_harness):
    warehouse = build_reform(tmp_path_factory).warehouse
    out = tmp_path_factory.mktemp("reports-communes")
    year = str(COMMUNE_YEAR)
    assert census(["report", "--year", year, "--warehouse", str(warehouse), "--out", str(out)]) == 0
    return warehouse, out


def _texts(path) -> list[str]:
    """Every text cell of every sheet of a workbook."""
    wb = openpyxl.load_workbook(path)
    cells = (c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    return [v for v in cells if isinstance(v, str)]


def _chart_words(path) -> str:
    """A chart's title and the words on it (the PNG's Title and Description)."""
    with Image.open(path) as image:
        return f"{image.info['Title']}\n{image.info['Description']}"


def _page_text(path) -> str:
    """The HTML report without its charts' bytes."""
    return re.sub(r'src="data:[^"]*"', "", path.read_text(encoding="utf-8"))


def test_a_commune_year_names_its_units_communes_not_districts(commune_year, reports):
    _, out = commune_year
    book = out / f"bao-cao-ho-ngheo-{COMMUNE_YEAR}.xlsx"
    wb = openpyxl.load_workbook(book)
    units = wb["Theo xã, phường"]
    assert "THEO XÃ, PHƯỜNG" in units["A4"].value and units["A7"].value == "Xã, phường"
    assert not [t for t in _texts(book) if "huyện" in t.lower()]  # no "Huyện nghèo" column
    page = _page_text(out / f"bao-cao-ho-ngheo-{COMMUNE_YEAR}.html")
    assert "<h2>1. Tỷ lệ hộ nghèo theo xã, phường" in page
    assert 'alt="Tỷ lệ hộ nghèo theo xã, phường"' in page
    assert "huyện" not in page.lower()
    for chart in ("districts", "ethnic", "flows"):
        assert "huyện" not in _chart_words(out / f"bieu-do-{chart}-{COMMUNE_YEAR}.png").lower()
    # The trend draws the poor districts' rates of the years they had some, and says so.
    with duckdb.connect(str(commune_year[0]), read_only=True) as con:
        [(last,)] = con.execute(
            "SELECT max(year) FROM marts.poverty_rates WHERE scope = 'poor_districts'"
        ).fetchall()
    trend = _chart_words(out / f"bieu-do-trend-{COMMUNE_YEAR}.png").splitlines()
    assert last < COMMUNE_YEAR
    assert [w for w in trend if "huyện" in w] == [
        f"Tỷ lệ hộ nghèo các huyện nghèo (đến năm {last})"
    ]
    words = _chart_words(out / f"bieu-do-districts-{COMMUNE_YEAR}.png").splitlines()
    assert words[0] == f"Tỷ lệ hộ nghèo theo xã, phường, năm {COMMUNE_YEAR}"  # the title
    assert "Xã, phường" in words  # the axis
    # A year with districts still names districts.
    _, district_out = reports
    district_words = _chart_words(district_out / f"bieu-do-districts-{YEAR}.png").splitlines()
    assert district_words[0].startswith(f"Tỷ lệ hộ nghèo theo huyện, năm {YEAR}")
    assert "Huyện, thị xã, thành phố" in district_words
    page = _page_text(district_out / f"bao-cao-ho-ngheo-{YEAR}.html")
    assert "<h2>1. Tỷ lệ hộ nghèo theo huyện" in page


def test_a_year_no_target_covers_says_which_years_the_targets_cover(commune_year):
    warehouse, out = commune_year
    with duckdb.connect(str(warehouse), read_only=True) as con:
        first, last = con.execute(
            "SELECT min(first_year), max(last_year) FROM ref.targets"
        ).fetchone()
        gaps = con.execute("SELECT count(*) FROM marts.target_gap WHERE year = ?", [COMMUNE_YEAR])
        assert gaps.fetchone() == (0,) and first < last < COMMUNE_YEAR
    said = (
        f"Không có chỉ tiêu nào của kế hoạch giảm nghèo của tỉnh áp dụng cho năm {COMMUNE_YEAR}: "
        f"các chỉ tiêu của kế hoạch chỉ áp dụng cho các năm {first}-{last}."
    )
    targets = openpyxl.load_workbook(out / f"bao-cao-ho-ngheo-{COMMUNE_YEAR}.xlsx")["Chỉ tiêu"]
    assert targets["A7"].value == "Phạm vi" and targets["A8"].value == said  # under the header
    assert "A8:J8" in {str(r) for r in targets.merged_cells.ranges}  # across the table
    page = _page_text(out / f"bao-cao-ho-ngheo-{COMMUNE_YEAR}.html")
    section = page[page.index("<h2>5. ") : page.index("<h2>6. ")]
    assert f'<p class="empty">{said}</p>' in section and "<table" not in section


def test_the_ethnic_chart_shows_every_group_from_its_threshold_and_the_rest_together(
    commune_year, tmp_path
):
    """Every group of at least ETHNIC_CHART_MIN_HOUSEHOLDS households is a bar, the others are
    one bar "Khác"; the bars' households add up to the province's, and the chart says so. The
    sample's 2,319 households scaled to a province's size: its groups as many as the province's
    (the old chart drew 8 of them)."""
    warehouse, _ = commune_year
    copy = tmp_path / "province.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "UPDATE marts.poverty_rates SET households = 20 * households, poor = 20 * poor "
            "WHERE year = ? AND scope IN ('ethnic_group', 'province')",
            [COMMUNE_YEAR],
        )
        groups = dict(
            con.execute(
                "SELECT name, households FROM marts.poverty_rates "
                "WHERE year = ? AND scope = 'ethnic_group'",
                [COMMUNE_YEAR],
            ).fetchall()
        )
        (province,) = con.execute(
            "SELECT households FROM marts.poverty_rates WHERE year = ? AND scope = 'province'",
            [COMMUNE_YEAR],
        ).fetchone()
    year = str(COMMUNE_YEAR)
    assert census(["report", "--year", year, "--warehouse", str(copy), "--out", str(tmp_path)]) == 0
    least = ETHNIC_CHART_MIN_HOUSEHOLDS
    large = {name: n for name, n in groups.items() if n >= least}
    small = [n for n in groups.values() if n < least]
    assert len(large) > 8 and small  # more bars than the old chart drew, and a "Khác"
    html = (tmp_path / f"bao-cao-ho-ngheo-{COMMUNE_YEAR}.html").read_text(encoding="utf-8")
    alt = re.search(r'<img class="chart" id="chart-ethnic" alt="([^"]*)"', html)[1]
    bars = {
        label: int(n.replace(".", ""))
        for label, n in re.findall(r"(?:: |; )([^;:]+?) [\d,]+% \(([\d.]+) hộ\)", alt)
    }
    others = f"Khác ({len(small)} dân tộc)"
    assert bars == large | {others: sum(small)}
    assert sum(bars.values()) == province
    caption = re.search(r'id="chart-ethnic".*?<figcaption>([^<]*)</figcaption>', html)[1]
    assert f"Mỗi dân tộc có từ {least} hộ trở lên một cột" in caption
    assert f"bằng tổng số hộ toàn tỉnh ({number(province)} hộ)" in caption
    words = _chart_words(tmp_path / f"bieu-do-ethnic-{COMMUNE_YEAR}.png")
    assert all(label in words.splitlines() for label in bars)
    assert f"Mỗi dân tộc có từ {least} hộ trở lên một cột" in words
    assert "10 hộ trở lên" not in words  # the old title, which the chart did not keep


def test_the_quality_sheet_counts_skipped_rows_so_every_row_read_is_accounted_for(
    commune_year,
):
    """Per unit: rows read = loaded + rejected + skipped (blank, totals, signature, heading),
    as audit.ingest_files counted them."""
    warehouse, out = commune_year
    ws = openpyxl.load_workbook(out / f"bao-cao-ho-ngheo-{COMMUNE_YEAR}.xlsx")["Chất lượng số liệu"]
    headers = [c.value for c in ws[7]]
    column = {key: headers.index(header) for key, header in QUALITY_HEADERS.items()}
    rows = {}
    for r in ws.iter_rows(min_row=8, values_only=True):
        if isinstance(r[column["read"]], int | float):
            rows[r[0]] = r
    with duckdb.connect(str(warehouse), read_only=True) as con:
        audit = {
            unit: skipped
            for unit, skipped in con.execute(
                "SELECT reporting_unit, rows_blank + rows_totals + rows_signature + rows_heading "
                "FROM audit.ingest_files WHERE year = ? AND status = 'loaded'",
                [COMMUNE_YEAR],
            ).fetchall()
        }
    assert rows and set(rows) == set(audit)
    for unit, r in rows.items():
        assert r[column["skipped"]] == audit[unit] > 0, unit
        assert r[column["read"]] == (
            r[column["loaded"]] + r[column["rejected"]] + r[column["skipped"]]
        ), unit
    # Its header "Số dòng bỏ qua (trống, tổng cộng, chữ ký, tiêu đề)" takes five lines in its
    # column: the row held three and a half, and printed it cut at both ends.
    assert ws.row_dimensions[7].height >= 5 * 14


QUALITY_HEADERS = {
    "read": "Số dòng đọc",
    "loaded": "Số hộ nạp",
    "rejected": "Số dòng bị loại",
    "skipped": "Số dòng bỏ qua (trống, tổng cộng, chữ ký, tiêu đề)",
}
