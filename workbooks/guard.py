"""Checks made on a workbook's bytes before any parser sees them, and on its cells after.

A district workbook comes from outside (an officer's laptop, an e-mail attachment), so it is
treated as hostile until checked: it could be another kind of file renamed, cut short in
transit, encrypted, a zip bomb (a small file that inflates to gigabytes), or hold millions of
rows or a cell of megabytes. `check_workbook` runs before fastexcel opens the file and raises
`WorkbookError` (with a rule code, schemas/rules.py WB020-WB025) for anything it must not
parse; `clean_grid` runs on each sheet as read. Both are called from `workbooks.reader`.

The zip members are inflated here with zlib, in bounded chunks, counting the bytes actually
produced: a zip's declared sizes can lie, the inflated stream cannot. That costs one extra
inflate of the workbook (about 0.02 s for a district of 9,000 households, 2% of reading it)
and bounds memory before calamine (which trusts the stream) starts.

Formulas are never evaluated: calamine reads the value Excel cached with the formula (blank
if none was cached). External links are never followed (WB026, a notice). The limits below
can be changed per run through environment variables (`CENSUS_<NAME>`, e.g.
`CENSUS_MAX_ROWS=500000`); SECURITY.md lists them with their reasons.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbooks import sheetxml
from workbooks.errors import WorkbookError

MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What a district workbook may be. A district of Điện Biên has at most ~20,000
    households (one row each); the limits are ten times what a real one needs."""

    # The file on disk: a district workbook of 9,000 households is about 0.6 MiB.
    max_file_bytes: int = 100 * MiB
    # One zip member inflated (a sheet's XML or the shared strings): ~4 MiB for 9,000 rows.
    max_member_bytes: int = 256 * MiB
    # All members inflated together.
    max_total_bytes: int = 512 * MiB
    # Inflated / compressed, for members over `ratio_floor_bytes`. Sheet XML compresses 5-30x;
    # deflate's maximum is ~1,030x, which only crafted repetition reaches.
    max_ratio: int = 200
    ratio_floor_bytes: int = 1 * MiB
    # Rows (`<row>` elements) over all the workbook's sheets.
    max_rows: int = 250_000
    # Excel's own limit on a cell's text; a longer cell was not written by Excel.
    max_cell_chars: int = 32_767
    # Cells in one sheet's table (its real extent, rows x columns): calamine allocates 32
    # bytes for each before anything can bound it. 20,000 households x 60 columns is 1.2 M.
    max_cells: int = 10_000_000
    # Columns in one sheet's table: Excel 97-2003 stopped at 256, a census sheet has ~40.
    max_columns: int = 1_024

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, each overridable by `CENSUS_<FIELD NAME IN CAPITALS>`."""
        values = {}
        for f in fields(cls):
            text = os.environ.get(f"CENSUS_{f.name.upper()}")
            if text:
                values[f.name] = int(text)
        return cls(**values)


CFB_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")  # OLE2 compound file: .xls, encrypted OOXML
ZIP_SIGNATURE = b"PK\x03\x04"
# An encrypted .xlsx is a compound file holding these streams (MS-OFFCRYPTO 2.3.4).
_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
# A text node longer than this many bytes holds more than `max_cell_chars` characters whatever
# its encoding (UTF-8 <= 4 bytes a character; an XML escape such as &amp; is 5 bytes for one).
_BYTES_PER_CHAR_BOUND = 6
# C0 and C1 control characters except tab, line feed and carriage return (kept: Alt+Enter).
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_CHUNK = 1 * MiB


def _fail(path: Path, code: str, reason: str) -> None:
    raise WorkbookError(f"{path.name}: {reason}", code)


@dataclass
class SheetInfo:
    """One sheet of an .xlsx as its XML shows it (workbooks/sheetxml.py)."""

    name: str
    part: str | None
    state: str  # visible | hidden | veryHidden
    first_col: int  # 1-based column of the sheet's first cell holding something (calamine's
    # first column: fastexcel's column 0)
    merges: list[str]
    error_candidates: int
    uncached: list[tuple[str, str]] = field(default_factory=list)  # (cell, formula): HH042
    struck: list[str] = field(default_factory=list)  # cells struck through: HW005
    rows: int = 0  # <row> elements of its part


@dataclass
class Inspection:
    """A workbook that passed: the bytes to parse (the file's, or a copy without the stray
    blank cells of `notices`), the workbook-level notices and, for .xlsx, its sheets."""

    data: bytes
    notices: list[dict[str, object]]
    sheets: dict[str, SheetInfo] = field(default_factory=dict)


# A folder among a year's workbooks (workbooks/reader.py `workbooks_in`): refused as a whole.
FOLDER = (
    "a folder, not a workbook: the workbooks inside it are not read; put them in the year's "
    "folder itself, or start the folder's name with _ to keep it aside"
)


def read_bounded(path: Path, limits: Limits | None = None) -> bytes:
    """The file's bytes, read once (the bytes hashed are the bytes parsed); a file over the
    size limit is refused without being read."""
    limits = limits or Limits.from_env()
    path = Path(path)
    if path.is_dir():
        _fail(path, "WB020", FOLDER)
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        _fail(path, "WB022", f"file too large: {size:,} bytes (limit {limits.max_file_bytes:,})")
    with path.open("rb") as fh:
        data = fh.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:  # grew while being read
        _fail(path, "WB022", f"file too large: over {limits.max_file_bytes:,} bytes")
    return data


def check_workbook(path: Path, limits: Limits | None = None) -> list[dict[str, object]]:
    """Refuse a file no parser should open (raises WorkbookError with `.code`); returns the
    workbook-level notices for the reader to report."""
    path = Path(path)
    return inspect_workbook(read_bounded(path, limits), path, limits).notices


def inspect_workbook(data: bytes, path: Path, limits: Limits | None = None) -> Inspection:
    """Refuse bytes no parser should open (raises WorkbookError with `.code`); `path` gives
    the name (messages) and the extension (calamine picks its parser by it)."""
    limits = limits or Limits.from_env()
    path = Path(path)
    if len(data) == 0:
        _fail(path, "WB020", "not a spreadsheet: the file is empty")
    if len(data) > limits.max_file_bytes:
        limit = limits.max_file_bytes
        _fail(path, "WB022", f"file too large: {len(data):,} bytes (limit {limit:,})")
    head = data[:8]
    suffix = path.suffix.lower()
    if head == CFB_SIGNATURE:
        notices = _check_compound(path, data)
        if suffix == ".xlsx":  # calamine picks the parser by the name: an obscure zip error
            _fail(path, "WB020", _RENAMED.format(kind=".xls (Excel 97-2003)", name=".xls"))
        return Inspection(data, notices)
    if head.startswith(ZIP_SIGNATURE):
        inspection = _check_zip(path, data, limits)
        if suffix == ".xls":
            _fail(path, "WB020", _RENAMED.format(kind=".xlsx", name=".xlsx"))
        return inspection
    _fail(path, "WB020", f"not a spreadsheet: {_looks_like(data, head)}")
    raise AssertionError("unreachable")


_RENAMED = (
    "not a spreadsheet of its type: the file is an {kind} workbook with another extension; "
    "rename it {name} (or save it again as .xlsx in Excel)"
)


_SAVE_AS = "the file is {kind}; open it in Excel or LibreOffice and save it as .xlsx"
_OPENDOCUMENT = b"application/vnd.oasis.opendocument.spreadsheet"


def _looks_like(data: bytes, head: bytes) -> str:
    start = data[:512].lstrip().lower()
    if start.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")):
        return "the file is HTML or XML text with a spreadsheet's name (save it as .xlsx in Excel)"
    if head.startswith(b"%PDF"):
        return "the file is a PDF"
    if head.startswith(b"PK"):
        return "the file is a damaged zip"
    if _is_delimited_text(data[:4096]):
        return _SAVE_AS.format(kind="text (CSV)")
    return "the file is neither an .xlsx (zip) nor an .xls (compound file)"


def _is_delimited_text(start: bytes) -> bool:
    """Whether the file's first line is text (UTF-8, or UTF-16 with its mark, as Excel saves
    "Unicode text") holding commas, semicolons or tabs: a CSV export."""
    utf16 = start.startswith((b"\xff\xfe", b"\xfe\xff"))
    try:
        text = start.decode("utf-16") if utf16 else start.split(b"\n", 1)[0].decode("utf-8")
    except UnicodeDecodeError:
        return False
    line = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    printable = line.replace("\t", " ").isprintable()
    return printable and any(sep in line for sep in ",;\t")


def _zip_kind(archive: zipfile.ZipFile, names: set[str]) -> str:
    """What a zip without an Excel workbook is, said with what to do."""
    if "mimetype" in names and archive.read("mimetype").startswith(_OPENDOCUMENT):
        return _SAVE_AS.format(kind="an OpenDocument spreadsheet (.ods)")
    return "a zip file without an Excel workbook inside"


def _check_compound(path: Path, data: bytes) -> list[dict[str, object]]:
    """An OLE2 compound file: a legacy .xls (fine) or an encrypted .xlsx (refused).
    Directory entries sit in sectors anywhere in the file; the names are UTF-16."""
    if any(stream in data for stream in _ENCRYPTION_STREAMS):
        _fail(
            path,
            "WB023",
            "password-protected: the workbook is encrypted; remove the password in Excel "
            "(File > Info > Protect Workbook) and send it again",
        )
    return []


# What zipfile raises for a damaged archive, beyond what the guard checks itself (found by
# fuzzing: "zip file version 8.4" is a NotImplementedError, a part's damaged local header a
# BadZipFile when it is read again).
_ZIP_ERRORS = (zipfile.BadZipFile, NotImplementedError, EOFError, RuntimeError, zlib.error)


def _check_zip(path: Path, data: bytes, limits: Limits) -> Inspection:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (*_ZIP_ERRORS, OSError, ValueError) as exc:
        _fail(path, "WB021", f"corrupt or truncated .xlsx: the zip cannot be opened ({exc})")
    try:
        with archive:
            return _inspect_archive(path, archive, data, limits)
    except _ZIP_ERRORS as exc:
        _fail(path, "WB021", f"corrupt or truncated .xlsx: a part cannot be read ({exc})")
    raise AssertionError("unreachable")


def _inspect_archive(
    path: Path, archive: zipfile.ZipFile, data: bytes, limits: Limits
) -> Inspection:
    """The checks of `_check_zip` on the opened archive."""
    members = archive.infolist()
    names = {m.filename for m in members}
    if not any(n.startswith("xl/") for n in names):
        _fail(path, "WB020", f"not a spreadsheet: {_zip_kind(archive, names)}")
    if "xl/workbook.bin" in names:  # its sheets are binary: the guard cannot bound them
        _fail(path, "WB020", "not a spreadsheet it reads: " + _SAVE_AS.format(kind=".xlsb"))
    declared = 0
    for m in members:
        declared += m.file_size
        if m.file_size > limits.max_member_bytes or declared > limits.max_total_bytes:
            _fail(path, "WB022", _bomb(m.filename, m.file_size, limits))
    inflated, rows = 0, 0
    facts: dict[str, sheetxml.SheetFacts] = {}
    fh = io.BytesIO(data)
    for m in members:
        if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml"):
            scan = sheetxml.SheetScan(limits.max_cell_chars * _BYTES_PER_CHAR_BOUND)
        else:
            scan = _Scan(limits, check_text=m.filename == "xl/sharedStrings.xml")
        size = _inflate(path, fh, m, limits, scan, limits.max_total_bytes - inflated)
        inflated += size
        if isinstance(scan, sheetxml.SheetScan):
            facts[m.filename] = scan.finish()
            _too_long(path, scan, m.filename, limits)
            rows += facts[m.filename].rows
        if rows > limits.max_rows:
            _fail(
                path,
                "WB024",
                f"too many rows: more than {limits.max_rows:,} rows (at sheet part "
                f"{m.filename}); a district workbook holds one row a household",
            )
    # Every part inflated within the limits above: reading the small ones again is safe.
    workbook = _part(archive, names, "xl/workbook.xml")
    if workbook is None:  # the directory names its parts, but not the workbook's own
        _fail(path, "WB021", "corrupt .xlsx: the workbook part (xl/workbook.xml) is missing")
    sheets = sheetxml.workbook_sheets(workbook, _part(archive, names, "xl/_rels/workbook.xml.rels"))
    notices: list[dict[str, object]] = []
    repaired = _bound_extents(path, archive, names, sheets, facts, limits, notices)
    if repaired:
        data = _replace_parts(archive, repaired)
    uncached = {
        part: sheetxml.uncached_formulas(archive.read(part))
        for part, f in facts.items()
        if f.uncached_formulas
    }
    styles = sheetxml.struck_styles(_part(archive, names, "xl/styles.xml"))
    struck = (
        {part: sheetxml.struck_cells(archive.read(part), styles) for part in facts}
        if styles
        else {}
    )
    links = sorted(n for n in names if n.startswith("xl/externalLinks/") and n.endswith(".xml"))
    if links:
        notices.append(
            {
                "code": "WB026",
                "detail": f"{len(links)} external link(s); never followed, the values Excel "
                "cached in this file are read",
            }
        )
    info = {}
    for entry in sheets:
        f = facts.get(entry.part or "")
        info[entry.name] = SheetInfo(
            name=entry.name,
            part=entry.part,
            state=entry.state,
            first_col=(f.min_col or 1) if f else 1,
            merges=f.merges if f else [],
            # A sheet whose part was not found: fastexcel is asked for its errors.
            error_candidates=f.error_candidates if f else 1,
            uncached=uncached.get(entry.part or "", []),
            struck=struck.get(entry.part or "", []),
            rows=f.rows if f else 0,
        )
    return Inspection(data, notices, info)


def _part(archive: zipfile.ZipFile, names: set[str], name: str) -> bytes | None:
    return archive.read(name) if name in names else None


def _bound_extents(
    path: Path,
    archive: zipfile.ZipFile,
    names: set[str],
    sheets: list[sheetxml.SheetEntry],
    facts: dict[str, sheetxml.SheetFacts],
    limits: Limits,
    notices: list[dict[str, object]],
) -> dict[str, bytes]:
    """Each sheet's area as calamine would allocate it, bounded before calamine opens the
    file. A sheet whose cells reach far beyond what it holds is parsed exactly: cells holding
    only spaces outside its real extent are removed from the copy calamine reads (WB032, a
    notice naming them); a value far outside it (or a table too large) refuses the workbook
    (WB031). Returns the rewritten parts."""
    by_part = {s.part: s.name for s in sheets if s.part}
    blank_shared: set[int] | None = None
    rewritten: dict[str, bytes] = {}
    for part, f in facts.items():
        if _usual_extent(f, limits):
            continue
        if blank_shared is None:
            blank_shared = sheetxml.blank_shared_strings(
                _part(archive, names, "xl/sharedStrings.xml")
            )
        sheet = by_part.get(part, part)
        xml = archive.read(part)
        exact = sheetxml.exact_cells(xml, blank_shared)
        if _too_large(exact, limits):
            _fail(path, "WB031", _far_cell_reason(sheet, exact, limits))
        strays = _stray_cells(exact)
        if strays:
            rewritten[part] = sheetxml.without_cells(xml, strays)
            notices.append(_strays_notice(sheet, strays, exact, f.dimension))
        facts[part].min_col = exact.first_col or 1
    return rewritten


def _usual_extent(f: sheetxml.SheetFacts, limits: Limits) -> bool:
    """Whether the area calamine would allocate for the sheet is in proportion to what it
    holds and within the limits: no exact parse needed."""
    bound = f.allocation_bound()
    usual = bound <= max(16 * f.valued, _CELLS_FLOOR) and bound <= limits.max_cells
    return usual and f.max_col <= limits.max_columns and not f.irregular


def _too_large(exact: sheetxml.ExactCells, limits: Limits) -> bool:
    """Whether the sheet's real extent is over the limits on rows, columns or cells."""
    width = exact.last_col - exact.first_col + 1 if exact.last_col else 0
    return (
        exact.last_row > limits.max_rows
        or exact.last_col > limits.max_columns
        or exact.last_row * width > limits.max_cells
    )


