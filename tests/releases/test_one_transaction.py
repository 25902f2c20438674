"""A release and its audit entry are written in one transaction: when the release cannot be
written, the audit entry is not written either, and nothing of the release is kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from retour.config import load_settings
from retour.exchange import write_dataset
from retour.service import audit, datasets, figures
from retour.service.context import Retour
from retour.service.publication import ExportFormat
from retour.store import releases as store

from ..figures import data


def test_a_release_that_cannot_be_written_leaves_no_audit_entry(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_dataset(data.make(200, seed=2, simulated=True), tmp_path / "d")
    with Retour(settings=load_settings(), db_override=database_url) as app:
        datasets.import_dataset(app, tmp_path / "d", today=dt.date(2024, 6, 1))
        answer = figures.request_figures(app, by="year,outcome", profile="public")
        figures.export_figures(app, answer, ExportFormat.CSV)
        before = audit.read_log(app)
        real = store.insert

        def broken(conn: Any, row: dict[str, Any], cells: Any) -> int:
            real(conn, row, cells)
            raise RuntimeError("the disk is full")

        monkeypatch.setattr(store, "insert", broken)
        with pytest.raises(RuntimeError):
            figures.export_figures(app, answer, ExportFormat.JSON)
        assert audit.read_log(app) == before
        assert len(store.listed(app.database())) == 1
        internal = figures.request_figures(app, by="year", profile="internal")
        figures.export_figures(app, internal, ExportFormat.CSV)  # audited, not registered
        assert len(audit.read_log(app)) == len(before) + 1
        assert len(store.listed(app.database())) == 1
