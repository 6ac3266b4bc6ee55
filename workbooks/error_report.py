"""The district's error workbook: its own rows with each problem highlighted and explained.

`reports/<year>/<district-slug>-loi.xlsx` ("lỗi" = errors) goes back to the district officer,
who fixes the original workbook and sends it again. It holds:
- sheet `Loi` (errors): every row with an error or a warning, as the officer wrote it (all the
  columns of their file, from the text read), sorted by sheet and Excel row; the offending
  cells filled red (error: the row was not loaded) or yellow (warning: loaded, to check); and
  columns with the rule codes and the messages in Vietnamese and English;
- sheet `Tong hop` (summary): one line per rule with its count, then the workbook-level
  findings (unknown columns, totals rows, TCVN3 conversion, ...).

The workbook holds personal data (names, ID numbers) exactly as the officer sent it; the
reports folder is not committed and goes back to the district only. Written with xlsxwriter.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter

from reporting.vietnamese import slug
from schemas.rules import RULES
from workbooks.reader import WorkbookRead

ERROR_SHEET = "Loi"
SUMMARY_SHEET = "Tong hop"
PROBLEM_SEVERITIES = ("error", "warning")
FILL = {"error": "#FFC7CE", "warning": "#FFEB9C"}
SEVERITY_VI = {"error": "Lỗi (không nạp) / error (not loaded)", "warning": "Cảnh báo / warning"}


def district_slug(district: str) -> str:
    """`Mường Nhé` -> `muong-nhe`: only a-z, 0-9 and `-`, so a name can never leave the
    reports folder (no `/`, `..` or drive letters survive `slug`)."""
    return slug(district, default="khong-ro-huyen")


def report_path(reports_dir: Path, year: int, district: str) -> Path:
    path = Path(reports_dir) / str(int(year)) / f"{district_slug(district)}-loi.xlsx"
    if Path(reports_dir).resolve() not in path.resolve().parents:
        raise ValueError(f"report path {path} escapes {reports_dir}")
    return path


def has_problems(rejections: pd.DataFrame) -> bool:
    return bool(rejections["severity"].isin(PROBLEM_SEVERITIES).any())


def write_error_workbook(
    read: WorkbookRead,
    rejections: pd.DataFrame,
    year: int,
    district: str,
    reports_dir: Path,
) -> Path | None:
    """Write the district's error workbook; None (and any stale one removed) when the
    workbook has no error or warning. `rejections` are the audit rows of this workbook
    (sheet, excel_row, column_key, rule_code, severity, rule)."""
    path = report_path(reports_dir, year, district)
    if not has_problems(rejections):
        path.unlink(missing_ok=True)  # a corrected workbook leaves no stale error list
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    row_level = rejections[
        rejections["severity"].isin(PROBLEM_SEVERITIES) & rejections["excel_row"].notna()
    ]
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    try:
        _error_sheet(book, read, row_level)
        _summary_sheet(book, read, rejections, year, district)
    finally:
        book.close()
    return path


def _columns(read: WorkbookRead) -> list[tuple[str, str]]:
    """(column key, header label) in the order of the officer's file; union over sheets."""
    out: dict[str, str] = {}
    for layout in read.layouts:
        letters = layout.column_letters
        for key in sorted(letters, key=lambda k: (len(letters[k]), letters[k])):
            out.setdefault(key, layout.columns.get(key, key.removeprefix("extra:")))
    return list(out.items())


