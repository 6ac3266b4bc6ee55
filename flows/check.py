"""`census check FILE...`: an officer's workbook checked against the year's rules before it is
sent or rerun, with no warehouse, no Prefect and no server.

Each file goes through the flow's own per-workbook pipeline (`flows.workbook.process_workbook`:
read, validate, classify) and gets the same error workbook the run would write. What needs the
year's other workbooks is left to the run: HH031 (a household id also in another workbook)
and whether a new version replaces the loaded one.

Exit status: 0 when no row would be rejected, 1 when rows would be rejected or the workbook is
refused (a limit, a password, a missing required column, no valid household), 2 when a file
cannot be read at all.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pandas as pd

import config
from flows.workbook import process_workbook
from reporting.vietnamese import number
from schemas.rules import RULES
from warehouse.writer import UnitLoad
from workbooks.error_report import is_warnings_workbook
from workbooks.error_text import said_vi_en
from workbooks.errors import WorkbookError
from workbooks.reader import SKIPPED_KINDS, workbooks_in

# Codes of a file that cannot be opened as a workbook at all (exit 2); every other
# WorkbookError is a workbook read and refused (exit 1).
UNREADABLE = ("WB001", "WB020", "WB021")


@dataclass
class Outcome:
    path: Path
    code: int  # 0 clean, 1 rows rejected or refused, 2 unreadable
    lines: list[str]
    warnings: bool = False  # rows kept with a warning to look at


def year_of(path: Path, year: int | None) -> int | None:
    """`--year`, else the workbook's folder when it is named as a year (`raw/2026/x.xlsx`)."""
    if year is not None:
        return year
    name = path.resolve().parent.name
    return int(name) if len(name) == 4 and name.isdigit() else None


def check_file(
    path: Path, year: int, province: config.Province, reports_dir: Path | None
) -> Outcome:
    try:
        load = process_workbook(path, year, province, reports_dir=reports_dir)
    except OSError as exc:
        return Outcome(path, 2, [f"  KHÔNG ĐỌC ĐƯỢC / cannot be read: {exc}"])
    except WorkbookError as exc:
        code = 2 if exc.code in UNREADABLE else 1
        what = "KHÔNG ĐỌC ĐƯỢC / cannot be read" if code == 2 else "BỊ TỪ CHỐI / refused"
        detail = str(exc).removeprefix(f"{path.name}: ")  # named on the file's line already
        return Outcome(path, code, [f"  {what}: {said_vi_en(exc.code, detail)}"])
    return summarise(path, load)


def summarise(path: Path, load: UnitLoad) -> Outcome:
    record, findings = load.file_record, load.rejections
    loaded, rejected = int(record["rows_loaded"]), int(record["rows_rejected"])
    skipped = sum(int(record[f"rows_{kind}"]) for kind in SKIPPED_KINDS)
    lines = [
        f"  đơn vị / unit: {load.unit}",
        f"  số dòng đọc / rows read: {number(record['rows_read'])}",
        f"  hộ sẽ được nạp / households that would load: {number(loaded)}",
        f"  dòng bị loại / rows rejected: {number(rejected)}",
        f"  dòng bỏ qua (trống, tổng cộng, chữ ký, tiêu đề) / rows skipped: {number(skipped)}",
    ]
    by_rule = _by_rule(findings)
    for severity, title in (
        ("error", "lỗi (dòng bị loại) / errors (rows rejected)"),
        ("warning", "cảnh báo (dòng vẫn được nạp) / warnings (rows kept)"),
        ("notice", "ghi chú / notices"),
    ):
        rules = by_rule[by_rule["severity"] == severity]
        if rules.empty:
            continue
        lines.append(f"  {title}:")
        for r in rules.itertuples(index=False):
            lines.append(f"    {r.rule_code}  {_place(r)}: {RULES[r.rule_code].message}")
    refused = (findings["severity"] == "error").any() or loaded == 0 or load.refused
    if load.refused:  # the run would keep the unit's loaded version (schemas/replacement.py)
        lines.append(f"  BỊ TỪ CHỐI / refused: WB017 {load.refused}")
    elif loaded == 0:
        lines.append(f"  BỊ TỪ CHỐI / refused: WB006 {RULES['WB006'].message}")
    if load.report and is_warnings_workbook(load.report):  # its rows were kept
        lines.append(f"  tệp cảnh báo / warnings workbook: {load.report}")
    elif load.report:
        lines.append(f"  tệp báo lỗi / error workbook: {load.report}")
    warned = bool((findings["severity"] == "warning").any())
    return Outcome(path, 1 if rejected or refused else 0, lines, warned)


