"""The import page: upload a dataset (through a mapping), and the saved mappings."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from retour.disclosure import Language
from retour.domain.codes import Table
from retour.domain.conflicts import OnConflict
from retour.domain.errors import NotFoundError, RetourError, UsageError
from retour.reports import imports as words
from retour.reports.messages import _, count
from retour.service import audit, conflicts, datasets, imports, mappings
from retour.service.audit import AuditAction, Via
from retour.service.instruments import InvalidDatasetError
from retour.web import uploads
from retour.web.i18n import error_text
from retour.web.render import language, render
from retour.web.routes.common import NotFound, User, views
from retour.web.security import CSRF_HEADER, CsrfRefused, Principal, csrf_ok, retour

router = APIRouter()

#: The largest dataset accepted through the web (bytes).
MAX_UPLOAD: Final = 2 * 1024**3
#: Violations listed on the import page (then a count), as on the command line.
MAX_VIOLATIONS: Final = 200
UPLOAD_SUFFIXES: Final = (".zip", ".xlsx", ".csv")


# -- import -----------------------------------------------------------------------------------

#: What the import form takes: the dataset (a container, or a source system's export) and
#: a mapping file (docs/mapping.md).
MAPPING_SUFFIXES: Final = (".toml",)
MIB: Final = 1024 * 1024
#: Imports listed on the import page (the rest: `retour imports`).
HISTORY_SHOWN: Final = 10


def _safe_name(name: str | None, suffixes: tuple[str, ...]) -> str | None:
    if not name:
        return None
    base = re.split(r"[\\/]", name)[-1]
    clean = re.sub(r"[^A-Za-z0-9._-]", "_", base)[-100:].lstrip(".")
    return clean if clean.lower().endswith(suffixes) else None


def safe_file_name(name: str | None) -> str | None:
    """The uploaded file's name reduced to letters, digits, '.', '_' and '-', with the
    suffix of a container retour reads (or of a source system's CSV export); None when it
    has none."""
    return _safe_name(name, UPLOAD_SUFFIXES)


def _words(lang: Language) -> dict[str, str]:
    """The import page's own words (the catalog's)."""
    return {
        "mapping_file": _("Mapping (optional): a .toml file that says how a source system's "
                          "export is read", lang),
        "saved": _("or a saved mapping", lang),
        "no_mapping": _("none: the file is in the exchange format", lang),
        "save_as": _("Save the uploaded mapping under the name (optional)", lang),
        "mappings": _("Saved mappings", lang),
        "no_mappings": _("No mapping is saved yet.", lang),
        "name": _("name", lang),
        "sha256": _("SHA-256", lang),
        "saved_by": _("saved by", lang),
        "saved_at": _("saved at (UTC)", lang),
        "download": _("Download", lang),
        "delete": _("Delete", lang),
        "history": _("Latest imports", lang),
        "no_history": _("No imports yet.", lang),
        "when": _("when (UTC)", lang),
        "by": _("by", lang),
        "source": _("source", lang),
        "extracted_on": _("extraction date", lang),
        "rows": _("rows", lang),
        "conflicts": _("conflicts", lang),
        "mapping": _("mapping", lang),
        "none": _("none", lang),
        "draft_intro": _("This file is not in the exchange format. Here is a first mapping for "
                         "it, as `retour mapping draft` writes it: check the lines marked "
                         "CHECK, fill in those marked TODO, save it under a name, and upload "
                         "the file again with it.", lang),
        "draft_text": _("Mapping", lang),
        "save_mapping": _("Save mapping", lang),
        "to_fill": _("To fill in (TODO)", lang),
        "to_check": _("To check (CHECK)", lang),
        "saved_used": _("Read through the mapping saved as", lang),
        "on_conflict": _("Rows recorded or corrected in retour after the extract was taken",
                         lang),
        "refuse": _("refuse the import and list them (nothing is written)", lang),
        "keep": _("keep retour's values, import the rest", lang),
        "replace": _("take the extract's values (their history says so)", lang),
        "file_hint": _("A source system's own export (a .zip of CSV files, an .xlsx workbook or "
                       "one .csv file) is read through a mapping: choose a saved one or "
                       "upload it; without one, the page drafts one for you.", lang),
    }  # fmt: skip


def _history(app: Any, lang: Language) -> list[dict[str, str]]:
    """The last imports, as `retour imports` lists them."""
    shown = []
    for entry in imports.list_imports(app, limit=HISTORY_SHOWN):
        held = [(t.value, entry.rows(t)) for t in Table if entry.rows(t)]
        n = entry.recorded("kept") + entry.recorded("replaced")
        shown.append(
            {
                "id": str(entry.id),
                "when": words.when_text(entry.imported_at),
                "by": entry.by or "",
                "source": entry.source or entry.container,
                "extracted_on": entry.extracted_on.isoformat(),
                "rows": words.rows_text(held, lang),
                "conflicts": words.conflicts_text(entry.on_conflict, n, lang),
                "mapping": entry.mapping_sha256 or "",
            }
        )
    return shown


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, principal: User) -> Response:
    return _import_page(request, name="")


def _spool(request: Request) -> uploads.UploadSpool:
    spool: uploads.UploadSpool = request.app.state.uploads
    return spool


def _upload_limit(request: Request) -> int:
    """The largest upload taken, in bytes: the setting, within MAX_UPLOAD."""
    return min(MAX_UPLOAD, retour(request).settings.upload_limit_mb * MIB)


@router.post("/import", response_class=HTMLResponse)
async def import_upload(request: Request, principal: User) -> Response:
    """Take an upload as a stream (retour.web.uploads): the role is checked by the guard, the
    length before the body is read, the CSRF token before a byte of a file is written;
    the files go into a private folder that is removed when the request ends."""
    header_token = request.headers.get(CSRF_HEADER) is not None  # checked by the guard
    rules = uploads.FormRules(
        limit=_upload_limit(request),
        files={
            "dataset": safe_file_name,
            "mapping": partial(_safe_name, suffixes=MAPPING_SUFFIXES),
        },
        token_ok=lambda sent: header_token or csrf_ok(request, sent),
    )
    try:
        uploads.check_length(request, rules.limit)  # before a folder is even made
        with _spool(request).folder() as folder:
            received = await uploads.receive(request, folder, rules)
            return await run_in_threadpool(_import_received, request, principal, received)
    except uploads.CsrfMissing:
        raise CsrfRefused from None
    except uploads.UploadRefused as exc:
        await run_in_threadpool(_import_refused, request, principal, exc.reason)
        error = _refusal_text(exc, request)
        return _import_page(request, name=exc.name, status=exc.status, error=error)


def _refusal_text(exc: uploads.UploadRefused, request: Request) -> str:
    lang = language(request)
    if exc.reason == "too_large":
        limit = _upload_limit(request) // MIB
        return _("The upload is larger than the limit of {limit} MiB; nothing was written.",
                 lang, limit=count(max(limit, 1), lang))  # fmt: skip
    if exc.reason == "file_name":
        return _("Choose a .zip, .xlsx or .csv file as the dataset, and a .toml file as the "
                 "mapping.", lang)  # fmt: skip
    return _("The form could not be read; nothing was written. Reload the page and try again.",
             lang)  # fmt: skip


class _MappingChoiceError(UsageError):
    """A mapping the import form cannot take as given (`reason`; said by _import_error)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the import form's mapping: {reason}")
        self.reason = reason


