"""The register of releases as a reader sees it: its rows, a release's cells, two compared.

The register holds no figures of its own -- a release's cells are what went out -- so its
CSV is :func:`~retour.reports.tabular.table_csv` and its JSON a document of this module
(:func:`~retour.reports.tabular.json_text`). Headers and causes are in the reader's
language; the CSV and JSON field names are an interface and stay as they are.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from typing import Final

import polars as pl
from pydantic import BaseModel

from retour.domain.language import Language
from retour.domain.releases import ReleaseDiff, ReleaseRow
from retour.reports.messages import N_, _

#: The columns of ``retour releases list --format csv`` (the first seven are the issue's).
LIST_COLUMNS: Final = (
    "release_id",
    "made_on",
    "what",
    "profile",
    "fingerprint",
    "extracted_on",
    "by",
    "via",
    "format",
    "sha256",
)
#: The columns of a release's cells and of a comparison.
CELL_COLUMNS: Final = ("part", "dims", "shown", "status")
DIFF_COLUMNS: Final = ("part", "dims", "before", "after", "cause", "why")

#: The table headers in the reader's language.
LIST_HEADERS: Final = (
    N_("Release"),
    N_("Made"),
    N_("What"),
    N_("Profile"),
    N_("Data fingerprint"),
    N_("Extracted on"),
    N_("By"),
)
CELL_HEADERS: Final = (N_("Part"), N_("Cell"), N_("Shown"), N_("Status"))
DIFF_HEADERS: Final = (N_("Part"), N_("Cell"), N_("Before"), N_("After"), N_("Why"))

#: What each cause of a difference says (retour.service.releases.Cause).
CAUSES: Final = {
    "profile": N_("another profile"),
    "confidential": N_("another confidential list"),
    "rules": N_("other thresholds (suppression, rounding)"),
    "new_requests": N_("new requests"),
    "answers_recorded": N_("answers recorded since"),
    "rows_corrected": N_("rows corrected or removed"),
    "suppression": N_("hidden in one release, shown in the other"),
    "data": N_("the data changed"),
    "new_cell": N_("not in the earlier release"),
    "gone_cell": N_("not in the later release"),
    "same": N_("unchanged"),
}


def made_on(row: ReleaseRow) -> str:
    """When a release was made, to the second, UTC."""
    return row.made_at.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def made_by(row: ReleaseRow) -> str:
    """Who made it: the user and role, or the operating-system user."""
    return f"{row.actor} ({row.role})" if row.role else row.actor


def list_row(row: ReleaseRow) -> list[object]:
    extracted = row.extracted_on.isoformat() if row.extracted_on else ""
    return [
        row.id,
        made_on(row),
        row.what,
        row.profile,
        row.fingerprint or "",
        extracted,
        made_by(row),
        row.via,
        row.format,
        row.sha256,
    ]


def headers(names: Sequence[str], lang: Language) -> list[str]:
    return [_(name, lang) for name in names]


def cause_text(cause: str, lang: Language) -> str:
    return _(CAUSES[cause], lang)


class ReleaseDocument(BaseModel):
    """One release of the register (JSON)."""

    release_id: int
    made_on: str
    what: str
    params: dict[str, object]
    profile: str
    rules: dict[str, object]
    fingerprint: str | None
    extracted_on: str | None
    by: str
    via: str
    format: str
    sha256: str


class ReleasesDocument(BaseModel):
    releases: list[ReleaseDocument]


class CellDocument(BaseModel):
    part: str
    dims: str
    shown: str | None
    status: str


class ReleaseCellsDocument(BaseModel):
    release: ReleaseDocument
    cells: list[CellDocument]


class ChangeDocument(BaseModel):
    part: str
    dims: str
    before: str | None
    after: str | None
    cause: str
    why: str


class DiffDocument(BaseModel):
    before: ReleaseDocument
    after: ReleaseDocument
    same: int
    changes: list[ChangeDocument]
    imports_between: list[dict[str, object]]


def release_document(row: ReleaseRow) -> ReleaseDocument:
    return ReleaseDocument(
        release_id=row.id,
        made_on=made_on(row),
        what=row.what,
        params=json.loads(row.params),
        profile=row.profile,
        rules=json.loads(row.rules),
        fingerprint=row.fingerprint,
        extracted_on=row.extracted_on.isoformat() if row.extracted_on else None,
        by=made_by(row),
        via=row.via,
        format=row.format,
        sha256=row.sha256,
    )


def releases_document(rows: Sequence[ReleaseRow]) -> ReleasesDocument:
    return ReleasesDocument(releases=[release_document(r) for r in rows])


def cells_document(row: ReleaseRow, cells: pl.DataFrame) -> ReleaseCellsDocument:
    return ReleaseCellsDocument(
        release=release_document(row),
        cells=[CellDocument.model_validate(c) for c in cells.iter_rows(named=True)],
    )


def release_lines(row: ReleaseRow, lang: Language) -> list[str]:
    """What a release is, in a few lines above its cells."""
    rules = json.loads(row.rules)
    confidential = ",".join(rules.get("confidential", [])) or "-"
    return [
        _("Release {id}: {what} ({format}), made {made} by {by} via {via}.", lang,
          id=row.id, what=row.what, format=row.format, made=made_on(row), by=made_by(row),
          via=row.via),
        _("Parameters: {params}", lang, params=row.params),
        _("Profile {profile}; confidential {confidential}; counts under {below} hidden, "
          "rounded to {round}.", lang, profile=row.profile, confidential=confidential,
          below=rules.get("suppress_below"), round=rules.get("round_to")),
        _("Data: extracted on {extracted}, fingerprint {fingerprint}.", lang,
          extracted=row.extracted_on.isoformat() if row.extracted_on else "-",
          fingerprint=row.fingerprint or "-"),
        _("SHA-256 of what went out: {sha256}", lang, sha256=row.sha256),
        check_text(row, lang),
    ]  # fmt: skip


#: The parameter in which a public release keeps its check across releases.
CHECK_PARAM: Final = "cross_release"


def check_of(row: ReleaseRow) -> dict[str, object] | None:
    """The check against earlier public releases kept with ``row``, if one was made."""
    found = json.loads(row.params).get(CHECK_PARAM)
    return found if isinstance(found, dict) else None


def check_text(row: ReleaseRow, lang: Language) -> str:
    """What the check across releases did, in one sentence (docs/releases.md)."""
    found = check_of(row)
    if found is None:
        if row.profile != "public":
            return _("Not checked across releases: only public releases are.", lang)
        return _("Not checked across releases (made without the check).", lang)
    ids = found.get("compared")
    compared = [str(i) for i in ids] if isinstance(ids, list) else []
    if not compared:
        return _(
            "Checked across releases ({model}): no earlier public release of its tables.",
            lang,
            model=found.get("model"),
        )
    slack = found.get("slack")
    return _("Checked across releases ({model}) with releases {ids}: {checked} hidden cells "
             "checked, {hidden} more cells hidden, {left} pinned; corrections allowed: "
             "{slack} per cell.", lang, model=found.get("model"), ids=", ".join(compared),
             checked=found.get("cells_checked"), hidden=found.get("newly_hidden"),
             left=found.get("pinned_left"), slack="-" if slack is None else slack)  # fmt: skip


def check_short(row: ReleaseRow, lang: Language) -> str:
    """The check in a few words, for the register's page."""
    found = check_of(row)
    if found is None:
        return "-"
    compared = found.get("compared") or []
    return _("{n} compared, {hidden} more hidden, {left} pinned", lang,
             n=len(compared) if isinstance(compared, list) else 0,
             hidden=found.get("newly_hidden"), left=found.get("pinned_left"))  # fmt: skip


