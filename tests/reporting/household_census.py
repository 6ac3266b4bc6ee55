"""A census of named households for the posting lists and certificates, written as real
workbooks and loaded by the real flow: 2024 on the old map (district workbooks of Nậm Pồ and
Mường Nhé), 2025 and 2026 on the new one (commune workbooks, no district column; 2026 under the
2027-2030 standard). Households keep their ids and villages across the reform; each one's
status every year is known here, so the tests count every list themselves.

Not a test module: imported by tests/reporting/test_household_*.py.

    old commune (district)  -> commune since 1 July 2025   households
    Nà Hỳ (Nậm Pồ)          -> Nà Hỳ                        120 (its poor list runs over a page)
    Chà Cang (Nậm Pồ)       -> Mường Chà                     18
    Sín Thầu (Mường Nhé)    -> Sín Thầu                      18
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

import config
from tests.factory import household, write_workbook

YEARS = (2024, 2025, 2026)
# (old commune, old district, commune from 2025, villages, households)
COMMUNES = (
    ("Nà Hỳ", "Nậm Pồ", "Nà Hỳ", ("Bản Nà Hỳ 1", "Bản Huổi Lụ", "Bản Nậm Chua"), 120),
    ("Chà Cang", "Nậm Pồ", "Mường Chà", ("Bản Chà Cang", "Bản Đớ Tở"), 18),
    ("Sín Thầu", "Mường Nhé", "Sín Thầu", ("Bản Tá Miếu", "Bản Sín Thầu"), 18),
)
# Statuses 2024 -> 2025, cycled over each commune's households (P poor, N near-poor, X not poor);
# 2026 (the first review under the 2027-2030 standard) takes the 2025 status four places on.
PATTERNS = (("P", "P"), ("P", "N"), ("P", "X"), ("N", "N"), ("N", "X"), ("N", "P"))
PATTERNS += (("X", "P"), ("X", "X"), ("X", "N"))
STATUS = {"P": "poor", "N": "near_poor", "X": "not_poor"}
FAMILY = ("Nguyễn", "Lò", "Lường", "Quàng", "Điêu", "Vì", "Giàng", "Đinh", "Hà", "Âu")
MIDDLE = ("Văn", "Thị")
GIVEN = ("An", "Ánh", "Bình", "Chung", "Dũng", "Đức", "Hùng", "Lan", "Mỷ", "Ơn", "Xuân")
ETHNIC = ("Thái", "Kinh", "Mông", "Hà Nhì")


@dataclass(frozen=True)
class Household:
    household_id: str
    head_name: str
    head_id_number: str | None
    old_commune: str
    district: str
    commune: str  # from 2025
    village: str
    ethnicity: str
    size: int
    status: dict[int, str]  # year -> poor | near_poor | not_poor

    def commune_in(self, year: int) -> str:
        return self.old_commune if year < 2025 else self.commune


def households() -> list[Household]:
    out, k = [], 0
    for old, district, new, villages, count in COMMUNES:
        for i in range(count):
            before, now = PATTERNS[i % len(PATTERNS)]
            # Unique for k < 220: k % 20 and k // 20 are both in the name.
            name = f"{FAMILY[k % 10]} {MIDDLE[k // 10 % 2]} {GIVEN[k // 20 % 11]} {GIVEN[k % 11]}"
            out.append(
                Household(
                    household_id=f"DB-{k:04d}",
                    head_name=name,
                    head_id_number=None if k % 7 == 0 else f"0{11_000_000_000 + k:011d}",
                    old_commune=old,
                    district=district,
                    commune=new,
                    village=villages[(i + i // len(PATTERNS)) % len(villages)],
                    ethnicity=ETHNIC[k % len(ETHNIC)],
                    size=1 + k % 7,
                    status={
                        2024: STATUS[before],
                        2025: STATUS[now],
                        2026: STATUS[PATTERNS[(i + 4) % len(PATTERNS)][1]],
                    },
                )
            )
            k += 1
    return out


def _row(h: Household, year: int) -> dict[str, object]:
    """The household's workbook row; income and deprivations give its status that year."""
    standard = config.standard_for_year(year)
    line = standard.income_line["rural"]
    status = h.status[year]
    income = 2 * line if status == "not_poor" else line - 100_000
    r = household(
        0,
        household_id=h.household_id,
        head_name=h.head_name,
        head_id_number=h.head_id_number,
        district=h.district if year < 2025 else None,
        commune=h.commune_in(year),
        village=h.village,
        ethnicity=h.ethnicity,
        household_size=h.size,
        income_per_capita=income,
    )
    deprived = standard.indicator_keys[:3] if status == "poor" else []
    return r | dict.fromkeys(deprived, "x")


# private.members as the reader fills it from a workbook's members sheet (`Thành viên hộ`);
# the reader of that sheet is not on this branch, so the test writes the rows it would.
# (relation to the head, sex, year of birth, given name); the head's row comes first.
MEMBERS = (("Con", "Nữ", 2005, "Mai"), ("Con", "Nam", 2009, "Tùng"), ("Con", "Nữ", 2014, "Hoa"))


def add_members(warehouse: Path, h: Household, year: int) -> list[tuple]:
    """Write `h`'s members into private.members: the head, the spouse, then children up to the
    household's size; returns the rows (member name, relation, birth year, sex)."""
    family = h.head_name.split()[0]
    head_sex = "Nữ" if h.head_name.split()[1] == "Thị" else "Nam"
    spouse = ("Chồng", "Nam", 1976, "Tuấn") if head_sex == "Nữ" else ("Vợ", "Nữ", 1981, "Lan")
    people = [(h.head_name, "Chủ hộ", 1978, head_sex)]
    for relation, sex, born, given in (spouse, *MEMBERS)[: h.size - 1]:
        people.append((f"{family} {'Thị' if sex == 'Nữ' else 'Văn'} {given}", relation, born, sex))
    rows = [
        (year, h.commune_in(year), h.household_id, name, h.ethnicity, relation, born, sex)
        + ("members.xlsx", "Thành viên hộ", 3 + i)
        for i, (name, relation, born, sex) in enumerate(people)
    ]
    with duckdb.connect(str(warehouse)) as con:
        con.executemany(
            "INSERT INTO private.members VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
    return [(name, relation, born, sex) for name, relation, born, sex in people]


def build(root: Path) -> Path:
    """Write the workbooks under `root/raw`, run the flow for both years (the caller provides
    a Prefect harness) and return the warehouse file."""
    from flows.census_flow import annual_census

    raw, warehouse = root / "raw", root / "census.duckdb"
    everyone = households()
    for year in YEARS:
        units: dict[str, list[dict[str, object]]] = {}
        for h in everyone:
            units.setdefault(h.district if year < 2025 else h.commune, []).append(_row(h, year))
        for unit, rows in units.items():
            path = raw / str(year) / f"{unit}.xlsx"
            if year < 2025:
                write_workbook(path, rows, year)
            else:
                write_workbook(
                    path, rows, year, omit=("district",), labels={"commune": "Xã/Phường"}
                )
        summary = annual_census(
            year=year, raw_dir=raw, warehouse_path=warehouse, reports_dir=root / "reports"
        )
        assert summary.status == "completed" and summary.rows_rejected == 0, summary
    return warehouse
