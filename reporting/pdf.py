"""The pieces every printed page of the province's PDFs shares (fpdf2), so the posted lists and
the household certificates look like one administration's papers:

- `document`: an A4 portrait page with a Vietnamese-capable serif font embedded (DejaVu Serif,
  as matplotlib ships it: no font file in the repository);
- `header`: the issuing body top left (with the document's number under it), the national
  motto top right (shared/report-forms.md, "The signature block and header");
- `title`, `paragraph`: centred title lines and body text;
- `table`: a bordered table whose header row(s) repeat on every page, with full-width band
  rows (a village's heading, a total);
- `signature`: the place and date, the signer's title, room to sign and seal.

Every text is the caller's; the layout is here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import matplotlib
from fpdf import FPDF, FontFace
from fpdf.enums import TableHeadingsDisplay, XPos, YPos
from fpdf.table import RowLayoutInfo, Table

from reporting.vietnamese import MOTTO, SIGN_HERE

FONT = "DejaVuSerif"
_FONT_FILES = {"": "DejaVuSerif.ttf", "B": "DejaVuSerif-Bold.ttf", "I": "DejaVuSerif-Italic.ttf"}
_FONT_FILES["BI"] = "DejaVuSerif-BoldItalic.ttf"
MARGINS = (20.0, 15.0, 15.0)  # left, top, right in mm; bottom: BOTTOM
BOTTOM = 15.0
LINE = 5.5  # mm per line of body text
BODY_PT = 11
BAND_FILL = 235  # grey of a band row
HEADING_FILL = 220  # grey of the table's header rows


def font_path(style: str = "") -> Path:
    """Matplotlib's copy of DejaVu Serif in `style` ("", "B", "I", "BI")."""
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / _FONT_FILES[style]


class Document(FPDF):
    """An A4 portrait document; `footer_text` (with `{page}` and `{pages}`) is printed at the
    foot of every page when set."""

    footer_text = ""

    def footer(self) -> None:
        if not self.footer_text:
            return
        self.set_y(-BOTTOM + 4)
        self.set_font(FONT, "I", 8)
        text = self.footer_text.format(page=self.page_no(), pages=self.str_alias_nb_pages)
        self.cell(0, 4, text, align="R")


def document(title: str, footer_text: str = "") -> Document:
    """A new document with the fonts registered and `title` (Vietnamese: officers see it in
    the viewer's title bar) in its properties."""
    pdf = Document(orientation="portrait", unit="mm", format="A4")
    for style in _FONT_FILES:
        pdf.add_font(FONT, style, font_path(style))
    pdf.set_margins(*MARGINS)
    pdf.set_auto_page_break(True, margin=BOTTOM)
    pdf.set_title(title)
    pdf.set_lang("vi")
    pdf.footer_text = footer_text
    pdf.set_font(FONT, "", BODY_PT)
    return pdf


