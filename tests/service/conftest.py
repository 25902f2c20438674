"""Fixtures for use cases: a Retour application on the database under test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from retour.config import load_settings
from retour.service.context import Retour

from ..conftest import TEST_SECRET


@pytest.fixture
def app(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Retour]:
    monkeypatch.setenv("RETOUR_SECRET", TEST_SECRET)
    monkeypatch.setenv("RETOUR_DB", database_url)
    with Retour(settings=load_settings()) as application:
        yield application


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
