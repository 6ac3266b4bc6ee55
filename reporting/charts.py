"""The report's charts (matplotlib, Agg backend: no display needed), as PNG bytes.

Each function takes the frames of `reporting.data.ReportData` and returns one figure's PNG; the
HTML report embeds the same bytes the slides get as files. Numbers are written the Vietnamese
way (37,08%).
"""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from reporting import tables  # noqa: E402
from reporting.data import ReportData  # noqa: E402
from reporting.vietnamese import STATUS_VI, number  # noqa: E402

DPI = 110
BLUE, GREY, RED, ORANGE, GREEN = "#1f5fa8", "#9aa5b1", "#c0392b", "#e08e0b", "#2e8b57"
PERCENT = FuncFormatter(lambda v, _: f"{number(v, 0)}%")


def _png(fig: Figure) -> bytes:
    """The figure as PNG, carrying its titles and the words on it as the file's Title and
    Description, for whoever finds the file on its own (a slide, a search, a test)."""
    fig.canvas.draw()  # the tick labels are set only when drawn
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    metadata = {"Title": " / ".join(titles), "Description": "\n".join(_words(fig))}
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata=metadata)
    plt.close(fig)
    return buffer.getvalue()


def _words(fig: Figure) -> list[str]:
    """Titles, axis labels, tick labels, legends and notes of a drawn figure (not the figures
    written on its bars)."""
    texts = []
    for ax in fig.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        texts += [t.get_text() for t in (*ax.get_xticklabels(), *ax.get_yticklabels())]
        legend = ax.get_legend()
        texts += [t.get_text() for t in legend.get_texts()] if legend else []
    texts += [t.get_text() for t in fig.texts]
    return [t for t in texts if t]


def district_rates(data: ReportData) -> bytes:
    """Each reporting unit's poverty rate this year (districts up to 2024, communes and wards
    from 2025), last year's beside it, and a poor district's target (last year's rate minus
    the target cut)."""
    d = data.districts.iloc[::-1]
    y = np.arange(len(d))
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(d) + 1.6))
    ax.barh(y, d["poverty_rate"], color=BLUE, height=0.6, label=f"Năm {data.year}")
    if data.previous_year is not None:
        ax.scatter(
            d["previous_rate"], y, color=GREY, zorder=3, s=40, label=f"Năm {data.previous_year}"
        )
    targets = d["target_rate"].notna()
    if targets.any():
        ax.scatter(
            d.loc[targets, "target_rate"],
            y[targets.to_numpy()],
            marker="|",
            s=400,
            linewidths=3,
            color=RED,
            zorder=4,
            label="Chỉ tiêu (huyện nghèo)",
        )
    right = d[["poverty_rate", "previous_rate", "target_rate"]].max(axis=1)
    for yi, rate, x in zip(y, d["poverty_rate"], right, strict=True):
        ax.text(x + 1.2, yi, f"{number(rate, 2)}%", va="center", fontsize=8)
    ax.set_yticks(
        y, [f"{n} *" if p else n for n, p in zip(d["district"], d["is_poor_district"], strict=True)]
    )
    ax.xaxis.set_major_formatter(PERCENT)
    ax.set_xlim(0, max(right.max() * 1.18, 1.0))  # every rate 0 (a tiny test province)
    poor = " (* huyện nghèo)" if data.unit_scope == "district" else ""
    ax.set_title(f"Tỷ lệ hộ nghèo theo {data.units.name}, năm {data.year}{poor}")
    ax.set_ylabel(data.units.header)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def province_trend(data: ReportData, targets: dict[str, float]) -> bytes:
    """The province's rates over every census year in the warehouse, with this year's targets."""
    t = data.trend
    province = t[t["scope"] == "province"]
    poor_districts = t[t["scope"] == "poor_districts"]
    poor_label = "Tỷ lệ hộ nghèo các huyện nghèo"
    if not poor_districts.empty and poor_districts["year"].max() < data.year:
        # No districts since 1 July 2025: the line is history, and says where it ends.
        poor_label += f" (đến năm {poor_districts['year'].max()})"
    fig, ax = plt.subplots(figsize=(9, 4.5))
    lines = [
        (province, "poverty_rate", "Tỷ lệ hộ nghèo toàn tỉnh", BLUE),
        (province, "ethnic_minority_poverty_rate", "Tỷ lệ hộ nghèo DTTS", ORANGE),
        (poor_districts, "poverty_rate", poor_label, RED),
        (province, "near_poor_rate", "Tỷ lệ hộ cận nghèo", GREEN),
    ]
    for frame, column, label, color in lines:
        if frame.empty:
            continue
        ax.plot(frame["year"], frame[column], marker="o", color=color, label=label)
        last = frame.iloc[-1]
        ax.annotate(
            f"{number(last[column], 2)}%",
            (last["year"], last[column]),
            textcoords="offset points",
            xytext=(6, 0),
            fontsize=8,
            color=color,
        )
    for key, color in (
        ("poverty_rate", BLUE),
        ("ethnic_minority_poverty_rate", ORANGE),
        ("poor_districts", RED),
        ("near_poor_rate", GREEN),
    ):
        if key in targets:
            ax.scatter(
                [data.year],
                [targets[key]],
                marker="*",
                s=180,
                color=color,
                edgecolor="black",
                zorder=5,
            )
    if targets:  # a year no target covers has no star to explain
        ax.scatter(
            [],
            [],
            marker="*",
            s=120,
            color="white",
            edgecolor="black",
            label=f"Chỉ tiêu năm {data.year}",
        )
    ax.set_xticks(sorted(t["year"].unique()))
    ax.yaxis.set_major_formatter(PERCENT)
    ax.set_ylim(0, None)
    ax.set_title(f"{data.province}: xu hướng qua các năm")
    ax.set_xlim(t["year"].min() - 0.3, t["year"].max() + 0.5)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3)
    ax.grid(alpha=0.3)
    return _png(fig)


