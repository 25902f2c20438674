"""Use cases of outside statistics: import Eurostat's return tables, answer the return rate.

Importing several files: each file is read whole and written in its own transaction, all of
it or nothing. A file that cannot be read or has a malformed line is reported (every
problem as ``FILE:LINE: what is wrong``) and nothing of it is written; the other files are
still imported. The command exits with status 2 when any file failed.

The return rate of a citizenship goes through the publication profile: under
``parliament`` and ``public`` a citizenship on the confidential list is refused (exit 2),
because the citizenship is the subject of the question and pooling one subject into
"other countries" would answer nothing. Eurostat's figures are shown as Eurostat publishes
them (already rounded, confidential values flagged ``c``): they are not rounded or
suppressed again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

from retour.analysis import return_rate as rr
from retour.analysis.return_rate import ReturnRates
from retour.disclosure import DisclosureRules, Language, Profile, accept
from retour.domain.errors import N_, Field, InputError, UsageError
from retour.domain.eurostat import (
    EUROSTAT_TO_ISO,
    ISO_TO_EUROSTAT,
    EurostatDataset,
    citizen_codes,
    geo_codes,
)
from retour.exchange.eurostat import EurostatFormatError, read_eurostat
from retour.reports import context as texts
from retour.reports import labels
from retour.reports.models import ReturnRateDocument
from retour.service.context import Retour
from retour.service.publication import disclosure_rules
from retour.service.years import resolve_years
from retour.store import outside as store


@dataclass(frozen=True, slots=True)
class FileImport:
    """What became of one file: its result, or the problems that kept it out."""

    path: Path
    dataset: str | None = None
    format: str | None = None
    result: store.OutsideResult | None = None
    problems: tuple[str, ...] = ()
    total_problems: int = 0

    @property
    def ok(self) -> bool:
        return self.result is not None


def parse_dataset(text: str | None) -> EurostatDataset | None:
    """The dataset of ``--dataset`` (``migr_eiord``, ``migr_eirtn``; a ``q`` suffix for the
    quarterly variant reads as the same), or None when not given."""
    if text is None or not text.strip():
        return None
    code = text.strip().lower()
    for dataset in EurostatDataset:
        if code in {dataset.value, f"{dataset.value}q"}:
            return dataset
    names = " or ".join(d.value for d in EurostatDataset)
    raise UsageError(
        N_("Unknown Eurostat dataset {value!r}."), hint=N_("Give {names}."), value=text, names=names
    )


def import_files(
    context: Retour,
    paths: Sequence[Path],
    *,
    dataset: str | None = None,
    now: dt.datetime | None = None,
) -> Iterator[FileImport]:
    """Import each file in its own transaction; yield what became of it as it is done.

    A database error (locked, unreachable) is not a problem of the file: it ends the run.
    """
    if not paths:
        raise UsageError(N_("Name at least one file to import."))
    chosen = parse_dataset(dataset)
    db = context.database()
    for path in paths:
        try:
            table = read_eurostat(path, dataset=chosen.value if chosen else None)
        except EurostatFormatError as exc:
            yield FileImport(path, problems=tuple(exc.problems), total_problems=exc.total)
            continue
        except InputError as exc:
            yield FileImport(path, problems=(str(exc),), total_problems=1)
            continue
        frame = table.frame.rename({"line": "source_line"})
        stamp = now or dt.datetime.now(dt.UTC)
        result = store.write_outside(db, frame, imported_at=stamp)
        yield FileImport(path, table.dataset.value, table.format.value, result)


# -- codes -----------------------------------------------------------------------------------


def parse_citizen(text: str) -> str:
    """A citizenship code as stored: ISO 3166-1 alpha-2 (Eurostat's EL and UK accepted for
    GR and GB) or one of Eurostat's groups (TOTAL, STLS, UNK, RNC, EXT_EU27_2020, ...)."""
    code = text.strip().upper()
    code = EUROSTAT_TO_ISO.get(code, code)
    if code not in citizen_codes():
        raise UsageError(
            N_("Unknown citizenship code {value!r}."),
            hint=N_(
                "Give an ISO 3166-1 alpha-2 code such as MA, GR or XK, or one of Eurostat's "
                "groups: TOTAL, STLS (stateless), UNK, RNC, EXT_EU27_2020, EXT_EU28."
            ),
            field=Field.COUNTRY,
            value=text.strip(),
        )
    return code


