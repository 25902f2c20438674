"""The file cache of parts: exact round trip without pickle, atomic writes, damaged entries
are misses, an unwritable folder is no cache, and only the most recently used are kept."""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
import zipfile
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from retour.config import Settings
from retour.domain.parts import Parts
from retour.store.parts_cache import PartsCache, identity_key, parts_cache


def key(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def sample() -> Parts:
    frame = pl.DataFrame(
        {"country": ["MA", "NG"], "state": ["red", "green"], "cases": [3, 4]},
        schema={"country": pl.String, "state": pl.Enum(["green", "red"]), "cases": pl.UInt32},
    )
    arrays = {
        "fit.beta": np.array([0.1, -2.5, 1e-300, np.inf]),
        "fit.leaf": np.arange(5, dtype=np.int64),
        "fit.g.0": np.linspace(0, 1, 6).reshape(2, 3),
        "empty": np.zeros((0, 2)),
    }
    meta = {"version": "x-1", "fit": {"sizes": [2], "loglik": -12.345678901234567}, "ok": True}
    return Parts(meta, arrays, {"comparable": frame})  # type: ignore[arg-type]


def assert_same(a: Parts, b: Parts) -> None:
    assert a.meta == b.meta
    assert a.arrays.keys() == b.arrays.keys()
    for name, array in a.arrays.items():
        assert array.dtype == b.arrays[name].dtype and array.shape == b.arrays[name].shape
        np.testing.assert_array_equal(array, b.arrays[name])
    assert a.frames.keys() == b.frames.keys()
    for name, frame in a.frames.items():
        assert frame.schema == b.frames[name].schema and frame.equals(b.frames[name])


@pytest.fixture
def cache(tmp_path: Path) -> PartsCache:
    return PartsCache(tmp_path / "cache" / "prospect", entries=3)


def test_parts_come_back_exactly(cache: PartsCache) -> None:
    assert cache.get(key("a")) is None
    assert cache.put(key("a"), sample())
    back = cache.get(key("a"))
    assert back is not None
    assert_same(back, sample())
    assert [p.name for p in cache.folder.iterdir()] == [f"{key('a')}.zip"]  # no temporary left


def test_the_entry_holds_no_pickle(cache: PartsCache) -> None:
    cache.put(key("a"), sample())
    with zipfile.ZipFile(cache.path(key("a"))) as entry:
        names = sorted(entry.namelist())
        with np.load(io.BytesIO(entry.read("arrays.npz")), allow_pickle=False) as arrays:
            assert sorted(arrays.files) == sorted(sample().arrays)
        head = json.loads(entry.read("meta.json"))
    assert names == ["arrays.npz", "frames/comparable.arrow", "meta.json"]
    assert head["key"] == key("a") and head["meta"] == sample().meta


def test_an_object_array_is_refused(cache: PartsCache) -> None:
    parts = Parts({}, {"bad": np.array([{"a": 1}], dtype=object)})
    with pytest.raises(ValueError, match="pickle"):
        cache.put(key("a"), parts)
    assert cache.keys() == []


def _rewritten(path: Path, member: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(out, "w") as new:
        for name in old.namelist():
            new.writestr(name, data if name == member else old.read(name))
    return out.getvalue()


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif how == "flipped byte":
        at = len(data) // 3
        path.write_bytes(data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :])
    elif how == "other format":
        head = {"format": "retour-parts-0", "key": path.stem, "frames": [], "meta": {}}
        path.write_bytes(_rewritten(path, "meta.json", json.dumps(head).encode()))
    elif how == "another key":
        head = {"format": "retour-parts-1", "key": key("b"), "frames": [], "meta": {}}
        path.write_bytes(_rewritten(path, "meta.json", json.dumps(head).encode()))
    elif how == "a pickled array":
        pickled = io.BytesIO()
        np.savez(pickled, bad=np.array([{"a": 1}], dtype=object), allow_pickle=True)
        path.write_bytes(_rewritten(path, "arrays.npz", pickled.getvalue()))
    elif how == "not JSON":
        path.write_bytes(_rewritten(path, "meta.json", b"{not json"))
    elif how == "a folder":
        path.unlink()
        path.mkdir()


DAMAGE = [
    "truncated",
    "empty",
    "garbage",
    "flipped byte",
    "other format",
    "another key",
    "a pickled array",
    "not JSON",
    "a folder",
]


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_entry_is_a_miss(cache: PartsCache, how: str) -> None:
    cache.put(key("a"), sample())
    _damage(cache.path(key("a")), how)
    assert cache.get(key("a")) is None
    if how != "a folder":
        assert cache.put(key("a"), sample())  # written again over it
        back = cache.get(key("a"))
        assert back is not None
        assert_same(back, sample())


def test_an_unwritable_folder_is_no_cache(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the folder should be")
    cache = PartsCache(tmp_path / "cache" / "prospect", entries=3)
    assert cache.put(key("a"), sample()) is False
    assert cache.get(key("a")) is None
    assert cache.keys() == []


def test_only_the_most_recently_used_are_kept(cache: PartsCache) -> None:
    now = time.time()
    for age, name in ((300, "a"), (200, "b"), (100, "c")):
        cache.put(key(name), sample())
        os.utime(cache.path(key(name)), (now - age, now - age))
    assert cache.keys() == [key("a"), key("b"), key("c")]
    assert cache.get(key("a")) is not None  # used now: "b" is the least recently used
    cache.put(key("d"), sample())
    assert set(cache.keys()) == {key("a"), key("c"), key("d")}
    assert cache.keys()[0] == key("c")


def test_temporary_files_left_by_a_dead_writer_are_removed(cache: PartsCache) -> None:
    cache.put(key("a"), sample())
    old = cache.folder / f".{key('x')[:12]}.abcd.tmp"
    new = cache.folder / f".{key('y')[:12]}.efgh.tmp"
    old.write_bytes(b"half an entry")
    new.write_bytes(b"being written")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    cache.put(key("b"), sample())
    assert not old.exists() and new.exists()


def test_keys_are_digests(cache: PartsCache) -> None:
    for bad in ("C0008474", "../escape", key("a").upper(), key("a")[:-1]):
        with pytest.raises(ValueError, match="SHA-256"):
            cache.path(bad)


def test_parts_cache_is_the_named_folder_under_the_cache_setting(tmp_path: Path) -> None:
    on = Settings(data_dir=tmp_path, cache=True)
    cache = parts_cache(on, "index", 3)
    assert cache is not None
    assert (cache.folder, cache.entries) == (tmp_path / "cache" / "index", 3)
    assert parts_cache(Settings(data_dir=tmp_path, cache=False), "index", 3) is None
    with pytest.raises(ValueError):
        parts_cache(on, "../elsewhere", 3)


def test_identity_key_is_the_digest_of_the_sorted_identity() -> None:
    identity = {"b": [1, 2], "a": {"y": None, "x": "2023-01-01"}}
    expected = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
    assert identity_key(identity) == expected
    assert identity_key(dict(reversed(identity.items()))) == expected
    assert identity_key({**identity, "b": [2, 1]}) != expected
