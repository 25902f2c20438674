"""The prospect models kept on disk: the same prospect as a fresh fit, no refit in a new
process, damaged entries refitted silently, a new key for new data, dates and options, no
file when turned off, and nothing about anyone in the cache's names or contents."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import sqlalchemy as sa

from retour.analysis.glmm import GlmmFit
from retour.analysis.prospect import (
    History,
    Prospect,
    ProspectModel,
    ProspectOptions,
    ProspectStatus,
    prospect_model,
)
from retour.config import load_settings
from retour.domain.codes import Table
from retour.domain.dataset import Dataset
from retour.domain.parts import Parts, PartsError
from retour.service import cases as case_service
from retour.service import model_cache
from retour.service.context import Retour
from retour.service.publication import provenance
from retour.store.parts_cache import PartsCache

from ..conftest import POSTGRES_URL
from ..loading import own_postgres_database
from .conftest import import_into, open_inputs

AS_OF = dt.date(2023, 6, 30)
ENTRY = re.compile(r"[0-9a-f]{64}\.zip")


# -- an exact round trip -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def fitted(simulated_history: History) -> ProspectModel:
    model = prospect_model(simulated_history, AS_OF)
    assert model is not None
    return model


def assert_same_fit(a: GlmmFit, b: GlmmFit) -> None:
    for name in ("y", "x", "offset", "trials", "design"):
        _same_array(getattr(a.data, name), getattr(b.data, name))
    assert a.data.family is b.data.family
    assert a.nesting.sizes == b.nesting.sizes
    for x, y in zip(
        [a.nesting.leaf, *a.nesting.parents], [b.nesting.leaf, *b.nesting.parents], strict=True
    ):
        _same_array(x, y)
    for name in ("beta", "cov_beta", "variances"):
        _same_array(getattr(a, name), getattr(b, name))
    for name in ("b", "total", "d", "f", "g", "v", "history"):
        assert len(getattr(a, name)) == len(getattr(b, name))
        for x, y in zip(getattr(a, name), getattr(b, name), strict=True):
            _same_array(x, y)
    assert (a.iterations, a.converged, a.loglik) == (b.iterations, b.converged, b.loglik)


def _same_array(a: np.ndarray | None, b: np.ndarray | None) -> None:
    if a is None or b is None:
        assert a is None and b is None
        return
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


def assert_same_model(a: ProspectModel, b: ProspectModel) -> None:
    for field in dataclasses.fields(ProspectModel):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, GlmmFit):
            assert_same_fit(x, y)
        elif isinstance(x, pl.DataFrame):
            assert x.schema == y.schema and x.equals(y), field.name
        else:
            assert x == y, field.name


def test_a_model_comes_back_exactly(
    fitted: ProspectModel, simulated_history: History, tmp_path: Path
) -> None:
    """Through its parts and a file: the same model, the same predictions to the last bit."""
    cache = PartsCache(tmp_path, entries=2)
    key = "0" * 64
    assert cache.put(key, fitted.to_parts())
    parts = cache.get(key)
    assert parts is not None
    back = ProspectModel.from_parts(parts)
    assert_same_model(back, fitted)
    inputs = open_inputs(simulated_history, AS_OF, 2000)
    expected = fitted.predict(inputs)
    assert expected.height == 2000 and expected.null_count().sum_horizontal().item() == 0
    assert back.predict(inputs).equals(expected)


def _without(parts: Parts, array: str) -> Parts:
    return Parts(parts.meta, {k: v for k, v in parts.arrays.items() if k != array}, parts.frames)


def _with_array(parts: Parts, name: str, value: np.ndarray) -> Parts:
    return Parts(parts.meta, {**parts.arrays, name: value}, parts.frames)


def _with_meta(parts: Parts, name: str, value: object) -> Parts:
    return Parts({**parts.meta, name: value}, parts.arrays, parts.frames)  # type: ignore[dict-item]


BROKEN: dict[str, Callable[[Parts], Parts]] = {
    "another version": lambda p: _with_meta(p, "version", "prospect-0"),
    "a missing array": lambda p: _without(p, "departure.cov_beta"),
    "a float index": lambda p: _with_array(
        p, "departure.leaf", p.arrays["departure.leaf"].astype(np.float64)
    ),
    "an index out of range": lambda p: _with_array(
        p, "other_end.design", p.arrays["other_end.design"] + 10**6
    ),
    "a short coefficient vector": lambda p: _with_array(
        p, "departure.beta", p.arrays["departure.beta"][:-1]
    ),
    "a country without a node": lambda p: _with_meta(p, "nodes", {"MA": 0}),
    "a date that is none": lambda p: _with_meta(p, "as_of", "2023-02-30"),
    "a count that is text": lambda p: _with_meta(p, "cases", "6340"),
    "a frame without counts": lambda p: Parts(
        p.meta, p.arrays, {**p.frames, "baseline": p.frames["baseline"].drop("cases")}
    ),
}


@pytest.mark.parametrize("how", BROKEN)
def test_parts_that_make_no_model_are_refused(fitted: ProspectModel, how: str) -> None:
    with pytest.raises(PartsError):
        ProspectModel.from_parts(BROKEN[how](fitted.to_parts()))


# -- the case view over a simulated database ----------------------------------------------------


@pytest.fixture(scope="module")
def simulated_db(simulated: Dataset, tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("model-cache")
    url = own_postgres_database("prospect") if POSTGRES_URL else f"sqlite:///{root / 'sim.sqlite'}"
    return import_into(url, simulated, root).url


@pytest.fixture(scope="module")
def open_cases(simulated: Dataset) -> list[str]:
    """Ten cases open on AS_OF."""
    cases = simulated[Table.CASES].filter(
        (pl.col("opened_on") <= AS_OF)
        & (pl.col("closed_on").is_null() | (pl.col("closed_on") > AS_OF))
    )
    return sorted(cases["case_id"].to_list())[:: max(cases.height // 10, 1)][:10]


@pytest.fixture
def app(simulated_db: str) -> Iterator[Retour]:
    with Retour(settings=load_settings(), db_override=simulated_db) as app:
        yield app


@pytest.fixture
def fits(monkeypatch: pytest.MonkeyPatch) -> list[dt.date]:
    """The dates the case view fits a model for (the fits still happen)."""
    calls: list[dt.date] = []

    def counted(
        history: History, as_of: dt.date, options: ProspectOptions | None = None
    ) -> ProspectModel | None:
        calls.append(as_of)
        return prospect_model(history, as_of, options)

    monkeypatch.setattr(case_service, "prospect_model", counted)
    return calls


def no_fitting(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was fitted again")

    monkeypatch.setattr(case_service, "prospect_model", refuse)


def prospects(
    app: Retour, case_ids: list[str], on: dt.date = AS_OF, options: ProspectOptions | None = None
) -> list[Prospect]:
    views = [case_service.case_view(app, c, on, actor="tester", options=options) for c in case_ids]
    return [v.prospect for v in views]


def assert_same_prospects(a: list[Prospect], b: list[Prospect]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x.status is y.status
        assert (x.on, x.inputs, x.estimates, x.comparable, x.notes, x.version) == (
            y.on,
            y.inputs,
            y.estimates,
            y.comparable,
            y.notes,
            y.version,
        )


def entries(app: Retour) -> list[Path]:
    folder = app.settings.data_dir / "cache" / "prospect"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_a_new_process_reads_the_model_instead_of_fitting(
    app: Retour, open_cases: list[str], fits: list[dt.date], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = prospects(app, open_cases)
    assert fits == [AS_OF]  # once for all ten cases
    assert all(p.status is ProspectStatus.ESTIMATED for p in first)
    assert len({p.estimates for p in first}) > 1  # different cases, different prospects
    key = model_cache.model_key(
        app.database().url, provenance(app.database()), AS_OF, ProspectOptions()
    )
    assert [e.name for e in entries(app)] == [f"{key}.zip"]
    case_service.clear_models()  # as in a new process
    no_fitting(monkeypatch)
    again = prospects(app, open_cases)
    assert_same_prospects(again, first)
    assert first[0].model is not None and again[0].model is not None
    assert_same_model(again[0].model, first[0].model)


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(b"\x80not a zip" * 100)
    elif how == "empty":
        path.write_bytes(b"")


@pytest.mark.parametrize("how", ["truncated", "garbage", "empty", "another version", "broken"])
def test_a_damaged_entry_is_refitted_silently(
    app: Retour, open_cases: list[str], fits: list[dt.date], how: str
) -> None:
    first = prospects(app, open_cases[:3])
    [path] = entries(app)
    if how in BROKEN or how == "broken":
        cache = model_cache.model_cache(app)
        assert cache is not None
        parts = cache.get(path.stem)
        assert parts is not None
        change = BROKEN["an index out of range" if how == "broken" else how]
        cache.put(path.stem, change(parts))
    else:
        _damage(path, how)
    case_service.clear_models()
    again = prospects(app, open_cases[:3])
    assert fits == [AS_OF, AS_OF]  # fitted again, without a word
    assert_same_prospects(again, first)
    stored = model_cache.stored_model(app, path.stem, AS_OF, ProspectOptions())
    assert stored is not None  # and written again, whole
    assert first[0].model is not None
    assert_same_model(stored, first[0].model)


def test_another_date_options_or_data_miss(
    app: Retour, open_cases: list[str], fits: list[dt.date], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = open_cases[:1]
    prospects(app, case)
    earlier = dt.date(2023, 5, 31)
    prospects(app, case, earlier)
    narrow = ProspectOptions(window=3)
    prospects(app, case, options=narrow)
    origin = provenance(app.database())
    other_data = dataclasses.replace(origin, fingerprint="0123456789abcdef")
    case_service.model_on(app, AS_OF, other_data, ProspectOptions())
    one_more_import = dataclasses.replace(origin, imports=origin.imports + 1)
    case_service.model_on(app, AS_OF, one_more_import, ProspectOptions())
    assert fits == [AS_OF, earlier, AS_OF, AS_OF, AS_OF]
    assert len(entries(app)) == 5
    case_service.clear_models()
    no_fitting(monkeypatch)  # each of them is found again by its own key
    prospects(app, case)
    prospects(app, case, earlier)
    prospects(app, case, options=narrow)
    assert case_service.model_on(app, AS_OF, other_data, ProspectOptions()) is not None


def test_the_cache_can_be_turned_off(
    simulated_db: str,
    open_cases: list[str],
    fits: list[dt.date],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RETOUR_CACHE", "false")
    with Retour(settings=load_settings(), db_override=simulated_db) as app:
        assert app.settings.cache is False
        first = prospects(app, open_cases[:2])
        case_service.clear_models()
        again = prospects(app, open_cases[:2])
        data_dir = app.settings.data_dir
    assert fits == [AS_OF, AS_OF]
    assert_same_prospects(again, first)
    assert not (data_dir / "cache").exists()


def test_an_unwritable_cache_means_no_cache(
    app: Retour, open_cases: list[str], fits: list[dt.date]
) -> None:
    app.settings.data_dir.mkdir(parents=True, exist_ok=True)
    (app.settings.data_dir / "cache").write_text("a file where the folder should be")
    first = prospects(app, open_cases[:2])
    case_service.clear_models()
    again = prospects(app, open_cases[:2])
    assert fits == [AS_OF, AS_OF]
    assert_same_prospects(again, first)
    assert first[0].status is ProspectStatus.ESTIMATED


def test_at_most_so_many_models_are_kept(
    app: Retour, open_cases: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model_cache, "ENTRIES", 2)
    for day in (dt.date(2023, 4, 30), dt.date(2023, 5, 31), AS_OF):
        prospects(app, open_cases[:1], day)
    kept = {e.stem for e in entries(app)}
    origin, url = provenance(app.database()), app.database().url
    assert kept == {
        model_cache.model_key(url, origin, day, ProspectOptions())
        for day in (dt.date(2023, 5, 31), AS_OF)
    }


def test_the_cache_names_no_one(
    app: Retour, open_cases: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """File names are digests; neither they nor the contents hold a case id or the URL, and
    no password goes into the key."""
    urls: list[str] = []
    real_key = model_cache.model_key

    def recorded(database: str, *args: object) -> str:
        urls.append(database)
        return real_key(database, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(model_cache, "model_key", recorded)
    prospects(app, open_cases)
    prospects(app, open_cases, dt.date(2023, 5, 31))
    files = [p for p in app.settings.data_dir.rglob("*") if p.is_file()]
    assert len(files) == 2
    for path in files:
        assert ENTRY.fullmatch(path.name), path.name
        assert not any(c in str(path) for c in open_cases)
        with zipfile.ZipFile(path) as entry:
            contents = b"".join(entry.read(name) for name in entry.namelist())
            names = " ".join(entry.namelist())
        assert not any(c.encode() in contents or c in names for c in open_cases)
        assert b"case_id" not in contents
    assert {sa.make_url(u).password for u in urls} <= {None, "***"}


def test_a_model_for_another_date_or_options_is_not_taken(
    app: Retour, fitted: ProspectModel
) -> None:
    """Whatever the file is called, a model is used only for its own date and options."""
    key = "f" * 64
    assert model_cache.store_model(app, key, fitted)
    assert model_cache.stored_model(app, key, AS_OF, ProspectOptions()) is not None
    assert model_cache.stored_model(app, key, dt.date(2023, 5, 31), ProspectOptions()) is None
    assert model_cache.stored_model(app, key, AS_OF, ProspectOptions(level=0.95)) is None