def parse_geo(text: str | None) -> str | None:
    """A reporting state in Eurostat's codes (ISO's GR and GB accepted for EL and UK)."""
    if text is None or not text.strip():
        return None
    code = text.strip().upper()
    code = ISO_TO_EUROSTAT.get(code, code)
    if code not in geo_codes():
        raise UsageError(
            N_("Unknown reporting state {value!r}."),
            hint=N_("Give a code such as NL, BE, EL (Greece) or UK, or an aggregate such as EU28."),
            field=Field.GEO,
            value=text.strip(),
        )
    return code


def check_disclosure(citizen: str, rules: DisclosureRules) -> None:
    """Refuse to name a confidential citizenship under the parliament and public profiles."""
    if rules.pools and citizen in rules.confidential:
        raise UsageError(
            N_(
                "The citizenship {country} is on the confidential list: the {profile} profile "
                "does not name it, so its return rate is not shown."
            ),
            cli_hint=N_("Use {field} internal for internal work (not for publication)."),
            field=Field.PROFILE,
            country=citizen,
            profile=rules.profile,
        )


# -- the return rate -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnRateAnswer:
    """The return rate of one citizenship, checked against the publication profile."""

    rates: ReturnRates
    rules: DisclosureRules
    geo: str | None = None

    def document(self, lang: Language = "nl") -> ReturnRateDocument:
        """The answer as a JSON document (:func:`retour.reports.tabular.json_text`)."""
        rates = accept(self, "json").rates
        rows = rates.rows.with_columns(pl.col(rr.RETURN_RATE).round(6))
        ranking = [
            {"year": r[rr.YEAR], "geo": rates.focus, "rank": r[rr.RANK], "of": r[rr.RANKED]}
            for r in rates.focus_rows().iter_rows(named=True)
        ]
        return ReturnRateDocument.model_validate(
            {
                "citizen": rates.citizen,
                "citizen_name": texts.citizen_name(rates.citizen, lang),
                "geo": self.geo,
                "years": list(rates.years),
                "profile": self.rules.profile.value,
                "rows": rows.to_dicts(),
                "ranking": ranking,
                "flags": {f: texts.flag_label(f, lang) for f in rates.flags()},
                "notes": texts.notes(rates, lang),
                "sources": list(rates.sources),
            }
        )

    def as_json(self, lang: Language = "nl") -> dict[str, object]:
        """:meth:`document` as data (the API's country document holds it)."""
        data: dict[str, object] = self.document(lang).model_dump(mode="json")
        return data

    def csv_table(self, names: Language | None = None) -> tuple[list[str], list[list[object]]]:
        """The rows as CSV shows them (:data:`CSV_COLUMNS`; an empty field: not available,
        flags ``true``/``false``, the rate to six decimals); ``names`` is not used."""
        rows = self.rates.rows.select(CSV_COLUMNS).with_columns(pl.col(rr.RETURN_RATE).round(6))
        return list(CSV_COLUMNS), [[_csv_cell(v) for v in row] for row in rows.iter_rows()]


