"""Builders of hostile and broken workbooks, each a real file on disk.

Every builder writes one file and returns its path. The valid base comes from tests.factory
(openpyxl) or xlsxwriter (which can write formulas with cached values and control characters,
both of which openpyxl cannot); the hostile part is then made with zipfile and raw bytes.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import xlsxwriter

import config
from schemas.headers import BASE_LABELS
from tests.factory import BASE_ORDER, household, write_workbook

SQL_TEXT = "'; DROP TABLE core.households; --"


def valid_bytes(tmp: Path, rows: list[dict] | None = None) -> bytes:
    path = write_workbook(tmp / "base.xlsx", rows or [household(i) for i in range(1, 4)])
    data = path.read_bytes()
    path.unlink()
    return data


def not_a_spreadsheet(path: Path) -> Path:
    path.write_bytes(b"Danh sach ho ngheo\nMN-1,Lo Van A\n")
    return path


def html_as_xls(path: Path) -> Path:
    path.write_bytes(b"<html><body><table><tr><td>Ma ho</td></tr></table></body></html>")
    return path


def truncated(path: Path, tmp: Path) -> Path:
    data = valid_bytes(tmp)
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def corrupt(path: Path, tmp: Path) -> Path:
    """A complete zip whose sheet data is damaged (bytes flipped inside the deflate stream)."""
    data = bytearray(valid_bytes(tmp))
    info = zipfile.ZipFile(_as_file(tmp, bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    at = info.header_offset
    name_len, extra_len = struct.unpack("<HH", data[at + 26 : at + 30])
    start = at + 30 + name_len + extra_len
    for i in range(start + 20, start + min(info.compress_size, 200), 7):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def _as_file(tmp: Path, data: bytes) -> Path:
    p = tmp / "scratch.zip"
    p.write_bytes(data)
    return p


def zip_bomb(path: Path, tmp: Path, megabytes: int = 64, lie: bool = False) -> Path:
    """A valid workbook whose sheet XML is padded with `megabytes` MiB of empty XML comments
    (legal anywhere): about 64 KiB on disk for 64 MiB. With `lie`, the zip declares the sheet's
    inflated size as its compressed size, so only counting the inflated bytes can catch it."""
    src = zipfile.ZipFile(_as_file(tmp, valid_bytes(tmp)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                pad = b"<!---->" * ((megabytes << 20) // 7)
                data = data.replace(b"<sheetData>", b"<sheetData>" + pad)
            out.writestr(item.filename, data)
    if lie:
        raw = bytearray(path.read_bytes())
        info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
        small = struct.pack("<I", info.compress_size)
        # Local header: uncompressed size at +22; central directory entry: at +24.
        raw[info.header_offset + 22 : info.header_offset + 26] = small
        name = info.filename.encode()
        central = raw.rfind(b"PK\x01\x02" + raw[info.header_offset + 4 : info.header_offset + 6])
        while raw[central + 46 : central + 46 + len(name)] != name:
            central = raw.rfind(b"PK\x01\x02", 0, central)
        raw[central + 24 : central + 28] = small
        path.write_bytes(bytes(raw))
    return path


def password_protected(path: Path) -> Path:
    """An encrypted OOXML file as Excel saves it: an OLE2 compound file (MS-CFB) holding the
    streams EncryptionInfo and EncryptedPackage (MS-OFFCRYPTO 2.3.4). Built by hand: a
    512-byte header, one FAT sector and one directory sector with the three entries; the
    encrypted content itself is irrelevant to the check and left as zeros."""
    sector = 512
    header = bytearray(sector)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)  # minor, major v3, BOM, 2^9
    struct.pack_into("<H", header, 32, 6)  # mini sector shift
    struct.pack_into("<I", header, 44, 1)  # FAT sectors
    struct.pack_into("<I", header, 48, 1)  # first directory sector
    struct.pack_into("<I", header, 56, 4096)  # mini stream cutoff
    struct.pack_into("<I", header, 60, 0xFFFFFFFE)  # no mini FAT
    struct.pack_into("<I", header, 68, 0xFFFFFFFE)  # no DIFAT sectors
    struct.pack_into("<I", header, 76, 0)  # DIFAT[0]: the FAT is sector 0
    header[80:512] = b"\xff" * 432
    fat = bytearray(b"\xff" * sector)
    struct.pack_into("<III", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFE)  # FAT, dir, data
    directory = bytearray(sector)
    for i, (name, kind) in enumerate(
        [("Root Entry", 5), ("EncryptionInfo", 2), ("EncryptedPackage", 2)]
    ):
        entry = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        entry[0 : len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 64, len(encoded), kind, 1)
        struct.pack_into("<iii", entry, 68, -1, -1, 1 if i == 0 else (2 if i == 1 else -1))
        struct.pack_into("<I", entry, 116, 2 if i else 0xFFFFFFFE)
        directory[i * 128 : (i + 1) * 128] = entry
    path.write_bytes(bytes(header + fat + directory + bytes(sector)))
    return path


def with_external_link(path: Path, tmp: Path, rows: list[dict]) -> Path:
    """A valid workbook that also carries an external link part (as Excel writes one for a
    formula such as ='[budget.xlsx]Sheet1'!A1)."""
    src = zipfile.ZipFile(_as_file(tmp, valid_bytes(tmp, rows)))
    link = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships" r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames>'
        b"</externalBook></externalLink>"
    )
    rels = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/externalLinkPath" Target="file:///C:/secret/budget.xlsx" '
        b'TargetMode="External"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item.filename, src.read(item.filename))
        out.writestr("xl/externalLinks/externalLink1.xml", link)
        out.writestr("xl/externalLinks/_rels/externalLink1.xml.rels", rels)
    return path


def xlsxwriter_workbook(
    path: Path,
    rows: list[dict],
    year: int = 2019,
    formulas: dict[tuple[int, str], tuple[str, object]] | None = None,
) -> Path:
    """The canonical layout written with xlsxwriter: strings are written as given (control
    characters become _xHHHH_ escapes), and `formulas[(row index, key)] = (formula, cached)`
    writes a formula cell with that cached value (None: no cached value)."""
    indicators = config.standard_for_year(year).indicators
    keys = BASE_ORDER + [i.key for i in indicators]
    keys += list(dict.fromkeys(k for r in rows for k in r if k not in keys))
    header = {k: BASE_LABELS[k][0] for k in BASE_ORDER} | {i.key: i.name_vi for i in indicators}
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = book.add_worksheet("Danh sách")
    ws.write_row(0, 0, [header.get(k, BASE_LABELS.get(k, [k])[0]) for k in keys])
    for r, row in enumerate(rows):
        for c, key in enumerate(keys):
            value = row.get(key)
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(r + 1, c, value)
            else:
                ws.write_number(r + 1, c, value)
    for (r, key), (formula, cached) in (formulas or {}).items():
        ws.write_formula(
            r + 1, keys.index(key), formula, None, _NO_CACHE if cached is None else cached
        )
    book.close()
    if formulas and any(cached is None for _, cached in formulas.values()):
        _strip_marked_cache(path)
    return path


_NO_CACHE = "__no_cached_value__"


def _strip_marked_cache(path: Path) -> None:
    """Drop the marked cached values: a file saved by a program that does not calculate
    (openpyxl, scripts) holds the formula alone."""
    src = zipfile.ZipFile(_as_file(path.parent, path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<v>" + _NO_CACHE.encode() + b"</v>", b"")
            out.writestr(item.filename, data)


def replace_in_parts(path: Path, old: bytes, new: bytes) -> Path:
    """Rewrite the workbook with `old` replaced by `new` in every XML part: writes what no
    Excel library will (a cell longer than Excel's 32,767-character limit)."""
    src = zipfile.ZipFile(_as_file(path.parent, path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item.filename, src.read(item.filename).replace(old, new))
    return path