def minority_vs_overall(data: ReportData, target: float | None) -> bytes:
    """Ethnic-minority poverty rate beside the overall rate, each year, and by ethnic group:
    every group above the threshold, the smaller ones together (data.ETHNIC_CHART), the rule
    said under the chart."""
    province = data.trend[data.trend["scope"] == "province"]
    groups = data.ethnic_chart
    fig, (left, right) = plt.subplots(
        1,
        2,
        figsize=(11, max(4.5, 0.32 * len(groups) + 2)),
        gridspec_kw={"width_ratios": [1, 1.3]},
        layout="constrained",  # room for the groups' names, the legends and the note
    )
    x = np.arange(len(province))
    left.bar(x - 0.2, province["poverty_rate"], 0.4, color=BLUE, label="Chung toàn tỉnh")
    left.bar(
        x + 0.2,
        province["ethnic_minority_poverty_rate"],
        0.4,
        color=ORANGE,
        label="Hộ dân tộc thiểu số",
    )
    if target is not None:
        left.axhline(
            target,
            color=RED,
            linestyle="--",
            linewidth=1.2,
            label=f"Chỉ tiêu DTTS {number(target, 2)}%",
        )
    left.set_xticks(x, province["year"].astype(str))
    left.yaxis.set_major_formatter(PERCENT)
    left.set_title("Tỷ lệ hộ nghèo: DTTS và chung")
    left.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2)
    left.grid(axis="y", alpha=0.3)

    # orange: ethnic minorities; blue: Kinh; grey: a bar of both (Khác)
    colors = [{True: ORANGE, False: BLUE}.get(m, GREY) for m in groups["is_ethnic_minority"]]
    y = np.arange(len(groups))[::-1]  # the largest group on top, "Khác" at the foot
    right.barh(y, groups["poverty_rate"], color=colors)
    right.set_yticks(y, tables.ethnic_chart_labels(data))
    overall = province["poverty_rate"].iloc[-1]
    right.axvline(overall, color="black", linewidth=1, label=f"Chung {number(overall, 2)}%")
    right.xaxis.set_major_formatter(PERCENT)
    right.set_title(f"Theo dân tộc, năm {data.year}")
    right.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08))
    right.grid(axis="x", alpha=0.3)
    note = textwrap.fill(tables.ethnic_chart_note(data), 150)
    fig.text(0.5, -0.02, note, ha="center", va="top", fontsize=8, style="italic")
    return _png(fig)


def status_flows(data: ReportData) -> bytes:
    """Households by last year's status (rows) and this year's (columns), as a grid of counts."""
    m = data.flows
    fig, ax = plt.subplots(figsize=(9, 4.8))
    if m.empty:
        ax.text(
            0.5,
            0.5,
            f"Năm {data.year} là năm đầu tiên trong kho dữ liệu: chưa có biến động",
            ha="center",
            va="center",
        )
        ax.set_axis_off()
        return _png(fig)
    shown = np.log1p(m.to_numpy())
    ax.imshow(shown, cmap="Blues", aspect="auto")
    for (i, j), value in np.ndenumerate(m.to_numpy()):
        ax.text(
            j,
            i,
            number(value),
            ha="center",
            va="center",
            fontsize=9,
            color="white" if shown[i, j] > shown.max() * 0.6 else "black",
        )
    wrap = {k: textwrap.fill(v, 16) for k, v in STATUS_VI.items()}
    ax.set_xticks(range(len(m.columns)), [wrap[c] for c in m.columns], fontsize=8)
    ax.set_yticks(range(len(m.index)), [wrap[c] for c in m.index], fontsize=8)
    ax.set_xlabel(f"Năm {data.year}")
    ax.set_ylabel(f"Năm {data.previous_year}")
    ax.set_title(f"Biến động giữa các nhóm hộ, {data.previous_year} → {data.year}")
    return _png(fig)
