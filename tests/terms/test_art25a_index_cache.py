"""The Article 25a workbook reuses the fitted cooperation index of the same data state and
settings (the cache of fitted parts, data_dir/cache/index) instead of fitting again: every
cell equals the workbook of a fresh fit, a second workbook fits nothing, ``retour assess``
and the workbook share one entry, and another state of the data or other settings is
another entry; a damaged entry is fitted again silently."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from retour.analysis.index import CooperationIndex
from retour.analysis.index_model import IndexOptions
from retour.analysis.periods import Granularity
from retour.config import load_settings
from retour.domain.provenance import Provenance
from retour.service import art25a, cooperation, index_cache
from retour.service.context import Retour
from retour.service.publication import disclosure_rules, provenance

from ..process import retour
from .test_art25a import YEAR, dataset
from .test_overdue import _imported


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> str:
    _home, env = _imported(tmp_path_factory.mktemp("art25a-cache"), dataset(5))
    return env["RETOUR_DB"]


@pytest.fixture
def fits(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The granularity of every index fit (the fits still happen)."""
    done: list[str] = []
    real = cooperation.assess

    def counted(*args: Any, **kwargs: Any) -> CooperationIndex:
        found = real(*args, **kwargs)
        done.append(found.granularity.value)
        return found

    monkeypatch.setattr(cooperation, "assess", counted)
    return done


def _workbook(db: str, out: Path, profile: str = "internal") -> art25a.Art25aReport:
    with Retour(settings=load_settings(), db_override=db) as app:
        return art25a.report(app, year=str(YEAR), out=out, profile=profile, lang="en")


def _cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def _entries(folder: Path) -> list[Path]:
    return sorted((folder / "cache" / "index").glob("*.zip"))


def test_the_workbook_from_the_cache_equals_a_fresh_fit(
    imported: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fits: list[str]
) -> None:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("RETOUR_DATA_DIR", str(data_dir))
    monkeypatch.setenv("RETOUR_CACHE", "false")
    fresh = _workbook(imported, tmp_path / "fresh.xlsx")
    assert fits == ["year"] and not _entries(data_dir)
    monkeypatch.delenv("RETOUR_CACHE")
    first = _workbook(imported, tmp_path / "first.xlsx")
    assert fits == ["year", "year"] and len(_entries(data_dir)) == 1
    again = _workbook(imported, tmp_path / "again.xlsx")
    assert fits == ["year", "year"], "the second workbook fitted the index again"
    want = _cells(tmp_path / "fresh.xlsx")
    assert any("(" in str(v) for row in want[next(iter(want))] for v in row)  # an interval
    assert _cells(tmp_path / "first.xlsx") == want
    assert _cells(tmp_path / "again.xlsx") == want
    for made in (first, again):
        assert made.index.schema == fresh.index.schema and made.index.equals(fresh.index)
        assert made.level == fresh.level


def test_the_cached_index_is_the_fitted_one_exactly(
    imported: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fits: list[str]
) -> None:
    monkeypatch.setenv("RETOUR_DATA_DIR", str(tmp_path / "data"))
    with Retour(settings=load_settings(), db_override=imported) as app:
        rules = disclosure_rules(app, "internal", None)
        origin = provenance(app.database())

        def index() -> CooperationIndex:
            return cooperation.fitted_index(
                app, rules, origin, Granularity.QUARTER, None, IndexOptions()
            )

        fitted, kept = index(), index()
    assert fits == ["quarter"]
    assert kept.table.schema == fitted.table.schema and kept.table.equals(fitted.table)
    for name in ("granularity", "kind", "as_of", "options", "models"):
        assert getattr(kept, name) == getattr(fitted, name), name
    assert fitted.models and fitted.table.height > 0


def test_assess_and_the_workbook_share_one_entry(imported: str, tmp_path: Path) -> None:
    """`retour assess` fits and keeps the year's index; the workbook after it and `retour
    assess` again reuse it (processes of their own), and say the same."""
    home = tmp_path / "home"
    env = {"RETOUR_DB": imported, "COLUMNS": "80"}
    assess = ["assess", "--period", str(YEAR), "--profile", "internal", "--format", "csv"]
    first = retour(assess, home, timeout=300, **env)
    assert first.returncode == 0, first.stderr
    (entry,) = _entries(home / "data")
    done = retour(["report", "art25a", "--year", str(YEAR), "--profile", "internal",
                   "--out", str(tmp_path / "a.xlsx")], home, timeout=300, **env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    again = retour(assess, home, timeout=300, **env)
    assert again.returncode == 0, again.stderr
    assert _entries(home / "data") == [entry]
    assert again.stdout == first.stdout
    fresh = retour(assess, home, timeout=300, RETOUR_CACHE="false", **env)
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stdout == first.stdout


def test_a_damaged_entry_is_fitted_again(
    imported: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fits: list[str]
) -> None:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("RETOUR_DATA_DIR", str(data_dir))
    first = _workbook(imported, tmp_path / "a.xlsx")
    (entry,) = _entries(data_dir)
    with zipfile.ZipFile(entry, "w") as broken:  # a zip of the right name, no index in it
        broken.writestr("meta.json", '{"format": "retour-parts-1"}')
    again = _workbook(imported, tmp_path / "b.xlsx")
    assert fits == ["year", "year"]
    assert again.index.equals(first.index)
    assert _cells(tmp_path / "a.xlsx") == _cells(tmp_path / "b.xlsx")
    assert _workbook(imported, tmp_path / "c.xlsx").index.equals(first.index)
    assert fits == ["year", "year"], "the entry written over the damaged one was not read"


ORIGIN = Provenance(extracted_on=dt.date(2024, 1, 1), fingerprint="ab" * 8, simulated=False,
                    imports=1)  # fmt: skip
ARGS: dict[str, Any] = {"database": "sqlite:///x.sqlite", "origin": ORIGIN,
                        "granularity": Granularity.YEAR, "kind": "all",
                        "options": IndexOptions(), "pooled": ()}  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda a: a | {"database": "sqlite:///y.sqlite"}, id="database"),
        pytest.param(lambda a: a | {"origin": dataclasses.replace(ORIGIN, fingerprint="cd" * 8)},
                     id="fingerprint"),
        pytest.param(lambda a: a | {"origin": dataclasses.replace(ORIGIN, imports=2)},
                     id="imports"),
        pytest.param(lambda a: a | {"origin": dataclasses.replace(
            ORIGIN, extracted_on=dt.date(2024, 2, 1))}, id="extracted_on"),
        pytest.param(lambda a: a | {"granularity": Granularity.QUARTER}, id="granularity"),
        pytest.param(lambda a: a | {"kind": "LP"}, id="kind"),
        pytest.param(lambda a: a | {"options": IndexOptions(level=0.95)}, id="options"),
        pytest.param(lambda a: a | {"pooled": ("MA",)}, id="pooled"),
    ],
)  # fmt: skip
def test_another_state_or_setting_is_another_key(
    change: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    key = index_cache.index_key(**ARGS)
    assert len(key) == 64 and key == index_cache.index_key(**ARGS)
    assert index_cache.index_key(**change(ARGS)) != key
