"""Certificates of poor and near-poor households (Giấy chứng nhận hộ nghèo, hộ cận nghèo,
Decision 24/2021/QĐ-TTg): one page per household, one PDF per commune, numbered
`NNN/GCN-HN.HCN` from 001 without gaps per commune and review, in list order (village, then
head's name: `household_lists.certified`), issued by the commune's People's Committee.

Each page: the legal bases (the Law on Local Government; the standard the review applied and
its review procedure, from ref.standards; the review's result), the head of household, the
household's ethnicity, the head's ID number and its date of issue (blank lines when not known),
permanent residence, the status and the year of the list, then the members (private.members,
when the workbook carried a members sheet; else the head alone and the number of members).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

import config
from reporting import pdf
from reporting.household_lists import Commune
from reporting.vietnamese import (
    BLANK,
    dated_at,
    day,
    in_sentence,
    legal_instrument,
    number,
    provisional_note,
)
from transforms.text import fold

NUMBER_SUFFIX = "GCN-HN.HCN"
HEAD = "Chủ hộ"
COLUMNS = (
    pdf.Column("TT", 0.06, "C"),
    pdf.Column("Họ và tên", 0.29),
    pdf.Column("Dân tộc", 0.12, "C"),
    pdf.Column("Quan hệ với chủ hộ", 0.15, "C"),
    pdf.Column("Nam", 0.09, "C", group="Năm sinh"),
    pdf.Column("Nữ", 0.09, "C", group="Năm sinh"),
    pdf.Column("Ghi chú (biến động thành viên)", 0.20),
)


@dataclass(frozen=True)
class Certificates:
    """One commune's certificates: its poor and near-poor households, numbered
    (household_lists.certified), and the members of those whose workbook listed them."""

    commune: Commune
    households: pd.DataFrame
    members: dict[str, pd.DataFrame] = field(default_factory=dict)


def certificate_number(n: int) -> str:
    """`001/GCN-HN.HCN`."""
    return f"{n:03d}/{NUMBER_SUFFIX}"


def _bases(h: dict, commune: Commune) -> list[str]:
    return [
        "Căn cứ Luật Tổ chức chính quyền địa phương;",
        f"Căn cứ {legal_instrument(h['legal_source'])} về chuẩn nghèo đa chiều;",
        f"Căn cứ {legal_instrument(h['procedure_source'])} về quy trình rà soát hộ nghèo, "
        "hộ cận nghèo hằng năm;",
        f"Căn cứ kết quả rà soát hộ nghèo, hộ cận nghèo năm {commune.year} của "
        f"{in_sentence(commune.label)}.",
    ]


def _residence(h: dict, commune: Commune, province: config.Province) -> str:
    parts = [str(h["village"]), in_sentence(commune.label)]
    if commune.district_label:
        parts.append(in_sentence(commune.district_label))
    return ", ".join([*parts, f"tỉnh {province.name}"])


def _born(sex: object, born: object) -> tuple[str, str, str]:
    """The year of birth in the Nam or the Nữ column as the member's sex was written; in the
    note when the sex was not (no column is guessed)."""
    if born is None or pd.isna(born):
        return "", "", ""
    year = str(int(born))
    kind = fold(sex or "")
    if kind == "nam":
        return year, "", ""
    if kind == "nu":
        return "", year, ""
    return "", "", f"Năm sinh {year}"


def _member_rows(h: dict, listed: pd.DataFrame | None) -> list[list[str] | pdf.Band]:
    """The members as listed; without a members sheet the head alone, and how many the
    household has."""
    if listed is None or listed.empty:
        head = ["1", h["head_name"] or BLANK, str(h["ethnicity"]), HEAD, "", "", ""]
        size = number(h["household_size"])
        note = f"Hộ có {size} nhân khẩu (chưa có danh sách thành viên trong dữ liệu rà soát)."
        return [head, pdf.Band(note, bold=False)]
    rows: list[list[str] | pdf.Band] = []
    for i, m in enumerate(listed.to_dict("records"), start=1):
        male, female, note = _born(m["sex"], m["birth_year"])
        name, ethnicity = m["member_name"] or BLANK, m["ethnicity"] or ""
        rows.append([str(i), name, ethnicity, m["relation"] or "", male, female, note])
    return rows


def _page(doc: pdf.Document, h: dict, certs: Certificates, province: config.Province) -> None:
    commune, meta = certs.commune, province.meta
    doc.add_page()
    body = str(meta["commune_body"])
    pdf.header(doc, [body, commune.label.upper()], f"Số: {certificate_number(h['number'])}")
    list_year = commune.year + config.LISTS_FOLLOW_REVIEW
    pdf.title(doc, ["GIẤY CHỨNG NHẬN", "HỘ NGHÈO, HỘ CẬN NGHÈO"], [f"Năm {list_year}"])
    pdf.paragraph(doc, f"{body} {commune.label.upper()}", style="B", align="C")
    for basis in _bases(h, commune):
        pdf.paragraph(doc, basis, style="I", indent=8)
    doc.ln(1)
    pdf.paragraph(doc, "CHỨNG NHẬN:", style="B", align="C")
    pdf.paragraph(doc, f"Họ và tên chủ hộ: {h['head_name'] or BLANK * 4}", indent=8)
    pdf.paragraph(doc, f"Dân tộc: {h['ethnicity']}", indent=8)
    id_number = h["head_id_number"] or BLANK * 3
    pdf.paragraph(
        doc, f"Số CCCD/Số định danh cá nhân: {id_number}    Ngày cấp: {day(None)}", indent=8
    )
    pdf.paragraph(doc, f"Nơi thường trú: {_residence(h, commune, province)}", indent=8)
    status = config.status_labels()[h["status"]].label_vi
    pdf.paragraph(doc, f"Là {status} năm {list_year}.", style="B", indent=8)
    pdf.paragraph(doc, "Các thành viên trong hộ gia đình gồm:", indent=8)
    doc.ln(1)
    pdf.table(doc, COLUMNS, _member_rows(h, certs.members.get(h["household_id"])))
    if h["provisional"]:
        pdf.paragraph(doc, provisional_note(h["standard"]), style="I")
    signer = (str(meta["commune_signer_title"]), str(meta["commune_signer_subtitle"]))
    pdf.signature(doc, dated_at(commune.name), *signer)


def render(certs: Certificates, province: config.Province) -> pdf.Document:
    """One page per household, in certificate-number order."""
    commune = certs.commune
    doc = pdf.document(f"Giấy chứng nhận hộ nghèo, hộ cận nghèo {commune.label} {commune.year}")
    for h in certs.households.to_dict("records"):
        _page(doc, h, certs, province)
    return doc
