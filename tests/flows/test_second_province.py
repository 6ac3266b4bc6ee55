"""The same flow serves any province folder: the fictional test-fixture province
(config/provinces/test-fixture/) through `census run --province`, real workbooks, real DuckDB."""

from __future__ import annotations

import duckdb

from flows import cli
from tests.factory import household, write_workbook

PROVINCE = "Tỉnh Thử nghiệm (test fixture)"


def fixture_census(raw):
    def rows(prefix, district, communes, area, incomes):
        return [
            household(
                i,
                household_id=f"{prefix}-{i:06d}",
                district=district,
                commune=communes[i % len(communes)],
                area=area,
                income_per_capita=income,
            )
            for i, income in enumerate(incomes, start=1)
        ]

    write_workbook(
        raw / "2019" / "pho-thu.xlsx",
        rows("PT", "Phố Thử", ["Phường Một", "Xã Ven"], "Thành thị", [3_000_000] * 5 + [600_000]),
    )
    write_workbook(
        raw / "2019" / "nam-thu.xlsx",
        rows("NT", "Nậm Thử", ["Nậm Một", "Nậm Hai"], "Nông thôn", [500_000] * 4 + [2_500_000] * 4),
    )
    write_workbook(
        raw / "2019" / "son-thu.xlsx",
        rows("ST", "Sơn Thử", ["Sơn Một", "Sơn Hai"], "Nông thôn", [2_500_000] * 6 + [500_000]),
    )


def test_the_flow_serves_a_second_province(tmp_path, prefect_harness):
    raw, warehouse = tmp_path / "raw", tmp_path / "fixture.duckdb"
    fixture_census(raw)
    args = ["run", "--province", "test-fixture", "--raw", str(raw), "--warehouse", str(warehouse)]
    assert cli.main(args) == 0

    with duckdb.connect(str(warehouse), read_only=True) as con:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        # Reference tables come from the province's folder, loaded by this run.
        assert q("SELECT district, province FROM ref.districts ORDER BY ALL") == [
            ("Nậm Thử", PROVINCE),
            ("Phố Thử", PROVINCE),
            ("Sơn Thử", PROVINCE),
        ]
        assert q("SELECT district, count(*) FROM core.households GROUP BY ALL ORDER BY ALL") == [
            ("Nậm Thử", 8),
            ("Phố Thử", 6),
            ("Sơn Thử", 7),
        ]
        rates = dict(
            ((scope, name), households)
            for scope, name, households in q(
                "SELECT scope, name, households FROM marts.poverty_rates WHERE year = 2019 "
                "AND scope IN ('province', 'poor_districts')"
            )
        )
        # The province is named from its config; its only poor district is Nậm Thử.
        assert rates == {("province", PROVINCE): 21, ("poor_districts", "poor districts"): 8}
        assert q(
            "SELECT DISTINCT is_urban_unit FROM marts.household_status WHERE district = 'Phố Thử'"
        ) == [(True,)]
        targets = q(
            "SELECT scope, name, indicator, target FROM marts.target_gap WHERE year = 2019 "
            "ORDER BY ALL"
        )
        assert targets == [
            ("district", "Nậm Thử", "poverty_rate_cut", 4.0),  # '*poor' from this province
            ("province", PROVINCE, "poverty_rate", 35.0),
            ("province", PROVINCE, "poverty_rate_cut", 3.0),
        ]
        before = q("SELECT count(*) FROM core.households")

    # One province per warehouse file: Điện Biên's run into it is refused and changes nothing.
    dien_bien = ["run", "--raw", str(raw), "--warehouse", str(warehouse)]
    assert cli.main(dien_bien) == 2
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM core.households").fetchall() == before
        assert con.execute("SELECT DISTINCT province FROM audit.ingest_runs").fetchall() == [
            (PROVINCE,)
        ]
