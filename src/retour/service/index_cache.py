"""Fitted cooperation indexes kept on disk, so that the next process on the same state of the
data and the same settings does not fit again (the Article 25a workbook, ``retour assess``,
the web's sliding scale and country pages each spent most of their time fitting).

The index goes through the one cache of fitted parts (:mod:`retour.store.parts_cache`, as
the prospect models do: :mod:`retour.service.model_cache`), in ``<data_dir>/cache/index``,
at most :data:`ENTRIES` entries. The key is a SHA-256 of the database URL without its
password, the data fingerprint and number of imports (an import or a recording changes
both), the extraction date, the granularity, the kind, the options, the pooled countries
and a digest of the analysis code: any change of these is another entry. An entry holds the
index table (Arrow) and the models' summaries (JSON), never a pickle; one that cannot be
read or does not make an index of this key is fitted again and written anew. ``cache =
false`` (``RETOUR_CACHE=false``) turns it off. Data without an import have no fingerprint
and are never cached.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Final

import retour.analysis
from retour.analysis.index import CooperationIndex
from retour.analysis.index_model import IndexOptions
from retour.analysis.index_parts import VERSION, index_from_parts, index_to_parts
from retour.analysis.periods import Granularity
from retour.domain.parts import PartsError
from retour.domain.provenance import Provenance
from retour.service.context import Retour
from retour.store.parts_cache import PartsCache, identity_key, parts_cache

#: At most this many indexes on disk (years and quarters, kinds, profiles that pool).
ENTRIES: Final = 24


@functools.cache
def analysis_digest() -> str:
    """A SHA-256 of the analysis package's source: a changed estimator is another key."""
    root = Path(retour.analysis.__file__).parent
    digest = hashlib.sha256(VERSION.encode("ascii"))
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.hexdigest()


def index_key(
    database: str,
    origin: Provenance,
    granularity: Granularity,
    kind: str,
    options: IndexOptions,
    pooled: Sequence[str],
    today: dt.date | None = None,
) -> str:
    """The key of the index of this data state and these settings: a SHA-256 in hex.

    ``database`` is the URL with its password hidden (``Database.url``); ``pooled`` the
    countries pooled before the fit (none when the profile does not pool). Without an
    extraction date the fit is dated by the data or, failing that, ``today``: it is then in
    the key.
    """
    identity = {
        "database": database,
        "fingerprint": origin.fingerprint,
        "imports": origin.imports,
        "extracted_on": None if origin.extracted_on is None else origin.extracted_on.isoformat(),
        "today": None if origin.extracted_on is not None or today is None else today.isoformat(),
        "granularity": granularity.value,
        "kind": kind,
        "options": asdict(options),
        "pooled": sorted(pooled),
        "analysis": analysis_digest(),
    }
    return identity_key(identity)


def index_cache(context: Retour) -> PartsCache | None:
    """The cache of fitted indexes, or None when the settings turn it off."""
    return parts_cache(context.settings, "index", ENTRIES)


def cached_index(
    context: Retour, key: str | None, fit: Callable[[], CooperationIndex]
) -> CooperationIndex:
    """The index kept under ``key``, else ``fit()`` (then kept under ``key``); ``key`` None:
    the data have no fingerprint, so fit and keep nothing."""
    cache = index_cache(context) if key is not None else None
    if cache is None or key is None:
        return fit()
    parts = cache.get(key)
    if parts is not None:
        try:
            return index_from_parts(parts)
        except PartsError:
            pass  # not an index of this layout: fitted again and written over
    fitted = fit()
    cache.put(key, index_to_parts(fitted))
    return fitted
