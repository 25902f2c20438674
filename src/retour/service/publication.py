"""What every published answer is made under, states, and leaves in the audit log.

- :func:`disclosure_rules`: the profile's rules with the settings' confidential countries;
- :func:`provenance`: the data's extraction date, fingerprint and whether they are simulated;
- :func:`export_answer`, :func:`export_estimates` and :func:`export_document`: a published
  answer (CSV or JSON) and the API's documents rendered by :mod:`retour.reports.tabular`
  and recorded as an export by the actor who asked, whatever the face (``via`` cli, web or
  api), once;
- :func:`record_output`: the one place every output that goes out passes (workbooks,
  briefs, CSV and JSON of every face): its audit entry and, under ``parliament`` and
  ``public``, its release in the register (:mod:`retour.service.releases`), in one
  transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from pydantic import BaseModel

from retour.disclosure import DisclosedEstimates, DisclosureRules, Language, Profile, Published
from retour.domain.errors import N_, UsageError
from retour.domain.provenance import Provenance
from retour.reports.tabular import csv_text, json_text
from retour.service import audit, releases
from retour.service.across import PARAM, CrossCheck
from retour.service.context import Retour
from retour.store import read as store_read
from retour.store.engine import Database

#: Digits of the data fingerprint shown (of a SHA-256).
FINGERPRINT_DIGITS: Final = 16


def disclosure_rules(
    context: Retour, profile: str | Profile | None, confidential: str | None = None
) -> DisclosureRules:
    """The rules of ``profile`` (None: ``public``, the safest): the settings' confidential
    list plus ``confidential``.

    The option adds to the setting and never removes from it: a country the settings keep
    confidential stays pooled.
    """
    settings = context.settings
    codes = [*settings.confidential]
    if confidential:
        codes += confidential.split(",")
    rules = DisclosureRules.from_settings(
        Profile.PUBLIC if profile is None else profile,
        codes,
        suppress_below=settings.suppress_below,
        round_to=settings.round_to,
    )
    if rules.rounds and rules.suppresses and rules.round_to < 2 * rules.suppress_below:
        # a share beside a rounded count could give back a hidden one (disclosure.estimates)
        raise UsageError(
            N_(
                "The public profile rounds counts to {round_to} and hides counts under "
                "{below}: a published share could then give back a hidden count."
            ),
            hint=N_(
                "Set round_to to at least twice suppress_below (10 and 5), or to 1 for no "
                "rounding, in the settings."
            ),
            cli_hint=N_(
                "Set RETOUR_ROUND_TO to at least twice RETOUR_SUPPRESS_BELOW (10 and 5), or "
                "to 1 for no rounding."
            ),
            round_to=rules.round_to,
            below=rules.suppress_below,
        )
    return rules


def provenance(db: Database) -> Provenance:
    """Extraction date, data fingerprint, simulated or not: stated with every output."""
    meta = store_read.read_dataset(db, tables=()).meta
    history = store_read.imports(db)
    # every recorded import, in order: an import that changed nothing leaves no record, so
    # the same data give the same fingerprint, and a file imported again that did change
    # something (A, B, A) gives another
    prints = history["fingerprint"].to_list()
    digest = hashlib.sha256("\n".join(prints).encode("ascii")).hexdigest() if prints else None
    return Provenance(
        extracted_on=meta.extracted_on,
        fingerprint=digest[:FINGERPRINT_DIGITS] if digest else None,
        simulated=bool(store_read.holds_simulated(db)),
        source=meta.source,
        imports=history.height,
    )


@dataclass(frozen=True, slots=True)
class Output:
    """What goes out: the published value it was made from, its format and its bytes; for
    a public release checked against the earlier ones, that check
    (:func:`retour.service.across.safe`)."""

    published: Published
    fmt: str
    content: bytes
    check: CrossCheck | None = None

    @classmethod
    def text(
        cls, published: Published, fmt: str, text: str, check: CrossCheck | None = None
    ) -> Output:
        return cls(published, fmt, text.encode("utf-8"), check)


def record_output(
    context: Retour,
    actor: audit.Actor,
    action: audit.AuditAction,
    output: Output,
    *,
    subject: str,
    what: str | None = None,
    detail: audit.Detail | None = None,
) -> int | None:
    """Record ``output``: its audit entry (``action`` on ``subject`` with ``detail``) and,
    under ``parliament`` and ``public``, its release of ``what`` (the subject when None)
    in the register, in one transaction; the release's id (None: ``internal``, audited
    only)."""
    rules = output.published.rules
    release = None
    if releases.registered(rules):
        origin = releases.origin_of(output.published) or provenance(context.database())
        params = release_params(subject, detail, output.check)
        release = releases.prepared(
            actor=actor,
            what=what or subject,
            params=params,
            published=output.published,
            origin=origin,
            fmt=output.fmt,
            content=output.content,
        )
    with context.database().begin(write=True) as conn:
        entry = audit.record(
            context,
            action,
            actor=actor.name,
            role=actor.role,
            via=actor.via,
            profile=rules.profile.value,
            subject=subject,
            detail=detail,
            within=conn,
        )
        return release.write(conn, entry) if release is not None else None


def release_params(
    subject: str, detail: audit.Detail | None, check: CrossCheck | None = None
) -> dict[str, object]:
    """A release's parameters: its subject and the audit entry's detail, and the check
    against the earlier public releases when one was made (``cross_release``)."""
    params: dict[str, object] = {"subject": subject, **(detail or {})}
    if check is not None:
        params[PARAM] = check.as_params()
    return params


@dataclass(frozen=True, slots=True)
class Together:
    """Published values that go out in one output (an API document made of several): the
    rules they share and the values, registered together."""

    rules: DisclosureRules
    parts: tuple[object, ...]


class ExportFormat(StrEnum):
    """The formats figures are exported in (a table on a screen is not an export)."""

    CSV = "csv"
    JSON = "json"


def export_estimates(
    context: Retour,
    published: DisclosedEstimates,
    fmt: ExportFormat,
    *,
    subject: str,
    lang: Language = "nl",
    answers: Mapping[str, str | float] | None = None,
    actor: audit.Actor | None = None,
) -> str:
    """Published estimates (the index, answer times, effects) as CSV or JSON (with what
    they answer, ``answers``: period, kind, as_of, level, by), recorded as an export of
    ``subject`` by ``actor`` (the operating-system user's when none is given)."""
    given = dict(answers or {})
    period = given.get("period")

    def document() -> BaseModel:
        from retour.reports.models import estimates_document  # pydantic models: when asked

        return estimates_document(published, lang, **given)

    return export_answer(
        context,
        published,
        fmt,
        subject=subject,
        document=document,
        actor=actor,
        detail={"period": str(period) if period is not None else None},
    )


def export_answer(
    context: Retour,
    published: Published,
    fmt: ExportFormat,
    *,
    subject: str,
    document: Callable[[], BaseModel],
    names: Language | None = None,
    actor: audit.Actor | None = None,
    detail: audit.Detail | None = None,
) -> str:
    """A published answer as CSV (:func:`~retour.reports.tabular.csv_text`, country names
    in ``names``) or as the JSON of its ``document``, recorded once as an export of
    ``subject`` (with the format and ``detail``) by ``actor`` (the operating-system user's
    when none is given)."""
    csv = fmt is ExportFormat.CSV
    text = csv_text(published, names=names) if csv else json_text(document())
    record_output(
        context,
        actor or audit.Actor.command_line(),
        audit.AuditAction.EXPORT_FIGURES,
        Output.text(published, fmt.value, text),
        subject=subject,
        detail={"format": fmt.value, **(detail or {})},
    )
    return text


def export_document(
    context: Retour,
    document: BaseModel,
    actor: audit.Actor,
    *,
    rules: DisclosureRules | None,
    subject: str,
    detail: audit.Detail | None = None,
    published: Published | None = None,
    what: str | None = None,
) -> str:
    """An API document (:mod:`retour.reports.models`) as JSON text, recorded once as an API
    export of ``subject`` under the profile of ``rules`` (None: a document without figures,
    such as the list of instruments, recorded as ``internal``); registered as a release
    when the ``published`` value it was made from is given (under parliament, public)."""
    text = json_text(document)
    if rules is None or published is None:
        audit.record_by(
            context,
            actor,
            audit.AuditAction.EXPORT_API,
            profile=(rules.profile if rules is not None else Profile.INTERNAL).value,
            subject=subject,
            detail=detail,
        )
        return text
    record_output(
        context,
        actor,
        audit.AuditAction.EXPORT_API,
        Output.text(published, ExportFormat.JSON.value, text),
        subject=subject,
        what=what or f"api.{subject}",
        detail=detail,
    )
    return text