#: The columns of the return rate in CSV, in this order (``retour.analysis.return_rate``'s).
CSV_COLUMNS: Final = (
    rr.GEO, rr.CITIZEN, rr.YEAR, rr.ORDERED, rr.ORDERED_FLAG, rr.RETURNED, rr.RETURNED_FLAG,
    rr.RETURN_RATE, rr.RANK, rr.RANKED, rr.AGGREGATE,
)  # fmt: skip


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def return_rate(
    context: Retour,
    citizen: str,
    *,
    geo: str | None = None,
    years: str | None = None,
    profile: str | Profile = Profile.PUBLIC,
    confidential: str | None = None,
) -> ReturnRateAnswer:
    """Orders to leave, returns and the return rate of ``citizen`` per reporting state and
    year (``geo``: one state and the EU aggregates; its rank among all states)."""
    rules = disclosure_rules(context, profile, confidential)
    code = parse_citizen(citizen)
    state = parse_geo(geo)
    check_disclosure(code, rules)
    frame = store.read_outside(context.database(), citizen=code)
    everything = rr.return_rates(frame, code, focus=state or rr.NETHERLANDS)
    span = _span(everything)
    if span is None:
        raise UsageError(
            N_("The database holds no Eurostat figures on citizens of {country}."),
            hint=N_("An administrator can import Eurostat's figures."),
            cli_hint=N_("Import migr_eiord and migr_eirtn first: retour context import FILE..."),
            country=code,
        )
    chosen = resolve_years(years, span, None, N_("Eurostat figures"))
    rates = rr.return_rates(frame, code, years=chosen, focus=state or rr.NETHERLANDS)
    if state is not None and rates.rows.filter(pl.col(rr.GEO) == state).is_empty():
        raise UsageError(
            N_("Eurostat has no figures on citizens of {country} reported by {state} in {years}."),
            hint=N_("Leave out {field} to see every reporting state."),
            field=Field.GEO,
            country=code,
            state=state,
            years=labels.years_text(list(chosen)),
        )
    return ReturnRateAnswer(rr.narrow(rates, state), rules, state)


def _span(rates: ReturnRates) -> tuple[int, int] | None:
    years = [int(y) for y in rates.rows[rr.YEAR].to_list()]
    return (min(years), max(years)) if years else None


def country_context(
    context: Retour,
    citizen: str,
    years: str | Iterable[int] | None = None,
    *,
    focus: str = rr.NETHERLANDS,
    rules: DisclosureRules | None = None,
) -> ReturnRates | None:
    """The EU context of a country for the country report and page, or None without data.

    ``years``: ``"2012-2016"``, a sequence of years, or None for every year with figures;
    years without figures are left out (None when none is left). ``rules``: when given,
    a confidential citizenship is refused under parliament and public (UsageError), as the
    command does. Render with :mod:`retour.reports.context`.
    """
    code = parse_citizen(citizen)
    if rules is not None:
        check_disclosure(code, rules)
    frame = store.read_outside(context.database(), citizen=code)
    if frame.is_empty():
        return None
    wanted: tuple[int, ...] | None
    if years is None:
        wanted = None
    elif isinstance(years, str):
        wanted = _parse_years(years)
    else:
        wanted = tuple(sorted(set(years)))
    rates = rr.return_rates(frame, code, years=wanted, focus=focus)
    present = tuple(y for y in rates.years if y in set(rates.rows[rr.YEAR].to_list()))
    if not present:
        return None
    return ReturnRates(rates.citizen, present, focus, rates.rows, rates.sources, rates.duplicates)


def _parse_years(text: str) -> tuple[int, ...]:
    return resolve_years(text, (1, 9999), None, N_("Eurostat figures"))


def citizens(context: Retour) -> list[str]:
    """The citizenships with outside statistics (Eurostat's codes, aggregates among them)."""
    return store.citizens(context.database())


def outside_count(context: Retour) -> int:
    """How many values of outside statistics the database holds (for ``retour info``)."""
    return store.count_outside(context.database())


def outside_version(context: Retour) -> tuple[int, str | None]:
    """(values, last change) of the outside statistics: a cache key that changes with every
    import that inserts or updates a value (the count alone misses revised figures)."""
    return store.outside_version(context.database())