def _chosen_mapping(
    request: Request, principal: Principal, received: uploads.Received, folder: Path
) -> tuple[Path | None, str | None]:
    """The mapping file to import through (uploaded, or saved and written into the request's
    folder) and the name it was saved under, if any. UsageError when both are given."""
    app = retour(request)
    uploaded = received.files.get("mapping")
    saved = received.fields.get("saved", "").strip()
    save_as = received.fields.get("save_as", "").strip()
    if uploaded is not None and saved:
        raise _MappingChoiceError("both")
    if saved:
        chosen = mappings.get_mapping(app, saved)
        path = folder / f"{chosen.name}.toml"
        path.write_text(chosen.text, encoding="utf-8")
        return path, chosen.name
    if uploaded is None:
        return None, None
    if save_as:
        try:
            text = uploaded.path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _MappingChoiceError("not_utf8") from None
        actor = audit.Actor(principal.name, Via.WEB, principal.role)
        mappings.save_mapping(app, save_as, text, actor=actor)
        return uploaded.path, mappings.check_name(save_as)
    return uploaded.path, None


def _import_received(
    request: Request, principal: Principal, received: uploads.Received
) -> Response:
    """Import what the form held, through its mapping when it gave one."""
    app = retour(request)
    lang = language(request)
    dataset = received.files.get("dataset")
    shown = partial(_import_page, request, name=dataset.given if dataset else "")
    if dataset is None:
        _import_refused(request, principal, "file_name")
        return shown(status=400, error=_("Choose a .zip or .xlsx file.", lang))
    try:
        mapping, saved = _chosen_mapping(request, principal, received, dataset.path.parent.parent)
    except InvalidDatasetError as exc:  # the mapping to save does not read: nothing saved
        _import_refused(request, principal, "bad_mapping")
        return shown(status=400, refused=_refused(exc))
    except RetourError as exc:
        _import_refused(request, principal, type(exc).__name__)
        return shown(status=exc.http_status, error=_import_error(exc, lang))
    choice = _on_conflict(received)
    if choice is None:
        _import_refused(request, principal, "on_conflict")
        return shown(status=400, error=_("Choose refuse, keep or replace for the rows recorded "
                                         "in retour after the extract.", lang))  # fmt: skip
    try:
        report = datasets.import_dataset(
            app, dataset.path, actor=principal.name, via=Via.WEB, role=principal.role,
            mapping=mapping, on_conflict=choice,
        )  # fmt: skip
    except conflicts.ImportConflictError as exc:  # recorded by retour.service.datasets
        return shown(status=exc.http_status, conflicts=_conflicted(exc, lang))
    except InvalidDatasetError as exc:  # retour.service.datasets recorded the refusal
        wanted = mapping is None and mappings.wants_mapping(exc)
        return shown(
            status=400, refused=_refused(exc), draft=_draft(dataset.path) if wanted else None
        )
    except RetourError as exc:  # not a dataset retour can read: recorded here
        _import_refused(request, principal, type(exc).__name__)
        draft = (
            _draft(dataset.path)
            if mapping is None and dataset.name.lower().endswith(".csv")
            else None
        )
        return shown(
            status=exc.http_status, error=_unreadable(exc, dataset.path, lang), draft=draft
        )
    views(request).changed()
    views(request).warm_up_in_background()  # the next visitor finds the new data computed
    return shown(report=_imported(report, saved, lang))


