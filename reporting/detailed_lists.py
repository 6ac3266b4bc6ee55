"""Form 12 of the national family (shared/report-forms.md): the detailed lists of the poor and
the near-poor households of a review, one line per household and a line per member, with how
each came onto the list, whether it has a meritorious member and whether it has no working
capacity. Personal data: written under the officers' own folder only (reports/<year>/noi-bo),
never beside the other forms.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import xlsxwriter

import config
from reporting import household_lists
from reporting import official_sheet as paper
from reporting import vietnamese as vi

SHEETS = {"poor": "Danh sách hộ nghèo", "near_poor": "Danh sách hộ cận nghèo"}
COLUMNS = (
    ("STT", 5),
    ("Xã, phường", 18),
    ("Thôn, bản", 16),
    ("Mã hộ", 14),
    ("Họ và tên", 26),
    ("Năm sinh", 8),
    ("Dân tộc", 10),
    ("Quan hệ với chủ hộ", 12),
    ("Diễn biến so với năm trước", 20),
    ("Có người có công", 10),
    ("Không có khả năng lao động", 12),
)


def write_detailed_lists(warehouse: Path, year: int, out_dir: Path) -> tuple[Path, int]:
    """Write `out_dir/danh-sach-chi-tiet-<year>.xlsx` (mode 0600); returns it and the number
    of households listed."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        province = config.load_province(con.execute("SELECT code FROM ref.province").fetchone()[0])
        lists = {status: [] for status in SHEETS}
        for commune in household_lists.communes(con, year):
            households = household_lists.households(con, commune)
            members = household_lists.members(con, commune)
            for status in SHEETS:
                chosen = households[households["status"] == status]
                lists[status] += [(commune, h, members.get(h["household_id"])) for h in
                                  chosen.to_dict("records")]  # fmt: skip
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = out_dir / f"danh-sach-chi-tiet-{year}.xlsx"
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{path.stem}-", suffix=".xlsx")
    os.close(fd)
    book = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False, "strings_to_numbers": False})
    fmt = paper.formats(book)
    for status, sheet in SHEETS.items():
        _sheet(book, fmt, sheet, status, lists[status], year, province)
    book.close()
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path, sum(len(v) for v in lists.values())


def _sheet(book, fmt, sheet: str, status: str, rows: list, year: int, province) -> None:
    ws = book.add_worksheet(sheet)
    width = len(COLUMNS)
    paper.header(ws, fmt, width, province, "Biểu số 12")
    title = f"{sheet.upper()} NĂM {year + 1} (KẾT QUẢ RÀ SOÁT NĂM {year})"
    ws.merge_range(3, 0, 3, width - 1, title, fmt["title"])
    ws.merge_range(4, 0, 4, width - 1, "(Mỗi hộ một dòng chủ hộ, tiếp theo là các thành viên)",
                   fmt["subtitle"])  # fmt: skip
    head = paper.FIRST_TABLE_ROW
    ws.set_row(head, paper.head_height(list(COLUMNS)))
    for j, (text, w) in enumerate(COLUMNS):
        ws.write_string(head, j, text, fmt["head"])
        ws.set_column(j, j, w)
    r = head + 1
    for n, (commune, h, people) in enumerate(rows, start=1):
        move = h["poverty_movement"] if status == "poor" else h["near_poverty_movement"]
        note = vi.LIST_NOTE_VI.get((status, move or ""), "Có trong danh sách năm trước")
        cells = [str(n), commune.label, h["village"] or "", h["household_id"],
                 h["head_name"] or "", "", h["ethnicity"], "Chủ hộ", note,
                 _flag(h["meritorious"]), _flag(h["no_working_capacity"])]  # fmt: skip
        for j, value in enumerate(cells):
            ws.write_string(r, j, value, fmt["text_bold" if j == 4 else "text"])
        r += 1
        for m in [] if people is None else people.to_dict("records"):
            if m["relation"] == "Chủ hộ":
                continue
            born = "" if pd.isna(m["birth_year"]) else str(int(m["birth_year"]))
            for j, value in enumerate(
                [
                    "",
                    "",
                    "",
                    "",
                    m["member_name"] or "",
                    born,
                    m["ethnicity"] or "",
                    m["relation"] or "",
                    "",
                    "",
                    "",
                ]
            ):
                ws.write_string(r, j, value, fmt["text"])  # fmt: skip
            r += 1
    paper.signature(ws, fmt, r + 1, width, province)
    paper.print_setup(ws, head, [w for _, w in COLUMNS])


def _flag(value: object) -> str:
    """x for yes, blank for no, "không thu thập" where the workbook did not carry it."""
    if value is None or pd.isna(value):
        return "không thu thập"
    return "x" if value else ""
