"""A folder of cached :class:`~retour.domain.parts.Parts`, one zip file per key, no pickle.

An entry ``<key>.zip`` holds ``meta.json`` (the format, the key and the parts' JSON
values), ``arrays.npz`` (numpy's own format, read with ``allow_pickle=False``) and one
Arrow IPC file per frame (``frames/<name>.arrow``). Nothing in it is code: reading an entry
someone else wrote can give wrong numbers, never run anything.

- Written atomically: to a temporary file in the same folder, then renamed over the entry,
  so a reader sees a whole entry or none, whatever runs at the same time.
- An entry that cannot be read -- missing, truncated, corrupt (the zip's checksums), of
  another format or written under another key -- is a miss; so is a folder that cannot be
  read. A folder that cannot be written means no cache, never an error.
- At most ``entries`` entries: reading one marks it used (its modification time), and a
  write removes the least recently used beyond the limit.

Every cache of fitted parts (the prospect models, the cooperation index) is opened by
:func:`parts_cache` under ``<data_dir>/cache/<name>`` behind the ``cache`` setting, and keys
its entries by :func:`identity_key` of what makes the fit.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import tempfile
import time
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np
import polars as pl

from retour.domain.parts import Json, Parts

if TYPE_CHECKING:
    from retour.config import Settings

#: The layout of an entry; an entry of another layout is a miss.
FORMAT: Final = "retour-parts-1"
SUFFIX: Final = ".zip"
#: Keys are SHA-256 digests in hex: they are file names, and carry nothing else.
_KEY: Final = re.compile(r"[0-9a-f]{64}")
_NAME: Final = re.compile(r"[A-Za-z0-9_.]+")
#: Temporary files older than this (nanoseconds: an hour) were left by a process that died.
_STALE: Final = 3600 * 10**9
_META, _ARRAYS, _FRAMES = "meta.json", "arrays.npz", "frames/"
#: What a damaged or foreign entry can raise while it is read.
_UNREADABLE: Final = (
    OSError,
    EOFError,
    ValueError,
    KeyError,
    TypeError,
    zipfile.BadZipFile,
    zlib.error,
    pl.exceptions.PolarsError,
)


class PartsCache:
    """Entries in ``folder`` (created when first written), at most ``entries`` of them."""

    def __init__(self, folder: Path, *, entries: int) -> None:
        self.folder = folder
        self.entries = entries

    def path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise ValueError("a cache key is a SHA-256 digest in lower-case hex")
        return self.folder / f"{key}{SUFFIX}"

    def get(self, key: str) -> Parts | None:
        """The parts kept under ``key``, or None (no entry, or one that cannot be read)."""
        path = self.path(key)
        try:
            with zipfile.ZipFile(path) as entry:
                parts = _read(entry, key)
        except _UNREADABLE:
            return None
        if parts is not None:
            with contextlib.suppress(OSError):
                os.utime(path)  # used now: the last to be removed
        return parts

    def put(self, key: str, parts: Parts) -> bool:
        """Keep ``parts`` under ``key``, replacing any entry; False if the folder cannot be
        written (nothing is left behind)."""
        path = self.path(key)
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_atomically(path, _zipped(parts, key))
            self.prune()
        except OSError:
            return False
        return True

    def keys(self) -> list[str]:
        """The keys of the entries, least recently used first."""
        return [path.stem for path in self._entries()]

    def prune(self) -> None:
        """Remove the least recently used entries beyond the limit, and stale temporary
        files; what another process removed first is not missed."""
        entries = self._entries()
        stale = time.time_ns() - _STALE
        dead = [p for p in self.folder.glob(".*.tmp") if _mtime(p) < stale]
        for path in [*entries[: max(len(entries) - self.entries, 0)], *dead]:
            path.unlink(missing_ok=True)

    def _entries(self) -> list[Path]:
        found = [p for p in self.folder.glob(f"*{SUFFIX}") if _KEY.fullmatch(p.stem)]
        return sorted(found, key=_mtime)


def parts_cache(settings: Settings, name: str, entries: int) -> PartsCache | None:
    """The cache of fitted parts called ``name`` (``<data_dir>/cache/<name>``, at most
    ``entries`` entries), or None when the ``cache`` setting turns caching off."""
    if not _NAME.fullmatch(name):
        raise ValueError("a cache name is letters, digits, '_' and '.'")
    if not settings.cache:
        return None
    return PartsCache(settings.data_dir / "cache" / name, entries=entries)


def identity_key(identity: Mapping[str, object]) -> str:
    """The key of an entry: a SHA-256 in hex of ``identity`` (JSON values, keys sorted), so
    the same data and settings give the same key and the file name says nothing of them."""
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode("utf-8")).hexdigest()


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


# -- one entry ---------------------------------------------------------------------------------


def _zipped(parts: Parts, key: str) -> bytes:
    names = [*parts.arrays, *parts.frames]
    if not all(_NAME.fullmatch(name) for name in names):
        raise ValueError("part names are letters, digits, '_' and '.'")
    arrays = io.BytesIO()
    np.savez(arrays, allow_pickle=False, **parts.arrays)
    head = {"format": FORMAT, "key": key, "frames": [*parts.frames], "meta": parts.meta}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as entry:
        entry.writestr(_META, json.dumps(head))
        entry.writestr(_ARRAYS, arrays.getvalue())
        for name, frame in parts.frames.items():
            ipc = io.BytesIO()
            frame.write_ipc(ipc)
            entry.writestr(f"{_FRAMES}{name}.arrow", ipc.getvalue())
    return out.getvalue()


def _read(entry: zipfile.ZipFile, key: str) -> Parts | None:
    head = json.loads(entry.read(_META))
    if not (isinstance(head, dict) and head.get("format") == FORMAT and head.get("key") == key):
        return None
    meta: dict[str, Json] = head["meta"]
    names: list[str] = head["frames"]
    if not (isinstance(meta, dict) and isinstance(names, list)):
        return None
    with np.load(io.BytesIO(entry.read(_ARRAYS)), allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    frames = {name: pl.read_ipc(entry.read(f"{_FRAMES}{name}.arrow")) for name in names}
    return Parts(meta, arrays, frames)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it to ``path``."""
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.stem[:12]}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
