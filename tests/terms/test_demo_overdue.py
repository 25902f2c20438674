"""`retour demo` suggests `retour overdue`, and on the demo's data it lists late requests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..process import retour


def test_the_demo_has_overdue_requests(tmp_path: Path) -> None:
    done = retour(["demo"], tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr
    demo_db = tmp_path / "data" / "demo" / "demo.sqlite"
    assert f"retour --db {demo_db} overdue --profile internal" in done.stdout
    listed = retour(["--db", str(demo_db), "overdue", "--profile", "internal", "--format",
                     "csv"], tmp_path)  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert {r["what"] for r in rows} == {"answer", "document"}
    assert len({r["country"] for r in rows}) >= 5
    assert not {"SY", "SO"} & {r["country"] for r in rows if r["kind"] == "LP"}
