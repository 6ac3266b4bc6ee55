"""The household schemas: pandera models in two stages, run lazily so every problem is reported.

Stage 1 (`text_schema`) checks the text as read: required cells are filled and each cell parses
(numbers, flags, area, ID numbers). Stage 2 (`typed_schema`) checks the parsed values against
the rules: allowed districts, communes and ethnic groups, ranges, score consistency and unique
household ids. A third schema (`warning_schema`) flags rows to check without rejecting them.
Every check is named by its rule code in schemas/rules.py.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.engines import pandas_engine

import config
from schemas.duplicates import other_places
from schemas.headers import BASE_LABELS, vietnamese_label
from schemas.rules import (
    HOUSEHOLD_SIZE_RANGE,
    INCOME_CEILING,
    INCOME_PLAUSIBLE_MAX_MULTIPLE,
    INCOME_PLAUSIBLE_MIN_SHARE,
    RULES,
    SCORE_RANGE,
)
from transforms import normalise, units

# Columns every sheet must have, each with the rule a blank cell breaks (workbook-layout.md):
# the district only on a map with districts (reviews up to 2024). A row with neither income
# nor scores nor a deprivation marked was not reviewed this year (HH009 otherwise). A sheet
# missing one of them is a structural fault (WB005, `sheet_findings`).
REQUIRED = {
    "household_id": "HH001",
    "head_name": "HH002",
    "district": "HH003",
    "commune": "HH004",
    "village": "HH005",
    "area": "HH006",
    "ethnicity": "HH007",
    "household_size": "HH008",
}
# Every base column of the layout, as text (indicator columns come from the standard).
TEXT_KEYS = tuple(BASE_LABELS)
FLAG_KEYS = ("meritorious", "no_working_capacity", "social_protection")
# A household id's shape when the province config sets none: letters without diacritics,
# digits and . _ / - (no space), as config/provinces/*/province.toml `household_id_pattern`.
DEFAULT_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._/-]{0,29}"

FINDING_COLUMNS = ["row", "column_key", "value", "rule_code", "severity", "detail"]


class _Text(pandas_engine.STRING):
    """pandas' text dtype (`str`, what `pa.Column(str)` declares), one answer a column. For
    a column of that dtype pandera's own check answers an all-True array, whose empty failure
    report it then formats (a frame's repr) for every text column: ~1 ms a column, 0.2 s of
    validation for the sample province. Any other dtype is pandera's to judge, as before."""

    def check(self, pandera_dtype, data_container=None):
        try:
            if pandas_engine.Engine.dtype(pandera_dtype).type == self.type:
                return True
        except TypeError:
            pass
        return super().check(pandera_dtype, data_container)


TEXT_DTYPE = _Text()  # the dtype of every text column in the schemas below


def _check(code: str, fn, **kwargs) -> pa.Check:
    """A vectorised check named by its rule code (pandera reports the name)."""
    return pa.Check(fn, name=code, **kwargs)


class _ParseOnce:
    """Each column of one text frame parsed once: the stage-1 checks and `typed_households`
    share the result (parsing is most of validation's cost; it used to run twice)."""

    def __init__(self, text: pd.DataFrame) -> None:
        self.text, self.done = text, {}

    def __call__(self, parser, key: str) -> pd.Series:
        if (parser, key) not in self.done:
            self.done[parser, key] = parser(self.text[key])
        return self.done[parser, key]


def _parses(parser, code: str, key: str = "", parsed: _ParseOnce | None = None) -> pa.Check:
    """The cell is blank or parses (blanks are the required-rules' business). With `parsed`,
    the column `key` of the frame being validated is parsed through it, once."""
    if parsed is None:
        return _check(code, lambda s: s.isna() | parser(s).notna(), ignore_na=False)
    return _check(code, lambda s: s.isna() | parsed(parser, key).notna(), ignore_na=False)


def _required(code: str) -> pa.Check:
    return _check(code, lambda s: s.notna(), ignore_na=False)


def required_columns(has_districts: bool) -> dict[str, str]:
    """The required columns of a review's workbooks, each with the rule a blank cell breaks."""
    return {k: code for k, code in REQUIRED.items() if has_districts or k != "district"}


def not_reviewed(text: pd.DataFrame, indicator_keys: list[str]) -> pd.Series:
    """Rows with neither income nor a score nor any deprivation marked: households listed but
    not reviewed this year, counted as residents, neither poor nor near-poor (poverty-
    standards.md, "Rates and changes"); never a rejection."""
    blank = text[["income_per_capita", "income_score", "deprivation_score"]].isna().all(axis=1)
    marked = text[indicator_keys].notna().any(axis=1) if indicator_keys else False
    return blank & ~marked


def sheet_findings(
    columns: dict[str, set[str]],
    standard: config.Standard,
    has_districts: bool,
    income_units: tuple[tuple[str, float], ...] = (),
    title_years: dict[str, tuple[int, ...]] | None = None,
    year: int | None = None,
) -> tuple[pd.DataFrame, SheetFacts]:
    """Structural faults of each sheet, from the column keys it carries (`columns`: sheet ->
    keys): a required column missing (WB005), indicator columns not those of the review's
    standard (WB012 missing, WB013 another standard's), a title naming years none of which is
    the review's `year` or the next, which its lists are for (WB018: last year's list in this
    year's folder). Returns the findings (sheet, code, detail) and the facts validation needs
    about the sheets."""
    own = set(standard.indicator_keys)
    others = set(config.all_indicator_keys()) - own
    rows, complete = [], set()
    for sheet, keys in columns.items():
        missing = [k for k in required_columns(has_districts) if k not in keys]
        scores = {"income_score", "deprivation_score"} <= keys
        if "income_per_capita" not in keys and not scores:
            missing.append("income_per_capita")
        # Details name columns by their Vietnamese header, as the officer's file would.
        if missing:
            rows.append((sheet, "WB005", ", ".join(vietnamese_label(k, standard) for k in missing)))
        present = own & keys
        if present == own:
            complete.add(sheet)
        elif present or not scores:
            lacking = [
                vietnamese_label(k, standard) for k in standard.indicator_keys if k not in keys
            ]
            rows.append((sheet, "WB012", f"chuẩn {standard.period}: " + ", ".join(lacking)))
        if others & keys:
            alien = ", ".join(sorted(vietnamese_label(k) for k in others & keys))
            rows.append((sheet, "WB013", f"chuẩn {standard.period} không có: {alien}"))
        # A review decides the following year's lists (poverty-standards.md): a 2026 list
        # may be titled "năm 2027", the year it applies to.
        named = (title_years or {}).get(sheet, ())
        if year is not None and named and not {year, year + 1} & set(named):
            said = ", ".join(map(str, named))
            rows.append((sheet, "WB018", f"tiêu đề ghi năm {said}, tệp thuộc năm {year}"))
    found = pd.DataFrame(rows, columns=["sheet", "code", "detail"])
    misfits = frozenset(found.loc[found["code"].isin(["WB012", "WB013"]), "sheet"])
    carried = tuple((sheet, frozenset(keys)) for sheet, keys in columns.items())
    return found, SheetFacts(income_units, frozenset(complete), misfits, carried)


def text_schema(
    indicator_keys: list[str],
    has_districts: bool,
    parsed: _ParseOnce | None = None,
    misfit_sheets: frozenset[str] = frozenset(),
) -> pa.DataFrameSchema:
    """Stage 1: the text as read. `parsed`: the parses of the frame to be validated, shared
    with `typed_households` (the schema is then for that frame only)."""
    checks: dict[str, list[pa.Check]] = {key: [] for key in TEXT_KEYS}
    for key, code in required_columns(has_districts).items():
        checks[key].append(_required(code))
    for key, parser, code in (
        ("household_size", normalise.parse_count, "HH010"),
        ("income_per_capita", normalise.parse_money, "HH011"),
        ("income_score", normalise.parse_number, "HH012"),
        ("deprivation_score", normalise.parse_number, "HH013"),
        ("area", normalise.parse_area, "HH016"),
        ("head_id_number", normalise.id_digits, "HH017"),
        ("commune_classification", normalise.parse_classification, "HH018"),
        ("poverty_cause", normalise.parse_cause, "HH019"),
        ("head_sex", normalise.parse_sex, "HH037"),
        *((flag, normalise.parse_flag, "HH015") for flag in FLAG_KEYS),
    ):
        checks[key].append(_parses(parser, code, key, parsed))
    columns = {key: pa.Column(TEXT_DTYPE, checks[key], nullable=True) for key in TEXT_KEYS}
    columns |= {
        key: pa.Column(
            TEXT_DTYPE, [_parses(normalise.parse_indicator, "HH014", key, parsed)], nullable=True
        )
        for key in indicator_keys
    }
    income_or_scores = _check(
        "HH009",
        lambda df: (
            df["income_per_capita"].notna()
            | (df["income_score"].notna() & df["deprivation_score"].notna())
            | not_reviewed(df, indicator_keys)
        ),
        ignore_na=False,
    )
    # Rows of a sheet whose indicator columns are not the standard's would be classified on
    # a partial or foreign list of deprivations: rejected, with the sheet's WB012/WB013.
    standard_columns = _check("HH034", lambda df: ~df["sheet"].isin(misfit_sheets), ignore_na=False)
    return pa.DataFrameSchema(columns, checks=[income_or_scores, standard_columns], strict=False)


# A commune only a few rows of a workbook name, beside another its other rows name (a
# neighbour's name typed in a commune's own list): a slip, not one of the workbook's units,
# which it would replace with those rows (Mường Chà's 3,134 households by one row, the run
# "completed"). Its rows are rejected (HH043). A province's export of every commune names each
# in hundreds of rows.
STRAY_ROWS = 10
STRAY_SHARE = 0.01


def stray_units(units: pd.Series) -> pd.Series:
    """Whether each row names a stray unit: fewer than STRAY_ROWS rows, and at most
    STRAY_SHARE of the rows naming one, name it, beside another unit."""
    counts = units.value_counts()
    if len(counts) < 2:
        return pd.Series(False, index=units.index)
    few = counts[(counts < STRAY_ROWS) & (counts <= STRAY_SHARE * counts.sum())].index
    return units.isin(few) & (len(few) < len(counts))


def typed_schema(
    indicator_keys: list[str],
    points_per_indicator: int,
    has_districts: bool,
    id_pattern: str = DEFAULT_ID_PATTERN,
) -> pa.DataFrameSchema:
    """Stage 2: the parsed values against the rules. On a map with districts a commune must
    be of the row's district and a workbook is about one district; from 2025 a commune must
    be one of the province's units of the year. Household ids are compared in their canonical
    form (`normalise.canonical_id`), so look-alikes are duplicates (HH030), and must have the
    province's shape (HH035), not an ID number's (HH036)."""
    lo, hi = HOUSEHOLD_SIZE_RANGE
    score_lo, score_hi = SCORE_RANGE

    def score_agrees(df: pd.DataFrame) -> pd.Series:
        # Only where the sheet carries the indicator columns: a scores-only sheet is
        # classified by its scores (workbook-layout.md, deprivation_score).
        count = df[indicator_keys].sum(axis=1) if indicator_keys else 0
        return (
            df["deprivation_score"].isna()
            | ~df["has_indicator_columns"]
            | (df["deprivation_score"] == count * points_per_indicator)
        )

    def workbook_district(s: pd.Series) -> pd.Series:
        main = s.mode()
        return s.isna() | (s == main.iloc[0]) if len(main) else s.isna()

    known_district = _check(
        "HH020", lambda df: df["district_text"].isna() | df["district"].notna(), ignore_na=False
    )
    commune_of_district = _check(
        "HH021",
        lambda df: df["commune_text"].isna() | df["district"].isna() | df["commune"].notna(),
        ignore_na=False,
    )
    commune_of_province = _check(
        "HH033", lambda df: df["commune_text"].isna() | df["commune"].notna(), ignore_na=False
    )
    district_checks = [_check("HH032", workbook_district, ignore_na=False)]
    commune_checks = [_check("HH043", lambda s: ~stray_units(s), ignore_na=False)]
    return pa.DataFrameSchema(
        {
            "household_id": pa.Column(
                TEXT_DTYPE,
                [
                    _check("HH030", lambda s: ~s.duplicated(keep=False)),
                    _check("HH035", lambda s: s.str.fullmatch(id_pattern).fillna(False)),
                    _check("HH036", lambda s: ~s.str.fullmatch(r"\d{9}|\d{12}").fillna(False)),
                ],
                nullable=True,
            ),
            "district_text": pa.Column(TEXT_DTYPE, nullable=True),
            "district": pa.Column(
                TEXT_DTYPE, district_checks if has_districts else [], nullable=True
            ),
            "commune_text": pa.Column(TEXT_DTYPE, nullable=True),
            "commune": pa.Column(
                TEXT_DTYPE, [] if has_districts else commune_checks, nullable=True
            ),
            "ethnicity": pa.Column(TEXT_DTYPE, nullable=True),
            "household_size": pa.Column(
                "Int64", _check("HH023", lambda s: s.between(lo, hi)), nullable=True
            ),
            "income_per_capita": pa.Column(
                float,
                [
                    _check("HH024", lambda s: s >= 0),
                    _check("HH025", lambda s: s <= INCOME_CEILING),
                ],
                nullable=True,
            ),
            "income_score": pa.Column(
                float, _check("HH028", lambda s: s.between(score_lo, score_hi)), nullable=True
            ),
            "deprivation_score": pa.Column(float, nullable=True),
        },
        checks=[
            *([known_district, commune_of_district] if has_districts else [commune_of_province]),
            _check(
                "HH022",
                lambda df: df["ethnicity_text"].isna() | df["ethnicity"].notna(),
                ignore_na=False,
            ),
            _check(
                "HH027",
                lambda df: df["income_score"].isna() == df["deprivation_score"].isna(),
                ignore_na=False,
            ),
            _check("HH026", score_agrees, ignore_na=False),
        ],
        strict=False,
    )


def warning_schema(standard: config.Standard) -> pa.DataFrameSchema:
    """Rows that load but that the officer should check: income implausible for the area
    (bounds relative to the area's lines of the year's standard, schemas/rules.py)."""

    def plausible(df: pd.DataFrame) -> pd.Series:
        below, above = _implausible_incomes(df, standard)
        return ~(below | above)

    restored = _check("HW002", lambda df: ~df["head_id_restored"], ignore_na=False)
    lost = _check("HW006", lambda df: ~df["head_id_lost"], ignore_na=False)
    return pa.DataFrameSchema(
        checks=[_check("HW001", plausible, ignore_na=False), restored, lost], strict=False
    )


def _implausible_incomes(
    df: pd.DataFrame, standard: config.Standard
) -> tuple[pd.Series, pd.Series]:
    """Whether each income is below a tenth of its area's poverty line, and whether it is above
    twenty times its area's average-living line (HW001's bounds, schemas/rules.py)."""
    low = {a: INCOME_PLAUSIBLE_MIN_SHARE * v for a, v in standard.income_line.items()}
    high = {a: INCOME_PLAUSIBLE_MAX_MULTIPLE * v for a, v in standard.average_line.items()}
    income = df["income_per_capita"]
    below = (income < _by_area(df["area"], low)) & (income >= 0)
    above = income > _by_area(df["area"], high)
    return below.fillna(False).astype(bool), above.fillna(False).astype(bool)


def implausible_income_sheets(
    households: pd.DataFrame, standard: config.Standard, min_rows: int
) -> pd.DataFrame:
    """(sheet, code, detail) for each sheet where more than half of the incomes, and at least
    `min_rows`, are out of HW001's bounds on one side: below (WB029: thousand đồng under a
    header in đồng; the whole list would be poor) or above (WB033: a yearly or household
    total, or đồng under a header in thousand đồng; nobody would be poor)."""
    below, above = _implausible_incomes(households, standard)
    counts = (
        pd.DataFrame(
            {
                "sheet": households["sheet"],
                "given": households["income_per_capita"].notna(),
                "below": below,
                "above": above,
            }
        )
        .groupby("sheet", sort=True)
        .sum()
    )
    sides = {
        "below": ("WB029", f"dưới {INCOME_PLAUSIBLE_MIN_SHARE:.0%} chuẩn nghèo"),
        "above": ("WB033", f"trên {INCOME_PLAUSIBLE_MAX_MULTIPLE} lần mức sống trung bình"),
    }
    rows = [
        (sheet, code, f"{c[side]} trên {c['given']} hộ {where}")
        for sheet, c in counts.iterrows()
        for side, (code, where) in sides.items()
        if 2 * c[side] > c["given"] and c[side] >= min_rows
    ]
    return pd.DataFrame(rows, columns=["sheet", "code", "detail"])


def _by_area(area: pd.Series, values: dict[str, float]) -> np.ndarray:
    """`area.map(values)` as floats (NaN where it holds none), looked up once per distinct
    area: Series.map with a dict took 4x as long (HW001: 0.05 -> 0.01 s for the sample
    province)."""
    codes, distinct = pd.factorize(area)
    return np.array([values.get(a, np.nan) for a in distinct] + [np.nan])[codes]


def _findings(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """Failure cases as (row, column_key, rule_code); empty when the frame passes."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        # A dataframe-level failure is reported once per column: keep one per row and rule.
        cases = cases[cases["index"].notna()].drop_duplicates(["index", "check"])
        codes = cases["check"].astype(str)
        unknown = ~codes.isin(list(RULES))
        if unknown.any():  # a schema-level failure we did not name: a bug, not bad data
            failures = cases[unknown].to_dict("records")
            raise RuntimeError(f"unnamed validation failure: {failures}") from err
        frame_level = cases["schema_context"] == "DataFrameSchema"
        column = cases["column"].where(~frame_level, codes.map(lambda c: RULES[c].column))
        return pd.DataFrame(
            {
                "row": cases["index"].astype("int64").to_numpy(),
                "column_key": column.to_numpy(),
                "rule_code": codes.to_numpy(),
            }
        )
    return pd.DataFrame({"row": [], "column_key": [], "rule_code": []})


@dataclass(frozen=True)
class SheetFacts:
    """What is known of a workbook's sheets that changes how their rows are read."""

    # (sheet, đồng in one unit of its income column): 1,000 for `(nghìn đồng)` (variant 5)
    income_units: tuple[tuple[str, float], ...] = ()
    with_indicators: frozenset[str] = frozenset()  # carrying the standard's indicator columns
    misfits: frozenset[str] = frozenset()  # indicator columns not the standard's (WB012/13)
    columns: tuple[tuple[str, frozenset[str]], ...] = ()  # (sheet, its column keys)

    def carrying(self, key: str) -> frozenset[str]:
        """The sheets that carry column `key`."""
        return frozenset(sheet for sheet, keys in self.columns if key in keys)


@dataclass
class Validation:
    households: pd.DataFrame  # typed rows that passed, index = row position in the text frame
    findings: pd.DataFrame  # FINDING_COLUMNS: every error and warning, one per cell and rule
    row_units: pd.Series  # every text row's reporting unit of the year (missing: unknown)
    # Every text row's household id (canonical) and head's ID number (digits; missing where
    # it is none): the private rows' columns, computed once here for both.
    row_ids: pd.Series
    id_numbers: pd.Series


def typed_households(
    text: pd.DataFrame,
    year: int,
    province: config.Province,
    standard: config.Standard,
    sheets: SheetFacts,
    parsed: _ParseOnce | None = None,
) -> pd.DataFrame:
    """Parse the text frame into typed columns (missing where the text does not parse), with
    the unit names of the review year's map and each row's reporting unit (its district up
    to 2024, its commune from 2025)."""
    parse = parsed or _ParseOnce(text)
    has_districts = province.map(year).has_districts

    def carried(values: pd.Series, key: str) -> pd.Series:
        """A flag's values, unknown (null) on sheets without its column: not collected."""
        return values.where(text["sheet"].isin(sheets.carrying(key)), pd.NA)

    if has_districts:
        district = units.canonical_district(text["district"], province, year)
    else:  # no districts since 1 July 2025; a district column, if any, stays in the raw layer
        district = pd.Series(None, index=text.index, dtype="str")
    commune = units.canonical_commune(
        district if has_districts else None, text["commune"], province, year
    )
    ethnicity = normalise.canonical_ethnicity(text["ethnicity"])
    minority = config.ethnic_groups().set_index("ethnicity")["is_ethnic_minority"]
    # A cell's income unit: the multiple it says itself (`1,2 triệu`), else its column's.
    column_unit = text["sheet"].map(dict(sheets.income_units)).fillna(1)
    unit = parse(normalise.money_multiple, "income_per_capita").fillna(column_unit)
    # To the hundredth of a đồng: "4,086 triệu" is 4,086,000, not 4,086,000.0000000005
    income = (parse(normalise.parse_money, "income_per_capita") * unit).round(2)
    typed = pd.DataFrame(
        {
            "year": year,
            "household_id": normalise.canonical_id(text["household_id"]),
            "district_text": text["district"],
            "district": district,
            "commune_text": text["commune"],
            "commune": commune,
            "reporting_unit": district if has_districts else commune,
            "village": normalise.place_name(text["village"]),
            "area": parse(normalise.parse_area, "area"),
            "ethnicity_text": text["ethnicity"],
            "ethnicity": ethnicity,
            "is_ethnic_minority": ethnicity.map(minority).astype("boolean"),
            "household_size": parse(normalise.parse_count, "household_size"),
            "income_per_capita": income,
            "income_score": parse(normalise.parse_number, "income_score"),
            "deprivation_score": parse(normalise.parse_number, "deprivation_score"),
            **{flag: carried(parse(normalise.parse_flag, flag), flag) for flag in FLAG_KEYS},
            "poverty_cause": parse(normalise.parse_cause, "poverty_cause"),
            "head_sex": parse(normalise.parse_sex, "head_sex"),
            "commune_classification": parse(
                normalise.parse_classification, "commune_classification"
            ),
            "has_indicator_columns": text["sheet"].isin(sheets.with_indicators),
            "head_id_restored": normalise.lost_leading_zero(text["head_id_number"]),
        },
        index=text.index,
    )
    for key in standard.indicator_keys:
        typed[key] = parse(normalise.parse_indicator, key).fillna(False).astype(bool)
    return typed


def validate(
    text: pd.DataFrame,
    year: int,
    province: config.Province,
    standard: config.Standard,
    sheets: SheetFacts = SheetFacts(),
) -> Validation:
    """Validate one workbook's text rows under the review's `standard`; rows with an error are
    left out of `households` and each of their problems is listed in `findings`. Nothing is
    changed or dropped silently."""
    keys = standard.indicator_keys
    text = text.reindex(columns=list(dict.fromkeys([*text.columns, *TEXT_KEYS, *keys])))
    text = text.astype({key: "str" for key in (*TEXT_KEYS, *keys)})
    as_typed = text["head_id_number"]
    # An ID number in exponent form has lost digits: not read as one, with a warning (HW006),
    # never a rejection (the column is optional; the household is real). Kept as typed.
    exponent = normalise.id_in_exponent_form(as_typed)
    text["head_id_number"] = normalise.without_no_id(as_typed.mask(exponent))
    parsed = _ParseOnce(text)
    typed = typed_households(text, year, province, standard, sheets, parsed)
    typed["head_id_lost"] = exponent
    has_districts = province.map(year).has_districts
    findings = pd.concat(
        [
            _findings(text_schema(keys, has_districts, parsed, sheets.misfits), text),
            _findings(
                typed_schema(
                    keys,
                    standard.points_per_indicator,
                    has_districts,
                    province.meta.get("household_id_pattern", DEFAULT_ID_PATTERN),
                ),
                typed,
            ),
            _findings(warning_schema(standard), typed),
        ],
        ignore_index=True,
    )
    findings["detail"] = None
    duplicate = findings["rule_code"] == "HH030"
    if duplicate.any():
        findings.loc[duplicate, "detail"] = (
            "cũng ở/also at " + other_places(text, findings.loc[duplicate, "row"])
        ).to_numpy()
    findings["severity"] = findings["rule_code"].map(lambda c: RULES[c].severity)
    shown = text.assign(head_id_number=as_typed)  # the values as the officer typed them
    findings["value"] = [
        shown.at[row, col] if col in shown.columns else None
        for row, col in zip(findings["row"], findings["column_key"], strict=True)
    ]
    rejected = findings.loc[findings["severity"] == "error", "row"].unique()
    valid = typed.drop(index=rejected).drop(
        columns=[
            "district_text",
            "commune_text",
            "ethnicity_text",
            "has_indicator_columns",
            "head_id_restored",
            "head_id_lost",
        ]
    )
    return Validation(
        households=valid,
        findings=findings[FINDING_COLUMNS],
        row_units=typed["reporting_unit"],
        row_ids=typed["household_id"],
        id_numbers=parsed(normalise.id_digits, "head_id_number"),
    )


def with_cell_findings(checked: Validation, cells: pd.DataFrame) -> Validation:
    """`checked` with the reader's cell findings added (`WorkbookRead.cell_findings`: HH040
    merged data cells, HH041 formula errors, HH042 formulas without their result): their rows
    are rejected like any row with an error, each finding with its value and detail; a formula
    error in an advisory column (HW007) and a struck-through row (HW005) are warnings."""
    if cells.empty:
        return checked
    added = cells.assign(severity=[RULES[c].severity for c in cells["rule_code"]])
    # A formula error in an advisory column (HW007) is its cell's one finding: its text (#N/A)
    # is no value to report as outside the column's list too (HH018, HH019).
    advisory = added.loc[added["rule_code"] == "HW007", ["row", "column_key"]]
    at = pd.MultiIndex.from_frame(checked.findings[["row", "column_key"]])
    earlier = checked.findings[~at.isin(list(advisory.itertuples(index=False, name=None)))]
    findings = pd.concat([earlier, added[FINDING_COLUMNS]], ignore_index=True)
    rejected = added.loc[added["severity"] == "error", "row"].unique()
    households = checked.households.drop(index=rejected, errors="ignore")
    return dataclasses.replace(checked, households=households, findings=findings)
