"""The country report shows Eurostat's return rate when it has been imported, and not before."""

from __future__ import annotations

from pathlib import Path

import pytest

from retour.cli import main

from ..exchange.conftest import VALID, write_folder

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real" / "eurostat_dw"


def test_the_country_report_carries_the_eu_context(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("RETOUR_DB", database_url)
    assert main(["import", str(write_folder(tmp_path / "d", VALID))]) == 0
    out = tmp_path / "ma.html"
    assert main(["report", "country", "MA", "--profile", "internal", "--out", str(out)]) == 0
    assert "Eurostat" not in out.read_text(encoding="utf-8")
    files = [
        str(REAL / "migr_eiord_Data_allcitizens.csv"),
        str(REAL / "migr_eirtn_Data_allcitizens.csv"),
    ]
    assert main(["context", "import", *files]) == 0
    assert main(["report", "country", "MA", "--profile", "internal", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "EU-context (Eurostat)" in page
    assert "950" in page and "300" in page  # the Netherlands, Morocco, 2012
    capsys.readouterr()
