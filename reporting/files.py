"""`census report --year Y`: the year's Excel workbook, HTML report and slide charts (PNG)."""

from __future__ import annotations

from pathlib import Path

from reporting import charts
from reporting.data import ReportData, load
from reporting.excel import write_excel
from reporting.html import write_html


def province_targets(data: ReportData) -> dict[str, float]:
    """This year's rate targets, keyed as the trend chart draws them."""
    g = data.target_gap
    rates = g[(g["scope"] == "province") & (g["unit"] == "percent")]
    out = dict(zip(rates["indicator"], rates["target"], strict=True))
    poor = g[(g["scope"] == "poor_districts") & (g["indicator"] == "poverty_rate")]
    if len(poor):
        out["poor_districts"] = float(poor["target"].iloc[0])
    return out


def write_reports(warehouse: Path, year: int, out_dir: Path) -> list[Path]:
    """Write every report of `year` under `out_dir`; returns the files written."""
    data = load(warehouse, year)
    targets = province_targets(data)
    pngs = {
        "districts": charts.district_rates(data),
        "trend": charts.province_trend(data, targets),
        "ethnic": charts.minority_vs_overall(data, targets.get("ethnic_minority_poverty_rate")),
        "flows": charts.status_flows(data),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [
        write_excel(data, out_dir / f"bao-cao-ho-ngheo-{year}.xlsx"),
        write_html(data, pngs, out_dir / f"bao-cao-ho-ngheo-{year}.html"),
    ]
    for name, png in pngs.items():
        path = out_dir / f"bieu-do-{name}-{year}.png"
        path.write_bytes(png)
        written.append(path)
    return written