def _centred_lines(pdf: FPDF, x: float, width: float, lines: Sequence[tuple[str, str]]) -> float:
    """Lines of (text, style) centred in [x, x + width] from the current y; underlines the
    last one as wide as its text (the rule under a body's name and under the motto).
    Returns the y under the block."""
    for text, style in lines:
        pdf.set_x(x)
        pdf.set_font(FONT, style, BODY_PT if style == "B" else BODY_PT - 0.5)
        pdf.multi_cell(width, LINE, text, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    rule = min(pdf.get_string_width(lines[-1][0]), width)
    middle = x + width / 2
    pdf.line(middle - rule / 2, pdf.get_y() + 0.5, middle + rule / 2, pdf.get_y() + 0.5)
    return pdf.get_y() + 1.5


def header(pdf: FPDF, body: Sequence[str], number: str = "") -> None:
    """The issuing body (`body`: e.g. ["ỦY BAN NHÂN DÂN", "XÃ NÀ HỲ"], the last line bold)
    top left with `number` ("Số: 001/GCN-HN.HCN") under it; the motto top right."""
    top, left, width = pdf.get_y(), pdf.l_margin, pdf.epw
    left_width = width * 0.4
    lines = [(t, "") for t in body[:-1]] + [(body[-1], "B")]
    y_left = _centred_lines(pdf, left, left_width, lines)
    if number:
        pdf.set_xy(left, y_left + 1)
        pdf.set_font(FONT, "", BODY_PT - 0.5)
        pdf.cell(left_width, LINE, number, align="C")
        y_left += LINE + 1
    pdf.set_y(top)
    y_right = _centred_lines(pdf, left + left_width, width - left_width, [(m, "B") for m in MOTTO])
    pdf.set_xy(left, max(y_left, y_right) + 4)


def title(pdf: FPDF, lines: Sequence[str], subtitle: Sequence[str] = ()) -> None:
    """Centred title lines (bold, larger), then subtitle lines (italic)."""
    pdf.set_font(FONT, "B", BODY_PT + 2)
    for text in lines:
        pdf.multi_cell(0, LINE + 1, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "I", BODY_PT - 0.5)
    for text in subtitle:
        pdf.multi_cell(0, LINE, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def paragraph(pdf: FPDF, text: str, style: str = "", indent: float = 0.0, align: str = "L") -> None:
    """One paragraph of body text over the page's width (left `indent` in mm; `align` L, C)."""
    pdf.set_font(FONT, style, BODY_PT)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(pdf.epw - indent, LINE, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


@dataclass(frozen=True)
class Column:
    heading: str
    width: float  # share of the table's width
    align: str = "L"  # L, C or R
    group: str = ""  # a heading over several adjacent columns (e.g. "Năm sinh" over Nam, Nữ)


@dataclass(frozen=True)
class Band:
    """A row across the whole table: a group's heading or a total."""

    text: str
    bold: bool = True


def _headings(table, columns: Sequence[Column]) -> None:
    """One header row, or two when some columns share a group heading (the others then span
    both rows)."""
    if not any(c.group for c in columns):
        row = table.row()
        for c in columns:
            row.cell(c.heading, align="C")
        return
    top, bottom = table.row(), table.row()
    for i, c in enumerate(columns):
        if not c.group:
            top.cell(c.heading, align="C", rowspan=2)
        elif i == 0 or columns[i - 1].group != c.group:
            span = 1
            while i + span < len(columns) and columns[i + span].group == c.group:
                span += 1
            top.cell(c.group, align="C", colspan=span)
        if c.group:
            bottom.cell(c.heading, align="C")


TABLE_GAP = 2.0  # mm below a table


class _BandTable(Table):
    """fpdf2's table, whose band rows keep to the row after them: a village's heading never
    ends a page with its households on the next. (fpdf2 keeps rows joined by a rowspan on one
    page through each row's `pagebreak_height`; a band borrows the next row's. Private to
    fpdf2: tests/reporting/test_pdf.py checks no page ends on a band.)"""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.bands: set[int] = set()
        self.kept: tuple[int, float] = (0, 0.0)  # the last rows kept together, then room

    def _compute_rows_info(self) -> Iterator[RowLayoutInfo]:
        infos = list(super()._compute_rows_info())
        last, room = self.kept  # each of the last rows needs the rows below it and the room
        for i in range(len(infos) - 1, len(infos) - 1 - last, -1):
            below = infos[i + 1].pagebreak_height if i + 1 < len(infos) else room
            infos[i] = replace(infos[i], pagebreak_height=infos[i].height + below)
        for i in sorted(self.bands):
            if i + 1 < len(infos):
                infos[i] = replace(
                    infos[i], pagebreak_height=infos[i].height + infos[i + 1].pagebreak_height
                )
        return iter(infos)


def table(
    pdf: FPDF,
    columns: Sequence[Column],
    rows: Iterable[Sequence[str] | Band],
    keep_last: int = 0,
    then: float = 0.0,
) -> None:
    """A bordered table over the page's width; its header row(s) repeat at the top of every
    page the table runs onto, so each printed page can be read alone. Its last `keep_last`
    rows print on one page with `then` mm below them (what follows the table: a signature)."""
    pdf.set_font(FONT, "", BODY_PT - 1)
    two_rows = any(c.group for c in columns)
    t = _BandTable(
        pdf,
        col_widths=tuple(c.width for c in columns),
        text_align=tuple(c.align for c in columns),
        headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
        num_heading_rows=2 if two_rows else 1,
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
        line_height=LINE,
        padding=(0.8, 1.2),
        v_align="MIDDLE",
    )
    t.kept = (keep_last, then + TABLE_GAP)
    _headings(t, columns)
    for r in rows:
        if isinstance(r, Band):
            t.bands.add(len(t.rows))
            style = FontFace(emphasis="BOLD" if r.bold else "", fill_color=BAND_FILL)
            t.row().cell(r.text, colspan=len(columns), align="L", style=style)
        else:
            row = t.row()
            for text in r:
                row.cell(text)
    t.render()
    pdf.ln(TABLE_GAP)


def signature(
    pdf: FPDF, dated: str, signer_title: str, signer_subtitle: str, room: float = 22.0
) -> None:
    """The signature block at the right half: the place-and-date line (italic), the signer's
    title and subtitle (bold), the note to sign and seal, then `room` mm left blank. Kept on
    one page: it starts a new one rather than split."""
    height = 4 * LINE + room
    if pdf.will_page_break(height + 4):
        pdf.add_page()
    pdf.ln(3)
    x, width = pdf.l_margin + pdf.epw * 0.45, pdf.epw * 0.55
    for text, style in (
        (dated, "I"),
        (signer_title, "B"),
        (signer_subtitle, "B"),
        (SIGN_HERE, "I"),
    ):
        pdf.set_x(x)
        pdf.set_font(FONT, style, BODY_PT if style == "B" else BODY_PT - 1)
        pdf.multi_cell(width, LINE, text, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.ln(room)
    pdf.set_x(pdf.l_margin)
