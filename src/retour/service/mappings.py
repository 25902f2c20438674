"""Mappings saved under a name: save, list, show, delete; each change is audited.

An administrator saves a mapping file (docs/mapping.md) on the web's import page, so the
next export from the same source system is imported through it without uploading it
again. A mapping is checked before it is saved (the same parser as ``retour import
--mapping``): a saved mapping is always one that reads. Its name is an id -- letters,
digits, ``.``, ``_`` and ``-``, at most 64 -- and is the audit entry's subject.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

from retour.domain.errors import N_, NotFoundError, UsageError
from retour.exchange import InvalidDatasetError, Mapping, Reason, parse_mapping
from retour.service import audit
from retour.service.context import Retour
from retour.store import mappings as store_mappings

NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
#: The largest mapping file taken (a mapping is a few kilobytes).
MAX_MAPPING_BYTES: Final = 256 * 1024


@dataclass(frozen=True, slots=True)
class SavedMapping:
    name: str
    sha256: str
    text: str
    saved_by: str
    saved_at: dt.datetime


class BadMappingNameError(UsageError):
    """A name a mapping cannot be saved under."""


def check_name(name: str) -> str:
    """The name trimmed, or BadMappingNameError."""
    clean = name.strip()
    if not NAME.fullmatch(clean):
        raise BadMappingNameError(
            N_(
                "A mapping's name is 1 to 64 letters, digits, '.', '_' or '-', starting with a "
                "letter or digit."
            ),
            hint=N_("For example dtv-export or register_noord."),
        )
    return clean


def _saved(row: store_mappings.SavedMappingRow) -> SavedMapping:
    return SavedMapping(row.name, row.sha256, row.text, row.saved_by, row.saved_at)


def save_mapping(
    context: Retour, name: str, text: str, *, actor: audit.Actor
) -> tuple[Mapping, bool]:
    """Check the mapping in `text` and save it under `name` (replacing one of that name);
    the parsed mapping and whether one was replaced. MappingError lists its problems."""
    clean = check_name(name)
    mapping = parse_mapping(text, f"{clean}.toml")
    replaced = store_mappings.save(
        context.database(), name=clean, sha256=mapping.sha256, text=text, saved_by=actor.name
    )
    audit.record_by(
        context,
        actor,
        audit.AuditAction.MAPPING_SAVED,
        subject=clean,
        detail={"mapping": mapping.sha256, "replaced": int(replaced)},
    )
    return mapping, replaced


def list_mappings(context: Retour) -> list[SavedMapping]:
    return [_saved(r) for r in store_mappings.listed(context.database())]


def get_mapping(context: Retour, name: str) -> SavedMapping:
    """The saved mapping of that name; NotFoundError when there is none."""
    found = store_mappings.get(context.database(), check_name(name))
    if found is None:
        raise NotFoundError(
            N_("No mapping is saved under the name {value!r}."),
            hint=N_("The import page lists the saved mappings."),
            value=name.strip(),
        )
    return _saved(found)


def load_saved(context: Retour, name: str) -> Mapping:
    """The saved mapping of that name, parsed (as it was checked when saved)."""
    saved = get_mapping(context, name)
    return parse_mapping(saved.text, f"{saved.name}.toml")


def delete_mapping(context: Retour, name: str, *, actor: audit.Actor) -> None:
    """Remove a saved mapping; NotFoundError when there is none. Imports made through it
    keep their own copy of its text."""
    clean = check_name(name)
    if not store_mappings.delete(context.database(), clean):
        raise NotFoundError(N_("No mapping is saved under the name {value!r}."), value=clean)
    audit.record_by(context, actor, audit.AuditAction.MAPPING_DELETED, subject=clean)


def wants_mapping(exc: InvalidDatasetError) -> bool:
    """Whether an import was refused because its source is not in the exchange format at
    all (it has no cases table): what it needs is a mapping, not corrections."""
    return any(v.reason is Reason.MISSING_TABLE for v in exc.violations)
