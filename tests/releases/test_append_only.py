"""The register is append-only in the database too: a release or a cell cannot be changed,
removed or replaced, whatever writes to the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from retour.config import load_settings
from retour.domain.errors import DatabaseError
from retour.exchange import write_dataset
from retour.service import datasets, figures
from retour.service.context import Retour
from retour.service.publication import ExportFormat

from ..figures import data

CHANGES = [
    "UPDATE releases SET profile = 'internal'",
    "DELETE FROM releases",
    "UPDATE release_cells SET shown = '0'",
    "DELETE FROM release_cells",
]


@pytest.mark.parametrize("statement", CHANGES)
def test_the_database_refuses_to_change_the_register(
    database_url: str, tmp_path: Path, statement: str
) -> None:
    write_dataset(data.make(150, seed=4, simulated=True), tmp_path / "d")
    with Retour(settings=load_settings(), db_override=database_url) as app:
        datasets.import_dataset(app, tmp_path / "d", today=dt.date(2024, 6, 1))
        answer = figures.request_figures(app, by="year,outcome", profile="public")
        figures.export_figures(app, answer, ExportFormat.CSV)
        db = app.database()
        with pytest.raises(DatabaseError, match="append-only"), db.begin(write=True) as conn:
            conn.execute(sa.text(statement))
        with db.begin() as conn:
            kept = conn.execute(sa.text("SELECT count(*) FROM release_cells")).scalar_one()
            profile = conn.execute(sa.text("SELECT profile FROM releases")).scalar_one()
        assert kept > 0 and profile == "public"
