"""The official report forms of a review year (shared/report-forms.md), from marts.form_counts,
as defined in config/forms.toml: each form's rows (the year's units) and cells, computed here
as data; reporting/forms_excel.py lays them out on paper.

A cell is a number, None (nothing to count) or `NOT_COLLECTED` (the optional column the count
needs was not in the unit's workbooks). Rows come in the order the province sends them:
province total first; before 2025 each district then its communes; from 2025 the communes;
units in Vietnamese dictionary order (reporting.vietnamese.sort_key).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import duckdb
import pandas as pd

import config
from reporting import vietnamese as vi
from schemas.headers import BASE_LABELS

NOT_COLLECTED = "không thu thập"
KEYS = ["scope", "name", "area"]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    group: str = ""
    measure: str | None = None
    status: str | None = None
    category: str | None = None
    value: str | None = None  # households | persons (default: the row's, else households)
    sum: tuple[str, ...] = ()
    rate: tuple[str, ...] = ()
    rate_over: str | None = None
    collected: str | None = None
    hidden: bool = False
    each: str | None = None  # indicator | ethnicity | ethnic_minority | cause: one column each

    @property
    def is_rate(self) -> bool:
        return bool(self.rate or self.rate_over)


@dataclass(frozen=True)
class Form:
    number: str
    sheet: str
    title: str
    rows: str  # units | areas
    pairs: bool
    note: str
    movements: bool  # counts changes against the previous review
    years: tuple[int, int] | None
    columns: tuple[Column, ...]

    def applies_to(self, year: int) -> bool:
        return self.years is None or self.years[0] <= year <= self.years[1]


@dataclass
class FormTable:
    form: Form
    columns: list[Column]  # shown, with `each` expanded
    rows: pd.DataFrame  # label, stt, kind (Hộ | Nhân khẩu | ""), level, reporting_unit, keys
    extra: dict[str, object] = field(default_factory=dict)


def forms() -> list[Form]:
    """config/forms.toml as Forms."""
    out = []
    for f in config.report_forms():
        columns = []
        for i, c in enumerate(f["columns"]):
            spec = {k: tuple(v) if isinstance(v, list) else v for k, v in c.items()}
            columns.append(Column(**({"key": f"c{i}", "header": ""} | spec)))
        out.append(
            Form(
                number=f["number"],
                sheet=f["sheet"],
                title=f["title"],
                rows=f["rows"],
                pairs=bool(f.get("pairs", False)),
                note=f.get("note", ""),
                movements=bool(f.get("movements", False)),
                years=tuple(f["years"]) if "years" in f else None,
                columns=tuple(columns),
            )
        )
    return out


def expand(form: Form, year: int, present: dict[str, list[str]]) -> list[Column]:
    """The form's columns for `year`: an `each` column becomes one column per indicator of the
    year's standard (in its order), ethnic group present (or ethnic-minority group present),
    or cause (config order)."""
    standard = config.standard_for_year(year)
    causes = config.poverty_causes()
    majority = set(config.ethnic_groups().query("not is_ethnic_minority")["ethnicity"])
    names = {
        "indicator": [(i.key, i.name_vi) for i in standard.indicators],
        "ethnicity": [(g, g) for g in present.get("ethnicity", [])],
        # The groups that make up the ethnic-minority column: Kinh has a column of its own.
        "ethnic_minority": [(g, g) for g in present.get("ethnicity", []) if g not in majority],
        "cause": list(zip(causes["cause"], causes["label_vi"], strict=True)),
    }
    out = []
    for column in form.columns:
        if column.each is None:
            out.append(column)
            continue
        for key, header in names[column.each]:
            out.append(
                dataclasses.replace(
                    column, key=f"{column.key}:{key}", header=header, category=key, each=None
                )
            )
    return out


def form_units(con: duckdb.DuckDBPyConnection, year: int, rows: str) -> pd.DataFrame:
    """The rows of a form: (label, stt, level, scope, name, area, reporting_unit) in the order
    the province sends them: the total first (last for the areas form), then the units in
    Vietnamese dictionary order, numbered 1..N (a district's communes 1.1, 1.2 ...); a total
    has no number."""
    province = config.load_province(con.execute("SELECT code FROM ref.province").fetchone()[0])
    m = province.map(year)
    if rows == "areas":
        frames = []
        for area, label in (("urban", "I. Khu vực thành thị"), ("rural", "II. Khu vực nông thôn")):
            frames.append(_unit_rows(province, m, area, label, districts_only=True))
        frames.append(_unit_rows(province, m, "all", "Toàn tỉnh", districts_only=True).iloc[:1])
        return pd.concat(frames, ignore_index=True)
    return _unit_rows(province, m, "all", "Toàn tỉnh", districts_only=False)


def _by_name(names: pd.Series, kinds: pd.Series) -> list[tuple[str, str]]:
    """(name, unit type) in Vietnamese dictionary order of the name (`Chà Tở` before
    `Chiềng Sinh`), not by code point."""
    return sorted(zip(names, kinds, strict=True), key=lambda pair: vi.sort_key(pair[0]))


def _unit_rows(
    province: config.Province, m: config.UnitMap, area: str, total: str, districts_only: bool
) -> pd.DataFrame:
    rows = [(total, "", 0, "province", province.name, area, None)]
    if m.has_districts:
        districts = _by_name(m.districts["district"], m.districts["unit_type"])
        for i, (d, kind) in enumerate(districts, start=1):
            rows.append((vi.unit_name(d, kind, "district"), str(i), 1, "district", d, area, d))
            if districts_only:
                continue
            communes = m.communes[m.communes["district"] == d]
            named = _by_name(communes["commune"], communes["unit_type"])
            for k, (c, ckind) in enumerate(named, start=1):
                rows.append((vi.unit_name(c, ckind), f"{i}.{k}", 2, "commune", c, area, d))
    else:
        communes = _by_name(m.communes["commune"], m.communes["unit_type"])
        for i, (c, kind) in enumerate(communes, start=1):
            rows.append((vi.unit_name(c, kind), str(i), 1, "commune", c, area, c))
    return pd.DataFrame(rows, columns=["label", "stt", "level", *KEYS, "reporting_unit"])


def form_table(form: Form, year: int, units: pd.DataFrame, counts: pd.DataFrame) -> FormTable:
    """The form's rows and cells for `year` from the year's marts.form_counts rows."""
    present = {
        "ethnicity": sorted(
            counts.loc[
                (counts["measure"] == "ethnicity") & counts["status"].isin(["poor", "near_poor"]),
                "category",
            ].unique(),
            key=vi.sort_key,
        )
    }
    columns = expand(form, year, present)
    kinds = [("Hộ", "households"), ("Nhân khẩu", "persons")] if form.pairs else [("", None)]
    frames = []
    for kind, value in kinds:
        rows = units.reset_index(drop=True).assign(kind=kind)
        cells: dict[str, pd.Series] = {}
        for column in _in_dependency_order(columns):
            cells[column.key] = _cell(column, value, rows, counts, cells)
        ordered = {c.key: cells[c.key] for c in columns}
        frames.append(pd.concat([rows, pd.DataFrame(ordered)], axis=1))
    # Unit by unit, its households row then its persons row.
    table = pd.concat(frames).sort_index(kind="stable").reset_index(drop=True)
    return FormTable(form, [c for c in columns if not c.hidden], table)


def uncounted_line(table: FormTable) -> str | None:
    """The province's households that a group of one column each over an optional column (form
    10: a column per cause of poverty) leaves out, by status: their workbooks left that column
    blank or wrote a value outside the list (warning HH019). Without this line the group
    silently added up to less than the form's total of the status."""
    province = table.rows[(table.rows["scope"] == "province") & (table.rows["kind"] != "Nhân khẩu")]
    if province.empty:
        return None
    row = province.iloc[0]
    missing = []
    for status, collected, keys in _each_groups(table.columns):
        total = next(
            (c.key for c in table.columns if c.measure == "status" and c.status == status), None
        )
        cells = [row[k] for k in keys]
        if total is None or any(isinstance(v, str) for v in cells):  # not collected at all
            continue
        left_out = int(row[total] - sum(cells))
        if left_out > 0:
            missing.append((left_out, vi.STATUS_VI[status].lower(), collected))
    if not missing:
        return None
    counts = ", ".join(f"{vi.number(n)} {label}" for n, label, _ in missing)
    what = BASE_LABELS[missing[0][2]][0].lower()
    return (
        f"Toàn tỉnh có {counts} không ghi {what} hoặc ghi ngoài danh mục: các hộ này không "
        f"được tính vào cột {what} nào."
    )