def _far_cell_reason(sheet: str, exact: sheetxml.ExactCells, limits: Limits) -> str:
    """Why a sheet too large is refused, naming the value farthest outside the limits."""
    real = [c for c in exact.cells if not c.blank]
    far = max(
        real,
        key=lambda c: (c.row > limits.max_rows or c.col > limits.max_columns, c.row * c.col),
    )
    rest = sheetxml.extent_of([c for c in real if c is not far])
    return (
        f"sheet '{sheet}': cell {_ref(far.row, far.col)} holds '{far.text}', far "
        f"outside the rest of the sheet ({rest}): a sheet may hold at most "
        f"{limits.max_rows:,} rows, {limits.max_columns:,} columns and "
        f"{limits.max_cells:,} cells; delete that cell "
        "(or the rows and columns around it) and send the workbook again"
    )


def _stray_cells(exact: sheetxml.ExactCells) -> list[sheetxml.Cell]:
    """The cells holding only spaces outside the sheet's real extent."""
    return [
        c
        for c in exact.cells
        if c.blank and (c.row > exact.last_row or c.col > exact.last_col or c.col < exact.first_col)
    ]


def _strays_notice(
    sheet: str,
    strays: list[sheetxml.Cell],
    exact: sheetxml.ExactCells,
    dimension: str | None,
) -> dict[str, object]:
    """WB032: the stray cells ignored (the last three named), the sheet's real extent and,
    if it declares one, its declared range."""
    shown = sorted(strays, key=lambda c: (-c.row, -c.col))[:3]
    declared = f"; declared range {dimension}" if dimension else ""
    return {
        "sheet": sheet,
        "code": "WB032",
        "detail": f"{len(strays)} cell(s) holding only spaces outside the table "
        f"({sheetxml.extent_of([c for c in exact.cells if not c.blank])}"
        f"{declared}) ignored: "
        + ", ".join(_ref(c.row, c.col) for c in shown)
        + (", ..." if len(strays) > len(shown) else ""),
    }


