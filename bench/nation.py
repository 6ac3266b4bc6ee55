"""A simulated national census for the benchmark, generated once and cached outside the repo.

Vietnam has about 27 million households in about 700 district-level units (2019 census:
26.9 million households, 705 districts). Writing 27 million rows through xlsxwriter would take
close to an hour here, so the nation is built from templates instead:

1. Templates: the sample census of Điện Biên (`sample.census.write_sample_census`, the
   real generator and writer) for 2019 at three times its size, so its 10 district workbooks
   hold about 38,000 households each, the national mean.
2. District i of 700 is template i % 10 with its district renamed (`Mường Nhé 07`) and its
   household ids given a prefix of their own (`N063-…`); only `xl/sharedStrings.xml` changes,
   the sheets are copied as they are. Every row stays valid, ids stay unique nationally.
3. A province config `nation` lists the 700 districts and their communes (the templates'),
   so validation checks districts and communes (HH020, HH021) exactly as for a province. It is
   written under the cache, never under config/provinces/; `CENSUS_PROVINCES_DIR` points the
   loader at it (config/__init__.py).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

import config
from reporting.vietnamese import slug
from sample.census import write_sample_census

NATION_DISTRICTS = 700
TEMPLATE_SCALE = 3  # templates hold 3 x 127,667 households: about 38,000 per district
YEAR = 2019
CODE = "nation"
NAME = "Việt Nam (mô phỏng)"
REPO = Path(__file__).resolve().parent.parent


def generator_stamp() -> str:
    """Changes when the sample generator or the workbook writer changes (the cache is stale)."""
    digest = hashlib.sha256()
    for path in [*sorted((REPO / "sample").glob("*.py")), REPO / "workbooks" / "layout.py"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def nation_district(template: str, i: int) -> str:
    return f"{template} {i // 10 + 1:02d}"


def templates(cache: Path, log) -> tuple[list[Path], float]:
    """The 10 template workbooks (written on first use); seconds spent writing them."""
    folder = cache / f"templates-{generator_stamp()}"
    done = folder / "done"
    if done.exists():
        return sorted((folder / str(YEAR)).glob("*.xlsx")), 0.0
    shutil.rmtree(folder, ignore_errors=True)
    log(f"writing the nation's templates (Điện Biên x{TEMPLATE_SCALE}) into {folder}")
    started = time.perf_counter()
    households = TEMPLATE_SCALE * 127_667
    paths = write_sample_census(folder, [YEAR], households=households)
    done.write_text("ok")
    return sorted(paths), time.perf_counter() - started


def template_districts() -> list[str]:
    """Template order: the districts of Điện Biên as config lists them."""
    return config.load_province(config.DEFAULT_PROVINCE).districts["district"].tolist()


def write_config(root: Path) -> Path:
    """The `nation` province config under `root/nation/` (units, flags, targets): each nation
    district is its template district of Điện Biên with the units of the bench's review year
    (units.csv: the district, then its communes; a commune named as its district renamed
    with it, as the workbooks' shared string is)."""
    base = config.load_province(config.DEFAULT_PROVINCE)
    src = config.CONFIG_DIR / "provinces" / config.DEFAULT_PROVINCE
    order = template_districts()
    names = [
        (order[i % len(order)], nation_district(order[i % len(order)], i))
        for i in range(NATION_DISTRICTS)
    ]
    units = pd.read_csv(src / "units.csv", dtype=str, keep_default_na=False)
    on = config.review_date(YEAR).isoformat()
    units = units[
        ((units["valid_from"] == "") | (units["valid_from"] <= on))
        & ((units["valid_to"] == "") | (units["valid_to"] >= on))
    ].assign(current_unit="")  # the bench's year only: no map after the 2025 reform
    poor = pd.read_csv(src / "poor_districts.csv", dtype=str, keep_default_na=False)
    out_u, out_p = [], []
    for template, name in names:
        district = units[(units["level"] == "district") & (units["name"] == template)]
        communes = units[(units["level"] == "commune") & (units["parent"] == template)].copy()
        communes["name"] = communes["name"].where(communes["name"] != template, name)
        out_u += [district.assign(name=name), communes.assign(parent=name)]
        out_p.append(poor[poor["district"] == template].assign(district=name))
    folder = root / CODE
    folder.mkdir(parents=True, exist_ok=True)
    pd.concat(out_u).to_csv(folder / "units.csv", index=False)
    pd.concat(out_p).to_csv(folder / "poor_districts.csv", index=False)
    shutil.copy(src / "aliases.csv", folder / "aliases.csv")
    targets = pd.read_csv(src / "targets.csv", dtype=str, keep_default_na=False)
    targets.loc[targets["name"] == base.name, "name"] = NAME
    targets.to_csv(folder / "targets.csv", index=False)
    (folder / "province.toml").write_text(
        f"# Generated by bench/nation.py: a simulated nation for benchmarks only.\n"
        f'name = "{NAME}"\ncode = "{CODE}"\n',
        encoding="utf-8",
    )
    return root


def edit_shared_strings(
    src: Path, dst: Path, edit: Callable[[str], str], compresslevel: int | None = None
) -> None:
    """Copy an .xlsx with its shared-strings part passed through `edit` (cell text lives
    there), written via a temporary file so `dst` may be `src`."""
    tmp = dst.with_suffix(".tmp")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/sharedStrings.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")
            zout.writestr(
                info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
            )
    tmp.replace(dst)


def rewrite_strings(src: Path, dst: Path, template: str, name: str, i: int) -> None:
    """Copy a template workbook, renaming its district and prefixing its household ids."""
    ids = re.compile(r"\bDB-(?=\d\d-)")

    def edit(text: str) -> str:
        text = text.replace(f"<t>{template}</t>", f"<t>{name}</t>")
        text = text.replace(f" {template}, ", f" {name}, ")  # the title's district line
        return ids.sub(f"N{i:03d}-", text)

    edit_shared_strings(src, dst, edit, compresslevel=1)


def nation(cache: Path, count: int, log) -> tuple[Path, Path, dict[str, float]]:
    """Raw folder holding the first `count` district workbooks (`<raw>/2019/`), the province
    config root, and the seconds spent generating what was not cached yet."""
    paths, template_seconds = templates(cache, log)
    by_slug = {p.stem: p for p in paths}
    order = template_districts()
    stamp = generator_stamp()
    store = cache / f"nation-{stamp}"
    store.mkdir(parents=True, exist_ok=True)
    provinces = write_config(cache / f"provinces-{stamp}")
    started = time.perf_counter()
    made = 0
    raw = cache / f"nation-{stamp}-raw-{count}"
    shutil.rmtree(raw, ignore_errors=True)
    (raw / str(YEAR)).mkdir(parents=True)
    for i in range(count):
        template = order[i % len(order)]
        name = nation_district(template, i)
        dst = store / f"{slug(name)}.xlsx"
        if not dst.exists():
            rewrite_strings(by_slug[slug(template)], dst, template, name, i)
            made += 1
            if made % 50 == 0:
                log(f"  {made} nation workbooks written ({i + 1}/{count})")
        (raw / str(YEAR) / dst.name).symlink_to(dst)
    seconds = {"templates": template_seconds, "districts": time.perf_counter() - started}
    if made:
        log(f"wrote {made} nation workbooks in {seconds['districts']:.0f} s")
    return raw, provinces, seconds