def _each_groups(columns: list[Column]) -> list[tuple[str, str, list[str]]]:
    """(status, optional column, column keys) of each group of one column each (`each`) over
    an optional column, in form order."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for c in columns:
        if c.collected and ":" in c.key and c.status:
            groups.setdefault((c.key.split(":")[0], c.status, c.collected), []).append(c.key)
    return [(status, collected, keys) for (_, status, collected), keys in groups.items()]


def _in_dependency_order(columns: list[Column]) -> list[Column]:
    """Columns ordered so that a sum, difference or rate comes after the columns it uses."""
    done: set[str] = set()
    out: list[Column] = []
    pending = list(columns)
    while pending:
        ready = [c for c in pending if set(c.sum) | set(c.rate) | {c.rate_over} - {None} <= done]
        if not ready:
            raise ValueError(f"form columns refer to unknown columns: {[c.key for c in pending]}")
        out += ready
        done |= {c.key for c in ready}
        pending = [c for c in pending if c not in ready]
    return out


def _cell(
    column: Column,
    row_value: str | None,
    rows: pd.DataFrame,
    counts: pd.DataFrame,
    done: dict[str, pd.Series],
) -> pd.Series:
    """One column's values for every row (a unit and an area)."""
    if column.sum:
        return sum((_numbers(done[k]) for k in column.sum), pd.Series(0.0, index=rows.index))
    if column.rate:
        num, den = (_numbers(done[k]) for k in column.rate)
        return (100.0 * num / den.where(den != 0)).round(2)
    value = column.value or row_value or "households"
    counted = _count(counts, column, value, rows)
    if column.rate_over:
        den = _numbers(done[column.rate_over])
        counted = (100.0 * counted / den.where(den != 0)).round(2)
    if column.collected:
        collected = _count(
            counts,
            Column(
                key="",
                header="",
                measure="collected",
                status=column.status,
                category=column.collected,
            ),  # fmt: skip
            "households",
            rows,
        )
        counted = counted.astype(object).where(collected > 0, NOT_COLLECTED)
    return counted


def _count(counts: pd.DataFrame, column: Column, value: str, rows: pd.DataFrame) -> pd.Series:
    picked = counts[counts["measure"] == column.measure]
    if column.status is not None:
        picked = picked[picked["status"] == column.status]
    if column.category is not None:
        picked = picked[picked["category"] == column.category]
    summed = picked.groupby(KEYS)[value].sum()
    keys = pd.MultiIndex.from_frame(rows[KEYS])
    return pd.Series(summed.reindex(keys).fillna(0).to_numpy(dtype=float), index=rows.index)


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype(float)


def year_counts(con: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    return con.execute("SELECT * FROM marts.form_counts WHERE year = ?", [year]).df()
