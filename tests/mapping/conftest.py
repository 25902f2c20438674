"""Fixtures for mapped imports: a small dataset (the exchange tests' own) and its source styles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from retour.config import load_settings
from retour.domain.dataset import Dataset
from retour.exchange import load
from retour.service.context import Retour

from ..conftest import TEST_SECRET
from ..exchange.conftest import VALID, write_folder

TODAY = dt.date(2024, 6, 1)


@pytest.fixture
def small(tmp_path: Path) -> Dataset:
    """The exchange tests' valid dataset, typed."""
    return load(write_folder(tmp_path / "exchange", VALID), today=TODAY)


@pytest.fixture
def app(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Retour]:
    monkeypatch.setenv("RETOUR_SECRET", TEST_SECRET)
    monkeypatch.setenv("RETOUR_DB", database_url)
    with Retour(settings=load_settings()) as application:
        yield application