def _error_sheet(book, read: WorkbookRead, findings: pd.DataFrame) -> None:
    ws = book.add_worksheet(ERROR_SHEET)
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    fills = {s: book.add_format({"bg_color": c, "border": 1}) for s, c in FILL.items()}
    columns = _columns(read)
    header = [
        "Trang tính / sheet",
        "Dòng Excel / Excel row",
        *[label for _, label in columns],
        "Mã lỗi / codes",
        "Nội dung / problems",
    ]
    ws.write_row(0, 0, header, bold)
    ws.freeze_panes(1, 2)

    findings = findings.assign(
        excel_row=findings["excel_row"].astype("int64"),
        rank=findings["severity"].map({"error": 0, "warning": 1}),
    )
    sheet_order = {layout.sheet: i for i, layout in enumerate(read.layouts)}
    places = (
        findings[["sheet", "excel_row"]]
        .drop_duplicates()
        .assign(order=lambda f: f["sheet"].map(sheet_order))
        .sort_values(["order", "excel_row"])
    )
    # Grouped once for the whole sheet (a per-row pandas lookup made this the slow part):
    # the officer's cells of each place, each cell's worst severity, each place's rules.
    keys = [key for key, _ in columns]
    cells = (
        read.rows.set_index(["sheet", "excel_row"])
        .reindex(columns=keys)
        .reindex(pd.MultiIndex.from_frame(places[["sheet", "excel_row"]]))
        .astype(object)
        .to_numpy()
    )
    worst = findings.sort_values("rank", kind="stable").drop_duplicates(
        ["sheet", "excel_row", "column_key"]
    )
    fill_of = {
        (sheet, row, key): fills[severity]
        for sheet, row, key, severity in worst[
            ["sheet", "excel_row", "column_key", "severity"]
        ].itertuples(index=False)
    }
    rules = findings.groupby(["sheet", "excel_row"], sort=False).agg(
        codes=("rule_code", lambda c: ", ".join(dict.fromkeys(c))),
        messages=("rule", lambda m: "\n".join(dict.fromkeys(m))),
    )
    for out_row, (sheet, excel_row, texts) in enumerate(
        zip(places["sheet"], places["excel_row"], cells, strict=True), start=1
    ):
        ws.write_string(out_row, 0, str(sheet))
        ws.write_number(out_row, 1, int(excel_row))
        for col, (key, text) in enumerate(zip(keys, texts, strict=True), start=2):
            fill = fill_of.get((sheet, excel_row, key))
            if text is None or pd.isna(text):
                ws.write_blank(out_row, col, None, fill)
            else:
                ws.write_string(out_row, col, str(text), fill)
        codes, messages = rules.loc[(sheet, excel_row)]
        ws.write_string(out_row, len(header) - 2, codes, wrap)
        ws.write_string(out_row, len(header) - 1, messages, wrap)
    ws.set_column(0, 1, 12)
    ws.set_column(2, len(header) - 3, 16)
    ws.set_column(len(header) - 2, len(header) - 2, 14)
    ws.set_column(len(header) - 1, len(header) - 1, 80)
    ws.autofilter(0, 0, len(places), len(header) - 1)


def _summary_sheet(
    book, read: WorkbookRead, rejections: pd.DataFrame, year: int, district: str
) -> None:
    ws = book.add_worksheet(SUMMARY_SHEET)
    bold = book.add_format({"bold": True})
    ws.write_row(0, 0, ["Tệp / file", read.path.name], bold)
    ws.write_row(1, 0, ["Huyện / district", district])
    ws.write_row(2, 0, ["Năm / year", str(year)])
    ws.write_row(3, 0, ["Mã tệp / file hash (SHA-256)", read.file_hash])

    counts = (
        rejections.groupby("rule_code")
        .agg(findings=("rule_code", "size"), rows=("excel_row", "nunique"))
        .reset_index()
    )
    ws.write_row(
        5,
        0,
        [
            "Mã / code",
            "Mức độ / severity",
            "Nội dung",
            "Description",
            "Số lần / count",
            "Số dòng / rows",
        ],
        bold,
    )
    for i, r in enumerate(counts.itertuples(index=False), start=6):
        rule = RULES[r.rule_code]
        ws.write_row(i, 0, [r.rule_code, rule.severity, rule.vi, rule.en])
        ws.write_number(i, 4, int(r.findings))
        ws.write_number(i, 5, int(r.rows))

    workbook_level = rejections[rejections["excel_row"].isna()]
    start = 8 + len(counts)
    ws.write_row(start, 0, ["Ghi chú về tệp / workbook findings"], bold)
    ws.write_row(start + 1, 0, ["Mã / code", "Trang tính / sheet", "Nội dung / detail"], bold)
    for i, r in enumerate(workbook_level.itertuples(index=False), start=start + 2):
        sheet = r.sheet if isinstance(r.sheet, str) else ""
        ws.write_row(i, 0, [r.rule_code, sheet, r.rule])
    ws.set_column(0, 1, 18)
    ws.set_column(2, 3, 50)