def _on_conflict(received: uploads.Received) -> OnConflict | None:
    """The form's choice on conflicts (refuse when not given); None: not a choice."""
    given = received.fields.get("on_conflict", "").strip() or OnConflict.REFUSE.value
    try:
        return OnConflict(given)
    except ValueError:
        return None


def _conflicted(exc: conflicts.ImportConflictError, lang: Language) -> dict[str, Any]:
    """An import refused for its conflicts: the count and the first ones, in words."""
    found = exc.conflicts
    return {
        "count": found.count,
        "extracted_on": found.extracted_on.isoformat(),
        "lines": found.lines(lang, MAX_VIOLATIONS),
    }


def _refused(exc: InvalidDatasetError) -> dict[str, Any]:
    return {
        "count": len(exc.violations),
        "violations": exc.violations[:MAX_VIOLATIONS],
        "more": max(0, len(exc.violations) - MAX_VIOLATIONS),
    }


def _imported(report: datasets.ImportReport, saved: str | None, lang: Language) -> dict[str, Any]:
    result = report.result  # recorded in the audit log by retour.service.datasets
    rows = [
        (t.value, c.inserted, c.replaced, c.unchanged, c.kept_newer)
        for t, c in result.tables.items()
    ]
    kept = sum(c.kept_recorded for c in result.tables.values())
    replaced = sum(c.replaced_recorded for c in result.tables.values())
    found = report.conflicts
    return {
        "rows": rows,
        "notices": list(report.notices),
        "simulated": report.meta.simulated,
        "saved": saved,
        "on_conflict": report.on_conflict.value,
        "kept": kept,
        "replaced": replaced,
        "conflicts": [] if found is None else found.lines(lang, MAX_VIOLATIONS),
    }


def _draft(path: Path) -> dict[str, Any] | None:
    """What `retour mapping draft` writes for the file, with its summary; None when the
    file cannot be read even as a source."""
    try:
        drafted = datasets.draft_mapping(path)
    except RetourError:
        return None
    stem = re.sub(r"[^A-Za-z0-9._-]", "-", path.stem).strip("-.")[:64] or "mapping"
    return {
        "text": drafted.text,
        "name": stem,
        "feeds": [(t.value, source) for t, source in drafted.feeds.items()],
        "matched": drafted.matched,
        "todo": [*drafted.missing, *drafted.unknown],
        "check": list(drafted.unsure),
    }


def _import_page(
    request: Request,
    *,
    name: str,
    status: int = 200,
    report: dict[str, Any] | None = None,
    refused: dict[str, Any] | None = None,
    error: str | None = None,
    draft: dict[str, Any] | None = None,
    message: str | None = None,
    conflicts: dict[str, Any] | None = None,
) -> Response:
    """The import page with the outcome of an upload (imported, refused, an error, a draft),
    the saved mappings and the last imports."""
    app = retour(request)
    lang = language(request)
    return render(
        request,
        "import.html",
        status=status,
        report=report,
        refused=refused,
        error=error,
        name=name,
        draft=draft,
        message=message,
        conflicts=conflicts,
        choices=[c.value for c in OnConflict],
        words=_words(lang),
        saved_mappings=mappings.list_mappings(app),
        history=_history(app, lang),
    )