def diff_rows(compared: ReleaseDiff, lang: Language) -> Iterator[list[str | None]]:
    for c in compared.changes:
        yield [c.part, c.dims, c.before, c.after, c.cause.value, cause_text(c.cause, lang)]


def diff_lines(compared: ReleaseDiff, lang: Language) -> list[str]:
    """What the comparison found, before its table of changed cells."""
    a, b = compared.before, compared.after
    lines = [
        _("Release {a} ({made_a}) and release {b} ({made_b}): {changed} cells differ, "
          "{same} are the same.", lang, a=a.id, b=b.id, made_a=made_on(a), made_b=made_on(b),
          changed=len(compared.changes), same=compared.same),
    ]  # fmt: skip
    if a.fingerprint != b.fingerprint:
        lines.append(
            _("The data changed: fingerprint {fa} (extracted on {ea}), then {fb} (extracted on "
              "{eb}).", lang, fa=a.fingerprint or "-", fb=b.fingerprint or "-",
              ea=a.extracted_on or "-", eb=b.extracted_on or "-")
        )  # fmt: skip
    for made in compared.imports:
        lines.append(
            _("Imported between them on {at} (extracted on {extracted}): {counts}.", lang,
              at=str(made["imported_at"])[:16], extracted=made["extracted_on"],
              counts=_changed_rows(made.get("counts"), lang))
        )  # fmt: skip
    if a.profile != b.profile or a.rules != b.rules:
        lines.append(_("The rules differ: {ra}, then {rb}.", lang, ra=a.rules, rb=b.rules))
    return lines


def _changed_rows(counts: object, lang: Language) -> str:
    """``requests 300 replaced, 20 new; ...``: the tables an import changed."""
    said = []
    for table, n in sorted(counts.items()) if isinstance(counts, dict) else []:
        if not isinstance(n, dict):  # not a table's rows (e.g. a choice the import states)
            continue
        parts = [
            _("{n} new", lang, n=n.get("inserted", 0)) if n.get("inserted") else None,
            _("{n} replaced", lang, n=n.get("replaced", 0)) if n.get("replaced") else None,
        ]
        if any(parts):
            said.append(f"{table} " + ", ".join(p for p in parts if p))
    return "; ".join(said) or _("no rows changed", lang)


def diff_document(compared: ReleaseDiff, lang: Language) -> DiffDocument:
    return DiffDocument(
        before=release_document(compared.before),
        after=release_document(compared.after),
        same=compared.same,
        changes=[
            ChangeDocument(
                part=c.part,
                dims=c.dims,
                before=c.before,
                after=c.after,
                cause=c.cause.value,
                why=cause_text(c.cause, lang),
            )
            for c in compared.changes
        ],
        imports_between=compared.imports,
    )
