"""The lists a commune posts after its review (niêm yết công khai, Decision 24/2021/QĐ-TTg):
one PDF per commune holding four lists, each from a new page: hộ nghèo, hộ cận nghèo, hộ thoát
nghèo, hộ thoát cận nghèo. Each list is grouped by village, one line per household (No., head's
name, village, members, note), with the posting period, where complaints go, the counts and the
commune chair's signature block.

Years: the review held in Y decides the lists of Y + 1, so the poor and near-poor lists of the
2026 review are those of 2027. The escape lists name the review year: a household on the list
of year Y (decided by the previous review) that the review of Y takes off it escaped in Y.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

import config
from reporting import pdf
from reporting.household_lists import LISTS, Commune
from reporting.vietnamese import (
    LIST_NOTE_VI,
    POSTED_LIST_VI,
    STATUS_VI,
    dated_at,
    day,
    in_sentence,
    number,
    provisional_note,
)

KEPT_WITH_SIGNATURE = 3  # households printed on the signature's page
COLUMNS = (
    pdf.Column("TT", 0.07, "C"),
    pdf.Column("Họ và tên chủ hộ", 0.31),
    pdf.Column("Thôn, bản", 0.24),
    pdf.Column("Số nhân khẩu", 0.12, "C"),
    pdf.Column("Ghi chú", 0.26),
)


@dataclass(frozen=True)
class Posting:
    """One commune's posting: its lists (household_lists.posting_lists), the previous census
    year in the warehouse (None: no escape lists), the posting period (None: blanks to fill)."""

    commune: Commune
    lists: dict[str, pd.DataFrame]
    previous_year: int | None
    standard: str
    provisional: bool
    posted_from: date | None = None
    posted_to: date | None = None


def _note(kind: str, row: dict) -> str:
    """How the household came onto this list, or where it went off the last one."""
    if kind in ("poor", "near_poor"):
        movement = row["poverty_movement" if kind == "poor" else "near_poverty_movement"]
        return LIST_NOTE_VI.get((kind, movement), "")
    return f"Nay là {config.status_labels()[row['status']].label_vi}"


def _rows(kind: str, households: pd.DataFrame) -> list[list[str] | pdf.Band]:
    """A band per village (its households and members), the households numbered 1..N across
    the list, then the list's total."""
    rows: list[list[str] | pdf.Band] = []
    n = 0
    for village, group in households.groupby("village", sort=False):
        members = int(group["household_size"].sum())
        rows.append(pdf.Band(f"{village}: {number(len(group))} hộ, {number(members)} nhân khẩu"))
        for r in group.to_dict("records"):
            n += 1
            name = r["head_name"] or "(chưa có tên chủ hộ)"
            size = number(r["household_size"])
            rows.append([str(n), name, str(village), size, _note(kind, r)])
    if not n:
        rows.append(pdf.Band("Không có hộ nào trong danh sách này.", bold=False))
    total = int(households["household_size"].sum())
    rows.append(pdf.Band(f"Tổng cộng: {number(n)} hộ, {number(total)} nhân khẩu"))
    return rows


def _titles(kind: str, posting: Posting) -> tuple[list[str], list[str]]:
    year = posting.commune.year
    list_year = year + config.LISTS_FOLLOW_REVIEW if kind in ("poor", "near_poor") else year
    place = posting.commune.label
    if posting.commune.district_label:
        place += f", {in_sentence(posting.commune.district_label)}"
    title = f"DANH SÁCH {POSTED_LIST_VI[kind].upper()} NĂM {list_year}"
    return [title], [f"Kết quả rà soát năm {year} - {place}"]


def _escape_basis(kind: str, posting: Posting) -> str:
    """Which list the escaped households were on, and what the review found."""
    prev, year = posting.previous_year, posting.commune.year
    was = STATUS_VI["poor" if kind == "escaped_poor" else "near_poor"].lower()
    on = f"{was} năm {prev + config.LISTS_FOLLOW_REVIEW} (kết quả rà soát năm {prev})"
    now = "hộ nghèo" if kind == "escaped_poor" else "hộ nghèo, hộ cận nghèo"
    return f"Hộ thuộc danh sách {on}, qua rà soát năm {year} không còn là {now}."


def _list_page(doc: pdf.Document, kind: str, posting: Posting, meta: dict) -> None:
    commune = posting.commune
    doc.add_page()
    pdf.header(doc, [str(meta["commune_body"]), commune.label.upper()])
    pdf.title(doc, *_titles(kind, posting))
    period = f"từ ngày {day(posting.posted_from)} đến ngày {day(posting.posted_to)}"
    pdf.paragraph(doc, f"Thời gian niêm yết: {period}.")
    escape = kind.startswith("escaped")
    if escape and posting.previous_year is None:
        pdf.paragraph(
            doc,
            f"Kho dữ liệu chưa có kết quả rà soát của năm nào trước năm {commune.year}: "
            "chưa lập được danh sách này.",
            style="B",
        )
        _closing(doc, posting, meta)
        return
    if escape:
        pdf.paragraph(doc, _escape_basis(kind, posting), style="I")
    doc.ln(1)
    _table(doc, _rows(kind, posting.lists[kind]), posting, meta)


def _closing(doc: pdf.Document, posting: Posting, meta: dict) -> None:
    """Where complaints go, the provisional standard's note, the chair's signature block."""
    commune = posting.commune
    pdf.paragraph(
        doc,
        "Mọi ý kiến, khiếu nại xin gửi về Ban Chỉ đạo rà soát hộ nghèo, hộ cận nghèo "
        f"{in_sentence(commune.label)} trong thời gian niêm yết.",
    )
    if posting.provisional:
        pdf.paragraph(doc, provisional_note(posting.standard), style="I")
    signer = (str(meta["commune_signer_title"]), str(meta["commune_signer_subtitle"]))
    pdf.signature(doc, dated_at(commune.name), *signer)


def _table(doc: pdf.Document, rows: list, posting: Posting, meta: dict) -> None:
    """The list and its closing, its last households (`_tail_start`) on the closing's page: a
    signature on a page without the list's last households is not a signed list."""
    tail = _tail_start(rows)
    closing = _closing_height(posting, meta)
    pdf.table(doc, COLUMNS, rows, keep_last=len(rows) - tail if tail else 0, then=closing)
    _closing(doc, posting, meta)


def _closing_height(posting: Posting, meta: dict) -> float:
    """The closing's height in mm, written once on a blank page."""
    trial = pdf.document("")
    trial.add_page()
    top = trial.get_y()
    _closing(trial, posting, meta)
    return trial.get_y() - top


def _tail_start(rows: list) -> int:
    """Where the rows kept with the signature start: the last `KEPT_WITH_SIGNATURE`
    households, the bands among and after them, and a village's heading just before them;
    0 when that is the whole list."""
    i, households = len(rows), 0
    while i > 0 and households < KEPT_WITH_SIGNATURE:
        i -= 1
        households += not isinstance(rows[i], pdf.Band)
    while i > 0 and isinstance(rows[i - 1], pdf.Band):
        i -= 1
    return i


def render(posting: Posting, province: config.Province) -> pdf.Document:
    """The commune's four lists in one document, each from a new page."""
    commune = posting.commune
    footer = f"{commune.label} - Niêm yết kết quả rà soát năm {commune.year} - Trang {{page}}"
    doc = pdf.document(f"Niêm yết {commune.label} {commune.year}", footer + "/{pages}")
    for kind in LISTS:
        _list_page(doc, kind, posting, province.meta)
    return doc