# Below this many cells a sheet's area is never worth an exact parse (32 MB in calamine).
_CELLS_FLOOR = 1_000_000


def _ref(row: int, col: int) -> str:
    return sheetxml.cell_ref(row, col)


def _replace_parts(archive: zipfile.ZipFile, parts: dict[str, bytes]) -> bytes:
    """A copy of the workbook with these parts replaced (rare: stray cells removed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy:
        for m in archive.infolist():
            copy.writestr(m.filename, parts.get(m.filename) or archive.read(m.filename))
    return out.getvalue()


def _too_long(path: Path, scan, part: str, limits: Limits) -> None:
    if scan.too_long:
        _fail(
            path,
            "WB025",
            f"a cell's text is longer than Excel's limit of "
            f"{limits.max_cell_chars:,} characters (part {part})",
        )


def _bomb(member: str, size: int, limits: Limits) -> str:
    return (
        f"zip bomb or oversized workbook: part {member} inflates to {size:,} bytes or more "
        f"(limits: {limits.max_member_bytes:,} a part, {limits.max_total_bytes:,} in all, "
        f"ratio {limits.max_ratio}:1)"
    )


class _Scan:
    """Finds over-long text nodes in a stream of XML chunks (parts other than worksheets,
    which `sheetxml.SheetScan` reads; it checks the same)."""

    def __init__(self, limits: Limits, check_text: bool) -> None:
        self.check_text = check_text
        self.max_run = limits.max_cell_chars * _BYTES_PER_CHAR_BOUND
        self.run = 0  # bytes since the last '<' (a text node crossing chunks)
        self.too_long = False

    def feed(self, chunk: bytes) -> None:
        if self.check_text and not self.too_long:
            arr = np.frombuffer(chunk, np.uint8)
            lt = np.flatnonzero(arr == ord("<"))
            if len(lt) == 0:
                self.run += len(arr)
            else:
                first = self.run + int(lt[0])
                inner = int(np.diff(lt).max()) if len(lt) > 1 else 0
                self.run = len(arr) - 1 - int(lt[-1])
                self.too_long = max(first, inner) > self.max_run
            self.too_long = self.too_long or self.run > self.max_run


def _inflate(path: Path, fh, member: zipfile.ZipInfo, limits: Limits, scan: _Scan, room: int):
    """Inflate one member from its local header, in bounded chunks; returns its real size."""
    if not 0 <= member.header_offset <= fh.seek(0, os.SEEK_END) - 30:  # a damaged directory
        _fail(path, "WB021", f"corrupt or truncated .xlsx: part {member.filename} is misplaced")
    fh.seek(member.header_offset)
    local = fh.read(30)
    if len(local) < 30 or not local.startswith(ZIP_SIGNATURE):
        _fail(path, "WB021", f"corrupt or truncated .xlsx: part {member.filename} is damaged")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    fh.seek(member.header_offset + 30 + name_len + extra_len)
    cap = min(limits.max_member_bytes, room)
    if member.compress_type == zipfile.ZIP_STORED:
        produce = None
    elif member.compress_type == zipfile.ZIP_DEFLATED:
        produce = zlib.decompressobj(-15)
    else:
        _fail(path, "WB021", f"corrupt .xlsx: part {member.filename} uses an unknown compression")
    left, size, crc = member.compress_size, 0, 0
    try:
        while left > 0:
            data = fh.read(min(_CHUNK, left))
            if not data:
                break  # the file ends early: reported below (size, checksum)
            left -= len(data)
            while data:
                if produce is None:
                    out, data = data, b""
                else:
                    out = produce.decompress(data, _CHUNK)
                    data = produce.unconsumed_tail
                size += len(out)
                if size > cap or (
                    size > limits.ratio_floor_bytes
                    and size > limits.max_ratio * max(member.compress_size, 1)
                ):
                    _fail(path, "WB022", _bomb(member.filename, size, limits))
                crc = zlib.crc32(out, crc)
                scan.feed(out)
                _too_long(path, scan, member.filename, limits)
            if produce is not None and produce.eof:
                break
    except (zlib.error, OSError, ValueError, OverflowError) as exc:
        _fail(path, "WB021", f"corrupt or truncated .xlsx: part {member.filename} ({exc})")
    if (produce is not None and not produce.eof) or size != member.file_size:
        _fail(path, "WB021", f"corrupt or truncated .xlsx: part {member.filename} is cut short")
    if crc != member.CRC:
        _fail(path, "WB021", f"corrupt .xlsx: part {member.filename} fails its checksum")
    return size


def clean_grid(
    grid: pd.DataFrame,
    path: Path,
    sheet: str,
    notices: list[dict[str, object]],
    limits: Limits | None = None,
) -> pd.DataFrame:
    """A sheet as read, with control characters removed (reported once per sheet, WB027);
    raises WorkbookError (WB025) for a cell longer than Excel allows."""
    limits = limits or Limits.from_env()
    removed = 0
    out = {}
    for column, values in grid.items():
        if values.dtype == "str" and _is_clean([pa.array(values)], limits):
            continue  # one vectorised test on the column's Arrow array; nothing to do
        text = values.astype("str") if values.dtype != "str" else values
        lengths = text.str.len()
        if (lengths > limits.max_cell_chars).any():
            row = int(lengths.idxmax()) + 1
            _fail(
                Path(path),
                "WB025",
                f"sheet '{sheet}', row {row}: a cell holds {int(lengths.max()):,} characters "
                f"(Excel's limit is {limits.max_cell_chars:,})",
            )
        has = text.str.contains(_CONTROL, regex=True, na=False)
        if has.any():
            removed += int(has.sum())
            out[column] = values.where(~has, text.str.replace(_CONTROL, "", regex=True))
    if not removed:
        return grid
    notices.append(
        {
            "sheet": sheet,
            "code": "WB027",
            "detail": f"control characters removed from {removed} cell(s)",
        }
    )
    return grid.assign(**out)


def cells_clean(columns: list[pa.Array], limits: Limits | None = None) -> bool:
    """Whether a sheet's columns (Arrow, as fastexcel reads them) need nothing from
    `clean_grid`: one vectorised pass over all cells, so the usual clean sheet costs little."""
    return _is_clean(columns, limits or Limits.from_env())


def _is_clean(columns: list[pa.Array], limits: Limits) -> bool:
    """Whether text columns hold no over-long cell and no control character (Arrow kernels,
    the regex engine pandas' Arrow strings use too); anything else takes the pandas path."""
    if not all(pa.types.is_string(c.type) or pa.types.is_large_string(c.type) for c in columns):
        return False
    if not columns:
        return True
    if len({c.type for c in columns}) > 1:
        columns = [c.cast(pa.large_string()) for c in columns]
    cells = pa.chunked_array(columns, type=columns[0].type)
    # Bytes bound characters from above: count characters only when the bytes could exceed.
    if (pc.max(pc.binary_length(cells)).as_py() or 0) > limits.max_cell_chars:
        longest = pc.max(pc.utf8_length(cells)).as_py()
        if longest is not None and longest > limits.max_cell_chars:
            return False
    # Control characters are found in the UTF-8 bytes themselves (numpy over the columns'
    # data buffers: about 10x the regex kernel's speed on a district's million cells); a hit
    # is confirmed by the regex, which sees cell boundaries.
    if not _control_bytes(text_bytes(columns)):
        return True
    return not pc.any(pc.match_substring_regex(cells, _CONTROL)).as_py()


def text_bytes(columns: list[pa.Array]) -> np.ndarray | None:
    """The UTF-8 bytes of every cell of a sheet's text columns, end to end, as one array
    (None when a column is not text). One array, not one a column: numpy's cost a call made
    the scan column by column 6x slower (cells_clean 0.08 -> 0.03 s for the sample province).
    A cell's bytes never end inside a character, so no character spans two columns."""
    if not all(pa.types.is_string(c.type) or pa.types.is_large_string(c.type) for c in columns):
        return None
    if not columns:
        return np.empty(0, np.uint8)
    return np.concatenate([_utf8_bytes(c) for c in columns])


def _utf8_bytes(column: pa.Array) -> np.ndarray:
    """The UTF-8 bytes of a text column's cells, end to end (its data buffer's used part)."""
    _, offsets, data = column.buffers()
    if data is None or len(column) == 0:
        return np.empty(0, np.uint8)
    kind = np.int64 if pa.types.is_large_string(column.type) else np.int32
    ends = np.frombuffer(offsets, kind)[column.offset : column.offset + len(column) + 1]
    return np.frombuffer(data, np.uint8)[ends[0] : ends[-1]]


def _control_bytes(utf8: np.ndarray) -> bool:
    """Whether UTF-8 text holds a character `_CONTROL` matches: C0 but tab, line feed and
    carriage return; DEL; C1 (U+0080-U+009F, encoded as 0xC2 0x80-0x9F)."""
    c0 = (utf8 < 0x20) & (utf8 != 0x09) & (utf8 != 0x0A) & (utf8 != 0x0D)
    if c0.any() or (utf8 == 0x7F).any():
        return True
    lead = np.flatnonzero(utf8[:-1] == 0xC2)
    follow = utf8[lead + 1]
    return bool(((follow >= 0x80) & (follow <= 0x9F)).any())