def _place(rule) -> str:
    """Where a rule's findings are: their rows, else the sheets they name, else the file."""
    if rule.rows:
        return f"{number(rule.rows)} dòng / rows"
    if rule.sheets:
        return f"trang tính / sheet {rule.sheets}"
    return "cả tệp / whole workbook"


def _by_rule(findings: pd.DataFrame) -> pd.DataFrame:
    """Per rule code: the rows it concerns (0 for a sheet- or workbook-level finding), and the
    sheets its findings without a row name; most rows first."""
    frame = findings.assign(
        row=findings["sheet"].astype("str") + ":" + findings["excel_row"].astype("str"),
        has_row=findings["excel_row"].notna(),
    )
    counts = (
        frame[frame["has_row"]]
        .groupby(["rule_code", "severity"])["row"]
        .nunique()
        .rename("rows")
        .reset_index()
    )
    sheets = (
        frame[~frame["has_row"] & frame["sheet"].notna()]
        .groupby(["rule_code", "severity"])["sheet"]
        .agg(lambda names: ", ".join(sorted(set(names))))
        .rename("sheets")
        .reset_index()
    )
    codes = frame[["rule_code", "severity"]].drop_duplicates()
    out = codes.merge(counts, how="left", on=["rule_code", "severity"]).fillna({"rows": 0})
    out = out.merge(sheets, how="left", on=["rule_code", "severity"]).fillna({"sheets": ""})
    return out.sort_values(["rows", "rule_code"], ascending=[False, True])


def _files(paths: list[Path], out: TextIO) -> tuple[list[Path], int]:
    """The files given, a folder standing for its workbooks; 2 when a folder holds none (it
    is said), else 0."""
    files, code = [], 0
    for path in map(Path, paths):
        if path.is_dir():
            found = workbooks_in(path)
            if not found:
                none = "không có tệp Excel (.xlsx, .xlsm, .xls) nào / no workbook in the folder"
                print(f"{path}: {none}", file=out)
                code = 2
            files += found
        else:
            files.append(path)
    return files, code


def check(
    paths: list[Path],
    year: int | None,
    province_code: str,
    reports_dir: Path | None,
    out: TextIO | None = None,
) -> int:
    """Check every file (every workbook of a folder given), print its findings; the worst
    exit status of them."""
    out = out or sys.stdout
    province = config.load_province(province_code)
    files, worst = _files(paths, out)
    for path in files:
        file_year = year_of(path, year)
        if file_year is None:
            print(
                f"{path}: không rõ năm rà soát: dùng --year, hoặc đặt tệp trong thư mục năm "
                f"(raw/2026/{path.name}) / no census year: pass --year or put the file in a "
                "folder named by its year",
                file=out,
            )
            worst = 2
            continue
        outcome = check_file(path, file_year, province, reports_dir)
        verdict = {0: "ĐẠT / OK", 1: "CÓ LỖI / has errors", 2: "KHÔNG ĐỌC ĐƯỢC / unreadable"}
        said = verdict[outcome.code]
        if outcome.code == 0 and outcome.warnings:
            said = "ĐẠT, có cảnh báo / OK, with warnings"
        print(f"{path} ({file_year}): {said}", file=out)
        for line in outcome.lines:
            print(line, file=out)
        worst = max(worst, outcome.code)
    return worst