def _import_error(exc: RetourError, lang: Language) -> str:
    """A refusal of the import form's mapping choice, in words."""
    if isinstance(exc, NotFoundError):
        return _("No mapping is saved under that name.", lang)
    if isinstance(exc, mappings.BadMappingNameError):
        return _("A mapping's name is 1 to 64 letters, digits, '.', '_' or '-'.", lang)
    if isinstance(exc, _MappingChoiceError) and exc.reason == "not_utf8":
        return _("The mapping is not UTF-8 text; save it as UTF-8.", lang)
    if isinstance(exc, _MappingChoiceError):
        return _("Give either a mapping file or a saved mapping, not both.", lang)
    return error_text(exc, lang)


def _unreadable(exc: RetourError, path: Path, lang: Language) -> str:
    """Why an upload could not be read, in words, without the server's folders: the file
    is named by its own (safe) name."""
    said = error_text(exc, lang)
    folder = str(path.parent.parent)
    detail = re.sub(re.escape(folder) + r"[^\s:'\"]*", lambda m: Path(m.group(0)).name, said)
    if isinstance(exc, datasets.ImportRefusedError):
        return detail  # a known refusal (such as mixing simulated and real data), in words
    return " ".join((_("The file could not be read; nothing was written.", lang), f"({detail})"))


def _import_refused(request: Request, principal: Principal, reason: str) -> None:
    """An upload refused before it was read as a dataset, in the audit log (the service
    records the refusals of datasets it read); the file's name is not kept."""
    audit.record(
        retour(request),
        AuditAction.IMPORT_REFUSED,
        actor=principal.name,
        role=principal.role,
        via=Via.WEB,
        detail={"reason": reason},
    )


# -- saved mappings ---------------------------------------------------------------------------


@router.post("/import/mappings", response_class=HTMLResponse)
def mapping_save(
    request: Request,
    principal: User,
    name: Annotated[str, Form(max_length=200)] = "",
    mapping: Annotated[str, Form(max_length=mappings.MAX_MAPPING_BYTES)] = "",
) -> Response:
    """Save a mapping (a draft as corrected on the page) under a name; audited."""
    lang = language(request)
    actor = audit.Actor(principal.name, Via.WEB, principal.role)
    draft: dict[str, Any] = {"text": mapping, "name": name.strip(), "matched": None}
    draft |= {"feeds": [], "todo": [], "check": []}
    try:
        replaced = mappings.save_mapping(retour(request), name, mapping, actor=actor)[1]
    except InvalidDatasetError as exc:  # the mapping does not read: nothing saved
        return _import_page(request, name="", status=400, refused=_refused(exc), draft=draft)
    except RetourError as exc:
        error = _import_error(exc, lang)
        return _import_page(request, name="", status=exc.http_status, error=error, draft=draft)
    said = (
        _("Mapping {name} replaced.", lang, name=name.strip())
        if replaced
        else _(
            "Mapping {name} saved: choose it below with the file to import.",
            lang,
            name=name.strip(),
        )
    )
    return _import_page(request, name="", message=said)


def _mapping_name(name: str) -> str:
    if not mappings.NAME.fullmatch(name):
        raise NotFound
    return name


@router.get("/import/mappings/{name}")
def mapping_download(request: Request, name: str, principal: User) -> Response:
    """A saved mapping's text, as a .toml file to edit or to use with `retour import`."""
    try:
        saved = mappings.get_mapping(retour(request), _mapping_name(name))
    except NotFoundError:
        raise NotFound from None
    return Response(
        saved.text,
        media_type="application/toml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{saved.name}.toml"'},
    )


@router.post("/import/mappings/{name}/delete", response_class=HTMLResponse)
def mapping_delete(request: Request, name: str, principal: User) -> Response:
    """Remove a saved mapping (imports made through it keep their copy); audited."""
    actor = audit.Actor(principal.name, Via.WEB, principal.role)
    try:
        mappings.delete_mapping(retour(request), _mapping_name(name), actor=actor)
    except NotFoundError:
        raise NotFound from None
    said = _("Mapping {name} deleted.", language(request), name=name)
    return _import_page(request, name="", message=said)
