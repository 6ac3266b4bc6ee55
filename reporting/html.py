"""The year's HTML report: one self-contained file (charts inline as base64 PNG, no link to
anything outside it), readable in any browser and printable.

A small inline script marks `<body data-charts-rendered="N/M">` once the page has loaded,
counting the charts the browser decoded; `make check-report` reads it from headless Chromium.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from reporting import tables
from reporting.data import ReportData
from reporting.vietnamese import (
    MISSING,
    MOTTO,
    ON_TRACK_VI,
    SIGN_HERE,
    SIGN_NAME,
    UNIT_VI,
    dated_at,
    number,
)

CSS = """
body { font-family: "Segoe UI", "Noto Sans", Arial, sans-serif; margin: 2rem auto;
       max-width: 1100px; color: #1b1f24; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; font-size: 1.25rem;
     border-bottom: 2px solid #1f5fa8; padding-bottom: 0.2rem; }
.lead { color: #555; } figure { margin: 1rem 0; } figure img { max-width: 100%; }
figcaption { color: #555; font-size: 0.9rem; }
table { border-collapse: collapse; font-size: 0.88rem; margin: 0.8rem 0; }
th, td { border: 1px solid #c8d0da; padding: 0.25rem 0.5rem; }
th { background: #dce6f1; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; } .ok { color: #2e8b57; } .miss { color: #c0392b; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; }
.card { border: 1px solid #c8d0da; border-radius: 6px; padding: 0.6rem 1rem; min-width: 12rem; }
.card b { font-size: 1.5rem; display: block; }
.letterhead, .signature { display: flex; justify-content: space-between; text-align: center; }
.signature { margin-top: 2rem; } .signature div { min-width: 18rem; min-height: 7rem; }
p.note { font-size: 0.85rem; font-style: italic; color: #444; }
p.empty { border: 1px solid #c8d0da; padding: 0.5rem 0.8rem; background: #f6f8fa; }
@media print { h2 { page-break-before: auto; } figure { page-break-inside: avoid; } }
"""

SCRIPT = """
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.querySelectorAll("img.chart"));
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  document.body.setAttribute("data-charts-rendered", ok + "/" + imgs.length);
});
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _img(name: str, png: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img class="chart" id="chart-{name}" alt="{_e(alt)}" '
        f'src="data:image/png;base64,{data}"><figcaption>{_e(caption)}</figcaption></figure>'
    )


def _cell(value: object, kind: str, record: dict) -> str:
    if kind == "amount":  # a target's figure: households, else points
        kind = "count" if record.get("unit") == UNIT_VI["households"] else "points"
    if kind == "text":
        return f"<td>{_e('' if value is None or value is pd.NA else value)}</td>"
    if kind == "flag":
        return f"<td>{'x' if value is True else ''}</td>"
    if kind == "verdict":
        if value is True or value is False:
            return f'<td class="{"ok" if value else "miss"}">{ON_TRACK_VI[value]}</td>'
        return f"<td>{MISSING}</td>"
    if kind == "count":
        return f'<td class="n">{number(value)}</td>'
    return f'<td class="n">{number(value, 2)}</td>'


def _table(table: tables.Table) -> str:
    """The columns the table declares for the page, headed as in the workbook; a table without
    rows says why instead."""
    note = f'<p class="note">{_e(table.note)}</p>' if table.note else ""
    if table.rows.empty and table.empty:
        return f'<p class="empty">{_e(table.empty)}</p>{note}'
    columns = table.html_columns()
    head = "".join(f"<th>{_e(c.header)}</th>" for c in columns)
    rows = []
    for i, record in enumerate(table.rows.to_dict("records")):
        cells = "".join(_cell(record.get(c.key), c.kind, record) for c in columns)
        total = ' class="total"' if table.total_last and i == len(table.rows) - 1 else ""
        rows.append(f"<tr{total}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{note}"


def _heading(data: ReportData) -> str:
    """The issuing body and the national motto, as on the printed forms."""
    body = _e(data.config.meta["issuing_body"])
    return (
        f'<div class="letterhead"><div><b>{body}</b></div>'
        f"<div><b>{_e(MOTTO[0])}</b><br><u>{_e(MOTTO[1])}</u></div></div>"
    )


def _signature(data: ReportData) -> str:
    """Place and date, the signer and room to sign (right); Người lập biểu (left)."""
    meta = data.config.meta
    return (
        '<div class="signature"><div><b>'
        f"{_e(meta['preparer_title'])}</b><br><i>{_e(SIGN_NAME)}</i></div>"
        f"<div><i>{_e(dated_at(str(meta['place'])))}</i><br><b>{_e(meta['signer_title'])}<br>"
        f"{_e(meta['signer_subtitle'])}</b><br><i>{_e(SIGN_HERE)}</i></div></div>"
    )


def write_html(data: ReportData, charts: dict[str, bytes], path: Path) -> Path:
    """Write the year's report to `path` and return it."""
    cards = _cards(data)
    body = (_heading(data), _intro(data, cards), _sections(data, charts), _signature(data), "\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_page(data, "".join(body)), encoding="utf-8")
    return path


def _cards(data: ReportData) -> list[tuple[str, str, str]]:
    """The year's headline figures for the province: (title, figure, note)."""
    year, prev = data.year, data.previous_year
    trend = data.trend
    province = trend[(trend["scope"] == "province") & (trend["year"] == year)].iloc[0]
    total = data.summary[data.summary["unit"] == "total"].iloc[0]
    return [
        (
            "Tỷ lệ hộ nghèo",
            f"{number(province['poverty_rate'], 2)}%",
            f"{number(province['poor'])} / {number(province['households'])} hộ",
        ),
        (
            "Tỷ lệ hộ nghèo DTTS",
            f"{number(province['ethnic_minority_poverty_rate'], 2)}%",
            "trên tổng số hộ dân tộc thiểu số",
        ),
        ("Tỷ lệ hộ cận nghèo", f"{number(province['near_poor_rate'], 2)}%", ""),
        (
            "Thoát nghèo / tái nghèo / phát sinh",
            f"{number(total['poor_escaped'])} / {number(total['poor_relapsed'])} / "
            f"{number(total['poor_newly'])}",
            f"so với năm {prev}" if prev else "năm đầu tiên",
        ),
    ]


def _intro(data: ReportData, cards: list[tuple[str, str, str]]) -> str:
    """The title, what the rates are and where they come from, the headline figures."""
    year, prev = data.year, data.previous_year
    shown = "".join(f'<div class="card">{_e(t)}<b>{_e(v)}</b>{_e(s)}</div>' for t, v, s in cards)
    return f"""
<h1>Báo cáo rà soát hộ nghèo, hộ cận nghèo năm {year}: {_e(data.province)}</h1>
<p class="lead">Tỷ lệ tính trên số hộ (không phải số người); so sánh với năm {prev or "–"}.
Nguồn: kho dữ liệu rà soát hộ nghèo, hộ cận nghèo của tỉnh (tỷ lệ, biến động, chỉ tiêu).</p>
<div class="cards">{shown}</div>
"""


def _figures(charts: dict[str, bytes], data: ReportData) -> dict[str, str]:
    """Each chart as a figure with its alternative text and caption."""
    by_district = data.unit_scope == "district"
    has_targets = not data.target_gap.empty
    captions = {
        "districts": (
            f"Tỷ lệ hộ nghèo theo {data.units.name}",
            "Cột: năm nay; chấm xám: năm trước"
            + (
                "; vạch đỏ: tỷ lệ phải đạt của huyện nghèo (năm trước trừ mức giảm chỉ tiêu)."
                if by_district
                else "."
            ),
        ),
        "trend": (
            "Xu hướng tỷ lệ hộ nghèo toàn tỉnh",
            "Các năm có trong kho dữ liệu"
            + (f"; ngôi sao: chỉ tiêu năm {data.year}." if has_targets else "."),
        ),
        "ethnic": (
            _ethnic_alt(data),
            "Tỷ lệ hộ nghèo DTTS = hộ nghèo DTTS / tổng số hộ DTTS. "
            + tables.ethnic_chart_note(data),
        ),
        "flows": (
            "Biến động giữa các nhóm hộ",
            "Hàng: tình trạng năm trước; cột: năm nay. Hộ mới và hộ không còn được tính riêng.",
        ),
    }
    return {
        name: _img(name, charts[name], alt, caption) for name, (alt, caption) in captions.items()
    }


def _ethnic_alt(data: ReportData) -> str:
    """The ethnic chart's bars in words, for whoever cannot see it."""
    c = data.ethnic_chart
    bars = "; ".join(
        f"{label} {number(rate, 2)}% ({number(households)} hộ)"
        for label, rate, households in zip(
            tables.ethnic_chart_labels(data), c["poverty_rate"], c["households"], strict=True
        )
    )
    return f"Tỷ lệ hộ nghèo dân tộc thiểu số so với chung; theo dân tộc năm {data.year}: {bars}"


def _sections(data: ReportData, charts: dict[str, bytes]) -> str:
    """Sections 1-6: the charts with their tables, the targets, the quality of the data."""
    figure = _figures(charts, data)
    against = "chỉ tiêu và năm trước" if data.unit_scope == "district" else "năm trước"
    return f"""
<h2>1. Tỷ lệ hộ nghèo theo {_e(data.units.name)}, so với {against}</h2>
{figure["districts"]}
{_table(tables.districts(data))}

<h2>2. Xu hướng toàn tỉnh qua các năm</h2>
{figure["trend"]}

<h2>3. Hộ dân tộc thiểu số so với chung</h2>
{figure["ethnic"]}

<h2>4. Biến động giữa các nhóm hộ</h2>
{figure["flows"]}
<h3>Biểu tổng hợp</h3>
{_table(tables.summary_form(data))}

<h2>5. Chỉ tiêu kế hoạch</h2>
{_table(tables.target_gap(data))}

<h2>6. Chất lượng số liệu</h2>
{_table(tables.quality(data.quality, data.year))}
"""


def _page(data: ReportData, body: str) -> str:
    """The whole document around `body`: its title, style and the charts' check."""
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Báo cáo hộ nghèo năm {data.year}: {_e(data.province)}</title>"
        f"<style>{CSS}</style></head>\n<body>{body}<script>{SCRIPT}</script></body></html>\n"
    )
