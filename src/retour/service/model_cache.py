"""Fitted prospect models kept on disk, so that the next process on the same data and date
does not fit again (``retour case`` at the eu scale spends most of its time fitting).

Where: ``<data_dir>/cache/prospect``, one file per model, at most :data:`ENTRIES` (the
least recently used go first). The key is a SHA-256 of the database URL without its
password, the data fingerprint and number of imports, the date, the options and the model
version: any change of these is another file, and the file names say nothing of the data
or of anyone in it. The models are kept as plain parts (JSON, numpy arrays, Arrow frames;
:mod:`retour.store.parts_cache`), never pickled: a pickle in a writable folder would run
code when loaded. An entry that cannot be read or does not make a model is refitted and
written again; a folder that cannot be written means no cache. ``cache = false``
(``RETOUR_CACHE=false``) turns it off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Final

from retour.analysis.prospect import MODEL_VERSION, ProspectModel, ProspectOptions
from retour.domain.parts import PartsError
from retour.domain.provenance import Provenance
from retour.service.context import Retour
from retour.store.parts_cache import PartsCache, identity_key, parts_cache

#: At most this many models on disk.
ENTRIES: Final = 16


def model_key(database: str, origin: Provenance, on: dt.date, options: ProspectOptions) -> str:
    """The key of the model fitted on ``on`` over this data: a SHA-256 in hex.

    ``database`` is the URL with its password hidden (``Database.url``).
    """
    identity = {
        "database": database,
        "fingerprint": origin.fingerprint,
        "imports": origin.imports,
        "on": on.isoformat(),
        "options": asdict(options),
        "model": MODEL_VERSION,
    }
    return identity_key(identity)


def model_cache(context: Retour) -> PartsCache | None:
    """The cache of fitted models, or None when the settings turn it off."""
    return parts_cache(context.settings, "prospect", ENTRIES)


def stored_model(
    context: Retour, key: str, on: dt.date, options: ProspectOptions
) -> ProspectModel | None:
    """The model kept under ``key``, or None (no cache, no entry, or one that is not a
    model of this version for this date and these options)."""
    cache = model_cache(context)
    parts = cache.get(key) if cache is not None else None
    if parts is None:
        return None
    try:
        model = ProspectModel.from_parts(parts)
    except PartsError:
        return None
    return model if (model.as_of, model.options) == (on, options) else None


def store_model(context: Retour, key: str, model: ProspectModel) -> bool:
    """Keep ``model`` under ``key``; False when there is no cache or it cannot be written."""
    cache = model_cache(context)
    return cache is not None and cache.put(key, model.to_parts())
