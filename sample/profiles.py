"""The data of the simulated province (`sample.simulation`): its district profiles, the
poverty-rate path it is calibrated to, the welfare model's parameters, the deprivation model's
p0 tables, the rates of leaving, splitting and arriving, the notes an officer writes.

Every figure here is a sample-generator assumption, not law and not a published statistic,
unless its comment names a source.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

START_YEAR = 2016  # the simulation always starts here, so a year's frame never depends on
REFERENCE_YEAR = 2018  # which other years were asked for; `households` is the 2018 total.
REFERENCE_HOUSEHOLDS = 127_667  # Điện Biên, end 2018 (Decision 158/QĐ-UBND, 2019)
RURAL_LINE_2016 = 700_000  # W = 0 at the 2016 rural income line (Decision 59/2015)

# Province poverty rate (%, of resident households) per census year; the generator hits it in
# these years (figures of ../shared/dien-bien.md where published).
POOR_RATE_PATH: dict[str, dict[int, float]] = {
    "dien-bien": {
        2016: 44.4,  # sample assumption: interpolated between end 2015 (48.14%) and end 2017
        2017: 40.6,  # sample assumption: "about 40%" (poor districts 56.84%: dien-bien.md)
        2018: 37.08,  # published: 47,336 of 127,667 (provincial Decision 158/QĐ-UBND, 2019)
        2019: 33.05,  # published: 43,048 (end-2019 review)
        2020: 29.6,  # sample assumption: the cut of the years before continued
        2021: 34.9,  # published: the first review under Decree 07/2021 (higher lines)
        2022: 30.25,  # sample assumption: halfway between 2021 and 2023
        2023: 25.6,  # published
        2024: 21.29,  # published
        2025: 17.78,  # published: 25,541 of 143,650, the first review on the 45 new communes
        # Sample assumption: the first review under Decree 351/2025 (rural line 1,500,000 ->
        # 2,200,000, the draft's indicators): what this model gives with 2025's calibration
        # carried forward under the new lines, 38.4% under the line (30.83% in 2025), 56% of
        # them poor (58% in 2025: those the higher line brings in are less deprived); pinned
        # here so the sample's 2026 does not move with the model's details.
        2026: 21.5,
    },
}
DEFAULT_POOR_RATE_PATH = {2016: 20.0, 2018: 16.0, 2021: 11.0}

# Province near-poor rate (%) per census year, calibrated beside the poverty rate of the year.
# Only under a standard without an income floor (reviews from 2021): poor and near-poor are
# then both "income at most the line", split by the deprivation count, so the share under the
# line and the deprivation level set the two rates apart. Under the 2016-2021 standard 98-99% of
# the poor are income-poor (under the floor: 98.25% in 2018, dien-bien.md), so the near-poor
# are the households between floor and line, and their share follows from the welfare spread
# (TAIL_KNEE, SIGMA_*), which gives 9.8% in 2018 (published 9.78%; 2019 "nearly 13,000", ~10%).
NEAR_POOR_RATE_PATH: dict[str, dict[int, float]] = {
    "dien-bien": {
        2021: 11.0,  # sample assumption: between 2019 (~10%) and 2023
        2022: 11.15,  # sample assumption: between 2021 and 2023
        2023: 11.29,  # published (poor + near-poor 36.97%)
        2024: 11.96,  # published (poor + near-poor 33.24%)
        2025: 13.05,  # published: 18,748 of 143,650 (poor + near-poor 44,289, 30.83%)
        2026: 16.9,  # sample assumption (see POOR_RATE_PATH 2026)
    },
}

INFLATION = 0.035  # nominal income growth on top of real growth, per year
REAL_GROWTH = 0.06  # real welfare growth per year
POOR_DISTRICT_EXTRA_GROWTH = 0.02  # poor districts catch up (their cut is larger)


@dataclass(frozen=True)
class DistrictProfile:
    weight: float  # households at end 2018, thousands (estimate; sums to 127.7)
    poor_rate_2018: float  # % at end 2018 (estimate; the province total is rescaled to target)
    rural_mix: dict[str, float]  # ethnic shares of households in communes
    urban_mix: dict[str, float]  # ethnic shares in wards and towns


CITY_MIX = {"Kinh": 74, "Thái": 18, "Mông": 2, "Khơ Mú": 1, "Hoa": 1.5, "Tày": 1.5, "Mường": 2}
TOWN_MIX = {"Kinh": 62, "Thái": 26, "Mông": 8, "Khơ Mú": 2, "Hoa": 1, "Tày": 1}

PROFILES: dict[str, dict[str, DistrictProfile]] = {
    "dien-bien": {
        "Điện Biên Phủ": DistrictProfile(
            16.5, 2.5, {"Thái": 55, "Kinh": 30, "Mông": 13, "Khơ Mú": 2}, CITY_MIX
        ),
        "Mường Lay": DistrictProfile(
            2.8,
            11.0,
            {"Thái": 62, "Kinh": 26, "Mông": 10, "Khơ Mú": 2},
            {"Kinh": 52, "Thái": 38, "Mông": 6, "Khơ Mú": 2, "Hoa": 1, "Tày": 1},
        ),
        "Điện Biên": DistrictProfile(
            28.0,
            22.5,
            {"Thái": 52, "Kinh": 29, "Mông": 11, "Khơ Mú": 2.5, "Lào": 3.5, "Mường": 1, "Tày": 1},
            TOWN_MIX,
        ),
        "Điện Biên Đông": DistrictProfile(
            13.0, 50.5, {"Mông": 54, "Thái": 36, "Khơ Mú": 3, "Kinh": 5, "Lào": 2}, TOWN_MIX
        ),
        "Mường Ảng": DistrictProfile(
            10.4, 41.0, {"Thái": 65, "Mông": 23, "Kinh": 8.5, "Khơ Mú": 2.5, "Kháng": 1}, TOWN_MIX
        ),
        "Mường Chà": DistrictProfile(
            9.2,
            51.0,
            {"Mông": 60, "Thái": 21, "Hà Nhì": 5, "Kháng": 4, "Khơ Mú": 2, "Kinh": 7, "Phù Lá": 1},
            TOWN_MIX,
        ),
        "Mường Nhé": DistrictProfile(
            8.6,
            58.0,
            {
                "Mông": 50,
                "Hà Nhì": 18,
                "Thái": 12,
                "Dao": 6,
                "Khơ Mú": 3,
                "Kinh": 5,
                "Cống": 3,
                "Si La": 2,
                "Phù Lá": 1,
            },
            TOWN_MIX,
        ),
        "Nậm Pồ": DistrictProfile(
            10.2,
            64.0,
            {"Mông": 72, "Thái": 13, "Dao": 4, "Khơ Mú": 3, "Cống": 2, "Hà Nhì": 2, "Kinh": 4},
            TOWN_MIX,
        ),
        "Tủa Chùa": DistrictProfile(
            10.6,
            50.5,
            {"Mông": 80, "Thái": 7, "Dao": 5, "Phù Lá": 1.5, "Kháng": 1, "Kinh": 4.5, "Hoa": 1},
            TOWN_MIX,
        ),
        "Tuần Giáo": DistrictProfile(
            18.4, 43.0, {"Thái": 60, "Mông": 27, "Khơ Mú": 4, "Kinh": 8, "Kháng": 1}, TOWN_MIX
        ),
    },
}

# Welfare offset of an ethnic group (log units) within its commune; groups not named get 0.
ETHNIC_WELFARE = {
    "Kinh": 1.15,
    "Hoa": 1.15,
    "Tày": 0.5,
    "Mường": 0.4,
    "Nùng": 0.4,
    "Thái": 0.15,
    "Lào": 0.1,
    "Khơ Mú": -0.15,
    "Kháng": -0.15,
    "Dao": -0.1,
    "Mông": -0.2,
    "Hà Nhì": -0.15,
    "Cống": -0.25,
    "Si La": -0.25,
    "Phù Lá": -0.2,
}
# Mean household size by ethnic group (sample assumption); others 4.5.
ETHNIC_SIZE = {"Kinh": 3.6, "Hoa": 3.7, "Thái": 4.5, "Mông": 6.2, "Hà Nhì": 5.6, "Dao": 5.6}

URBAN_WELFARE = 0.55
# Above the knee (3x the 2016 rural line, in 2016 prices) welfare rises at half the rate: keeps a
# wide spread around the lines (near-poor near the published rate) without an absurd rich tail.
TAIL_KNEE = float(np.log(3.0))
TAIL_SLOPE = 0.5
# Below 0.4x the line it falls at half the rate too: reported incomes seldom go under 200,000.
LOW_KNEE = float(np.log(0.4))
LOW_SLOPE = 0.5
SIGMA_COMMUNE = 0.25
SIGMA_PERSISTENT = 1.05
SIGMA_SHOCK = 0.10
SHOCK_PERSISTENCE = 0.5
SIZE_WELFARE = -0.06  # per member above 4.5
SOCIAL_PROTECTION_WELFARE = -0.3

# Written incomes (sample assumption): a review seldom records less than a sixth of the line (a
# household's own produce counts as income) and hardly surveys the rich. Below 0.4x the year's
# income line of the area incomes are compressed smoothly towards 0.15x, above 4x the
# average-living line towards 10x: clear of the audit's implausible-income warning (HW001:
# under 0.1x the line, over 20x the average-living line) and never across a line.
INCOME_LOW_KNEE, INCOME_LOW_BOUND = 0.4, 0.15  # x the income line
INCOME_HIGH_KNEE, INCOME_HIGH_BOUND = 4.0, 10.0  # x the average-living line

LEAVE_RATE = 0.006
SPLIT_RATE = 0.022
ARRIVE_RATE = 0.004
# From this review year on, a little more arrival (sample assumption): sized so the 2025 review
# lands on its published 143,650 households (dien-bien.md); 0.4% gave 142,969.
LATER_ARRIVALS = (2020, 0.0052)
# Net growth these rates give (measured: leaving is likelier for lone elderly households and a
# split needs a large household); sizes the 2016 start so 2018 lands on the reference total.
NET_GROWTH = 0.0174

# Deprivation model: P(deprived) = Phi(theta - slope * W - trend * (year - first year of the
# standard)), with theta = Phi^-1(p0), p0 the share deprived at W = 0 in the standard's first
# year. A household keeps a persistent propensity per indicator (share PERSISTENCE of the noise).
DEPRIVATION_SLOPE = 1.0
DEPRIVATION_TREND = 0.04
DEPRIVATION_PERSISTENCE = 0.85
# The shares the 2022-2026 and the draft 2027-2030 standards' common indicators start from.
_SHARED_2022 = {
    "employment": 0.20,
    "dependants": 0.25,
    "nutrition": 0.30,
    "health_insurance": 0.15,
    "adult_education": 0.40,
    "child_school_attendance": 0.08,
    "housing_quality": 0.30,
    "living_area": 0.15,
    "drinking_water": 0.30,
    "latrine": 0.45,
    "telecom": 0.10,
}
DEPRIVATION_P0: dict[str, dict[str, float]] = {
    "2016-2021": {
        "adult_education": 0.18,
        "child_school_attendance": 0.03,
        "health_access": 0.02,
        "health_insurance": 0.02,
        "housing_quality": 0.12,
        "living_area": 0.06,
        "drinking_water": 0.10,
        "latrine": 0.22,
        "telecom": 0.05,
        "information_assets": 0.07,
    },
    "2022-2026": _SHARED_2022 | {"information_means": 0.25},
    # The draft's list (provisional, config): the 2022-2026 shares where the indicator is the
    # same; household waste collection is missing in most rural villages of the uplands.
    "2027-2030": _SHARED_2022 | {"waste_collection": 0.50},
}
DEFAULT_DEPRIVATION_P0 = 0.15

# Communes merged into another before the 2025 reform: their households are written in the
# commune they joined (config/provinces/<code>/units.csv says so in its note only).
MERGED_COMMUNES: dict[str, dict[str, str]] = {
    "dien-bien": {"Tà Lèng": "Thanh Minh"},  # 2020 (units.csv: "merged into Thanh Minh")
}

# Share of households with a member recognised for service to the revolution (sample).
MERITORIOUS_RATE = {"Kinh": 0.06, "default": 0.02}

NOTES = (
    "Chủ hộ đi làm ăn xa",
    "Hộ có người khuyết tật",
    "Hộ đơn thân",
    "Hộ có người ốm đau dài ngày",
    "Đã rà soát lại",
)
ARRIVAL_NOTE = "Hộ mới chuyển đến"
SPLIT_NOTE = "Tách hộ từ hộ "  # + the parent's id
NOTE_RATE = 0.01

# Score points per log unit of income where a period has no floor: the 2016–2021 rural one
# (30 points from 700,000 to 1,000,000: Circular 14/2018 score lines 120 and 150).
SCORE_SLOPE = float(30.0 / np.log(1_000_000 / 700_000))

# First three digits of a 12-digit citizen id card (CCCD) by province (Circular 07/2016/TT-BCA).
CCCD_PROVINCE_CODE = {"dien-bien": "011"}


# The cause of poverty a commune records for a household on its lists (the national form
# "Phân nhóm hộ nghèo theo nguyên nhân nghèo"): sample assumption, shares in the spirit of the
# provinces' reports (lack of capital and of land first); written in Vietnamese as in
# config/poverty_causes.csv.
CAUSE_SHARES: dict[str, float] = {
    "Thiếu vốn": 0.30,
    "Thiếu đất sản xuất": 0.22,
    "Thiếu kiến thức sản xuất": 0.15,
    "Thiếu lao động": 0.10,
    "Ốm đau, tai nạn": 0.08,
    "Thiếu kỹ năng lao động": 0.07,
    "Thiếu công cụ sản xuất": 0.05,
    "Khác": 0.03,
}
