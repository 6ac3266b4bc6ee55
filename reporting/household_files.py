"""Where the posted lists and certificates go, and the loop over a review's communes
(`census post`, `census certificates`).

They hold names and ID numbers: they are written only under a folder for the province's own
officers, `reports/<year>/noi-bo/` by default (nội bộ: internal use), never into the analysts'
copy (warehouse/publish.py) nor into Prefect artifacts. Files are readable by their owner only
and replaced whole (written beside, then renamed), so a printer never gets half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import config
from reporting import certificates, household_lists, pdf, posting_lists
from reporting.household_lists import Commune
from reporting.vietnamese import slug
from warehouse import queries, writer

INTERNAL = "noi-bo"
POSTING_PREFIX = "niem-yet"
CERTIFICATE_PREFIX = "giay-chung-nhan"


def default_folder(year: int, reports: Path = Path("reports")) -> Path:
    """`reports/<year>/noi-bo`: the officers' own folder."""
    return reports / str(year) / INTERNAL


@dataclass(frozen=True)
class Batch:
    """The communes of one review to write, from one warehouse of one province."""

    warehouse: Path
    year: int
    province: config.Province
    communes: list[Commune]
    names: dict[Commune, str]  # each commune's slug in file names, unique within the review

    def path(self, out_dir: Path, prefix: str, commune: Commune) -> Path:
        return out_dir / f"{prefix}-{self.names[commune]}-{self.year}.pdf"


@dataclass(frozen=True)
class Written:
    commune: Commune
    path: Path
    households: int  # households on the lists (counted once per list) or certificates


def _file_names(communes: list[Commune]) -> dict[Commune, str]:
    """The commune's slug; with its district's in front when two communes of the review
    would share a name."""
    plain = [slug(c.name, "xa") for c in communes]
    return {
        c: (f"{slug(c.district, 'huyen')}-{name}" if plain.count(name) > 1 and c.district else name)
        for c, name in zip(communes, plain, strict=True)
    }


def batch(
    warehouse: Path, year: int, commune: str | None = None, province_code: str | None = None
) -> Batch:
    """The communes of `year` (only `commune`, matched in any case and spelling, if given)."""
    province = config.load_province(province_code or config.DEFAULT_PROVINCE)
    if not Path(warehouse).is_file():
        raise LookupError(
            f"không có tệp kho dữ liệu {warehouse} (census run tạo tệp này) / "
            f"no warehouse file {warehouse} (census run writes it)"
        )
    with writer.connect(warehouse, read_only=True) as con:
        household_lists.check_province(con, province)
        every = household_lists.communes(con, year)
        chosen = household_lists.communes(con, year, commune) if commune else every
    names = _file_names(every)
    return Batch(Path(warehouse), year, province, chosen, {c: names[c] for c in chosen})


def save(document: pdf.Document, path: Path) -> Path:
    """Write `document` to `path` (mode 0600, folder 0700), replacing any older file whole."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(document.output())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_posting_lists(
    b: Batch, out_dir: Path, posted_from: date | None = None, posted_to: date | None = None
) -> Iterator[Written]:
    """Each commune's four posted lists, one PDF per commune, as each is written."""
    with writer.connect(b.warehouse, read_only=True) as con:
        previous = queries.previous_year(con, b.year)
        standard = household_lists.review_standard(con, b.year)
        for commune in b.communes:
            lists = household_lists.posting_lists(con, commune)
            posting = posting_lists.Posting(
                commune=commune,
                lists=lists,
                previous_year=previous,
                standard=str(standard["standard"]),
                provisional=bool(standard["provisional"]),
                posted_from=posted_from,
                posted_to=posted_to,
            )
            path = save(
                posting_lists.render(posting, b.province), b.path(out_dir, POSTING_PREFIX, commune)
            )
            yield Written(commune, path, sum(len(df) for df in lists.values()))


def write_certificates(b: Batch, out_dir: Path) -> Iterator[Written]:
    """Each commune's certificates, one PDF per commune, as each is written."""
    with writer.connect(b.warehouse, read_only=True) as con:
        for commune in b.communes:
            certs = certificates.Certificates(
                commune=commune,
                households=household_lists.certified(con, commune),
                members=household_lists.members(con, commune),
            )
            path = b.path(out_dir, CERTIFICATE_PREFIX, commune)
            save(certificates.render(certs, b.province), path)
            yield Written(commune, path, len(certs.households))
