"""Recorded and imported data together: an import that would replace a row recorded or
corrected in retour on or after its extract's date is refused with every conflict listed,
unless the user keeps retour's values or takes the extract's (``--on-conflict``).

Every id is synthetic. The stocked database holds the extract of 2024-03-31 (conftest); a
recording is made today, so an extract of 2024-06-30 cannot have seen it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from retour.domain.codes import Table
from retour.domain.conflicts import OnConflict
from retour.exchange import InvalidDatasetError
from retour.service import audit, datasets, imports
from retour.service.conflicts import MAX_SHOWN, ImportConflictError
from retour.service.context import Retour
from retour.service.records import RecordTable, correct_row, read_row, record_row, row_history
from retour.store import schema
from retour.store.records import record_changes

from ..process import retour
from .conftest import FILES, PASSWORD, write_extract

NEWER = dt.date(2024, 6, 30)
CASEWORKER = audit.Actor("caseworker", audit.Via.API, "caseworker")
ADMIN = audit.Actor("admin", audit.Via.WEB, "admin")

REQUESTS = (
    "request_id,case_id,kind,country,submitted_on,id_evidence,alien_cooperates,outcome,"
    "outcome_on,reason,document_on\n"
)


def _extract(folder: Path, requests: str, *, on: dt.date = NEWER, **files: str) -> Path:
    meta = {"format": "retour/1", "source": "test extract", "extracted_on": on.isoformat()}
    given = {**FILES, "dataset.json": json.dumps(meta), "requests.csv": REQUESTS + requests}
    return write_extract(folder, given | files)


#: R1 answered positive (retour corrected it to another date), R2 given its document, R3 new.
NEWER_REQUESTS = (
    "R1,C1,LP,MA,2023-02-01,document,yes,positive,2023-04-01,,\n"
    "R2,C2,LP,NG,2023-06-01,indirect,no,positive,2023-08-01,,2023-09-01\n"
    "R3,C2,TO,NG,2024-04-01,document,yes,pending,,,\n"
)


ANSWER = {"outcome": "positive", "outcome_on": "2023-05-01"}
EXTRACT = "the extract is of 2024-06-30"
#: How R1's conflict is listed, per language.
LISTED = {"en": "R1 was corrected in retour on", "nl": "R1 is in retour gecorrigeerd op"}


def _correct(app: Retour, table: RecordTable, row_id: str, change: dict[str, object],
             actor: audit.Actor = CASEWORKER) -> None:  # fmt: skip
    tag = read_row(app, table, row_id).etag
    correct_row(app, table, row_id, change, tag, actor)


@pytest.fixture
def corrected(stocked: Retour) -> Retour:
    """R1 answered in retour today, by a caseworker."""
    _correct(stocked, RecordTable.REQUESTS, "R1", ANSWER)
    return stocked


def _stored(app: Retour, request_id: str) -> dict[str, object] | None:
    requests = schema.table(Table.REQUESTS)
    with app.database().begin() as conn:
        row = conn.execute(
            sa.select(requests).where(requests.c.request_id == request_id)
        ).one_or_none()
    return None if row is None else dict(row._mapping)


def _import_count(app: Retour) -> int:
    with app.database().begin() as conn:
        query = sa.select(sa.func.count()).select_from(schema.imports)
        return int(conn.execute(query).scalar_one())


def _backdate(app: Retour, day: dt.date) -> None:
    """Every recording so far made on ``day`` (as if recorded then)."""
    imports_t, rc = schema.imports, record_changes
    with app.database().begin() as conn:
        ids = [int(i) for i in conn.execute(sa.select(rc.c.import_id).distinct()).scalars()]
        conn.execute(sa.update(imports_t).where(imports_t.c.id.in_(ids)).values(extracted_on=day))
        for t in (Table.REQUESTS, Table.CONDITIONS, Table.CASES):
            target = schema.table(t)
            conn.execute(
                sa.update(target).where(target.c.import_id.in_(ids)).values(extracted_on=day)
            )


def test_an_import_over_a_recorded_row_is_refused_with_the_conflict(
    corrected: Retour, tmp_path: Path
) -> None:
    before = (_import_count(corrected), _stored(corrected, "R2"))
    path = _extract(tmp_path / "newer", NEWER_REQUESTS)
    with pytest.raises(ImportConflictError) as refused:
        datasets.import_dataset(corrected, path, today=NEWER)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert refused.value.lines("en") == [
        f"requests.csv:2: R1 was corrected in retour on {today} by a caseworker; "
        "the extract is of 2024-06-30"
    ]
    assert refused.value.lines("nl") == [
        f"requests.csv:2: R1 is in retour gecorrigeerd op {today} door een zaakbehandelaar; "
        "het extract is van 2024-06-30"
    ]
    assert refused.value.conflicts.count == 1
    # nothing written: not the new request, not the unrecorded change, no import
    assert (_import_count(corrected), _stored(corrected, "R2")) == before
    assert _stored(corrected, "R3") is None
    assert read_row(corrected, RecordTable.REQUESTS, "R1").values["outcome_on"] == "2023-05-01"
    entry = audit.read_log(corrected, limit=1)[0]
    assert (entry.action, entry.detail) == (
        "import_refused",
        {"reason": "conflicts", "conflicts": 1},
    )


def test_keep_keeps_the_recorded_row_and_imports_the_rest(
    corrected: Retour, tmp_path: Path
) -> None:
    path = _extract(tmp_path / "newer", NEWER_REQUESTS)
    report = datasets.import_dataset(corrected, path, today=NEWER, on_conflict=OnConflict.KEEP)
    counts = report.result[Table.REQUESTS]
    assert (counts.inserted, counts.replaced, counts.kept_recorded, counts.replaced_recorded) == (
        1, 1, 1, 0,
    )  # fmt: skip
    assert read_row(corrected, RecordTable.REQUESTS, "R1").values["outcome_on"] == "2023-05-01"
    assert read_row(corrected, RecordTable.REQUESTS, "R2").values["document_on"] == "2023-09-01"
    assert _stored(corrected, "R3") is not None
    entry = next(e for e in audit.read_log(corrected, limit=3) if e.action == "import_dataset")
    assert entry.detail["on_conflict"] == "keep"
    assert (entry.detail["kept_recorded"], entry.detail["replaced_recorded"]) == (1, 0)
    newest = imports.list_imports(corrected, limit=1)[0]
    shown = (newest.on_conflict, newest.conflicts, newest.rows(Table.REQUESTS))
    assert shown == ("keep", "keep 1", 3)
    # the recorded row is still retour's, so a later import of the same extract is the same
    assert [c.new for c in row_history(corrected, "R1")][-1] == "2023-05-01"


def test_replace_takes_the_extracts_value_and_the_history_says_so(
    corrected: Retour, tmp_path: Path
) -> None:
    path = _extract(tmp_path / "newer", NEWER_REQUESTS)
    report = datasets.import_dataset(
        corrected, path, today=NEWER, on_conflict=OnConflict.REPLACE, actor="importer"
    )
    counts = report.result[Table.REQUESTS]
    assert (counts.inserted, counts.replaced, counts.replaced_recorded) == (1, 1, 1)
    row = read_row(corrected, RecordTable.REQUESTS, "R1")
    assert row.values["outcome_on"] == "2023-04-01"
    assert row.origin is not None and row.origin["recorded"] is False
    assert row.origin["import"] == report.result.import_id
    last = row_history(corrected, "R1")[-1]
    assert (last.actor, last.via, last.column, last.old, last.new) == (
        "importer", "cli", "outcome_on", "2023-05-01", "2023-04-01",
    )  # fmt: skip
    # R2 was never recorded in retour: its replacement is the import's ordinary business
    assert row_history(corrected, "R2") == []
    entry = next(e for e in audit.read_log(corrected, limit=3) if e.action == "import_dataset")
    assert (entry.detail["on_conflict"], entry.detail["replaced_recorded"]) == ("replace", 1)


def test_a_recording_older_than_the_extract_is_no_conflict(
    corrected: Retour, tmp_path: Path
) -> None:
    _backdate(corrected, dt.date(2024, 4, 15))  # the extract of 2024-06-30 saw it
    path = _extract(tmp_path / "newer", NEWER_REQUESTS)
    report = datasets.import_dataset(corrected, path, today=NEWER)
    counts = report.result[Table.REQUESTS]
    assert (counts.replaced, counts.kept_recorded, counts.replaced_recorded) == (2, 0, 0)
    assert report.conflicts is None
    assert read_row(corrected, RecordTable.REQUESTS, "R1").values["outcome_on"] == "2023-04-01"


def test_a_recording_on_the_extracts_own_day_is_a_conflict(
    corrected: Retour, tmp_path: Path
) -> None:
    day = dt.date(2024, 6, 30)
    _backdate(corrected, day)  # retour cannot tell which came first that day
    with pytest.raises(ImportConflictError):
        datasets.import_dataset(corrected, _extract(tmp_path / "x", NEWER_REQUESTS), today=day)


def test_a_row_that_matches_the_extract_is_no_conflict(corrected: Retour, tmp_path: Path) -> None:
    same = "R1,C1,LP,MA,2023-02-01,document,yes,positive,2023-05-01,,\n"
    report = datasets.import_dataset(corrected, _extract(tmp_path / "x", same), today=NEWER)
    assert report.result[Table.REQUESTS].unchanged == 1


def test_every_conflict_is_listed_with_file_line_key_and_role(
    stocked: Retour, tmp_path: Path
) -> None:
    """A row added in retour, a row corrected twice (listed once, as the last correction),
    a condition by its three-part id; each at its own line."""
    new = {"request_id": "R9", "case_id": "C2", "kind": "TO", "country": "NG",
           "submitted_on": "2024-05-01", "id_evidence": "none", "alien_cooperates": "no",
           "outcome": "pending"}  # fmt: skip
    record_row(stocked, RecordTable.REQUESTS, new, ADMIN)
    _correct(stocked, RecordTable.REQUESTS, "R1", ANSWER)
    _correct(stocked, RecordTable.REQUESTS, "R1", {"outcome_on": "2023-05-02"}, ADMIN)
    _correct(stocked, RecordTable.CONDITIONS, "C1:2023-02-01:identity", {"state": "green"})
    requests = (
        "R2,C2,LP,NG,2023-06-01,indirect,no,positive,2023-08-01,,\n"
        "R9,C2,TO,NG,2024-05-02,none,no,pending,,,\n"
        "R1,C1,LP,MA,2023-02-01,document,yes,positive,2023-04-01,,\n"
    )
    conditions = "case_id,observed_on,condition,state\nC1,2023-02-01,identity,unknown\n"
    path = _extract(tmp_path / "x", requests, **{"conditions.csv": conditions})
    with pytest.raises(ImportConflictError) as refused:
        datasets.import_dataset(stocked, path, today=NEWER)
    said = refused.value.lines("en")
    lines = [line.split(" on ")[0] + " by" + line.split(" by")[1] for line in said]
    assert lines == [
        f"requests.csv:3: R9 was recorded in retour by an administrator; {EXTRACT}",
        f"requests.csv:4: R1 was corrected in retour by an administrator; {EXTRACT}",
        "conditions.csv:2: C1:2023-02-01:identity was corrected in retour by a caseworker; "
        + EXTRACT,
    ]
    assert refused.value.conflicts.counts() == {Table.REQUESTS: 2, Table.CONDITIONS: 1}


def test_the_same_key_twice_is_refused_by_the_rules_and_nothing_is_written(
    corrected: Retour, tmp_path: Path
) -> None:
    twice = (
        "R1,C1,LP,MA,2023-02-01,document,yes,positive,2023-04-01,,\n"
        "R1,C1,LP,MA,2023-02-01,document,yes,negative,2023-04-02,,\n"
    )
    before = _import_count(corrected)
    for choice in OnConflict:
        with pytest.raises(InvalidDatasetError) as refused:
            datasets.import_dataset(corrected, _extract(tmp_path / choice, twice), today=NEWER,
                                    on_conflict=choice)  # fmt: skip
        assert any("R1" in line or "request_id" in line for line in refused.value.lines())
    assert _import_count(corrected) == before
    assert read_row(corrected, RecordTable.REQUESTS, "R1").values["outcome_on"] == "2023-05-01"


def test_many_conflicts_are_capped_with_a_count(stocked: Retour, tmp_path: Path) -> None:
    n = MAX_SHOWN + 5
    rows = "".join(f"Q{i:04d},C1,LP,MA,2023-02-01,document,yes,pending,,,\n" for i in range(n))
    base = _extract(tmp_path / "base", rows, on=dt.date(2024, 4, 30))
    datasets.import_dataset(stocked, base, today=dt.date(2024, 4, 30))
    for i in range(n):
        _correct(stocked, RecordTable.REQUESTS, f"Q{i:04d}", {"id_evidence": "indirect"})
    with pytest.raises(ImportConflictError) as refused:
        again = _extract(tmp_path / "again", rows.replace("document", "none"))
        datasets.import_dataset(stocked, again, today=NEWER)
    said = refused.value.lines("en")
    assert len(said) == MAX_SHOWN + 1
    assert said[-1] == "… and 5 more conflicts."
    assert said[0].startswith("requests.csv:2: Q0000 was corrected")
    assert refused.value.conflicts.count == n


def _refused_then_kept(
    app: Retour, lang: str, refuse: Callable[[], str], keep: Callable[[], str]
) -> None:
    """The newer extract (NEWER_REQUESTS) is refused with R1's conflict listed and nothing
    written; imported again keeping retour's values, it lists the conflict, R1 keeps
    retour's answer and the rest (R3) is written. ``refuse`` and ``keep`` make the two
    imports and give what each said."""
    listed = f"requests.csv:2: {LISTED[lang]}"
    assert listed in refuse()
    assert _stored(app, "R3") is None
    assert listed in keep()
    assert read_row(app, RecordTable.REQUESTS, "R1").values["outcome_on"] == ANSWER["outcome_on"]
    assert _stored(app, "R3") is not None


@pytest.mark.parametrize(
    ("lang", "error"),
    [
        ("en", "would replace rows recorded or corrected"),
        ("nl", "in retour zijn vastgelegd of gecorrigeerd"),
    ],
)
def test_the_command_line_refuses_keeps_and_replaces(
    corrected: Retour, record_env: str, tmp_path: Path, lang: str, error: str
) -> None:
    path = _extract(tmp_path / "newer", NEWER_REQUESTS)
    env = {"RETOUR_DB": record_env, "COLUMNS": "80"}

    def refuse() -> str:
        done = retour(["import", str(path), "--lang", lang], tmp_path, **env)
        assert done.returncode == 2, done.stderr
        assert error in done.stderr and "--on-conflict" in done.stderr
        assert "Traceback" not in done.stderr
        return done.stderr

    def keep() -> str:
        kept = retour(
            ["import", str(path), "--on-conflict", "keep", "--lang", lang], tmp_path, **env
        )
        assert kept.returncode == 0, kept.stderr
        assert "--on-conflict keep: 1" in kept.stdout
        return kept.stdout

    _refused_then_kept(corrected, lang, refuse, keep)

    history = retour(["imports", "--format", "json", "--last", "1"], tmp_path, **env)
    newest = json.loads(history.stdout)["imports"][0]
    assert (newest["on_conflict"], newest["kept_recorded"]) == ("keep", 1)
    table = retour(["imports", "--last", "1", "--lang", "en"], tmp_path, **env)
    assert table.returncode == 0 and "keep 1" in table.stdout

    again = _extract(tmp_path / "again", NEWER_REQUESTS.replace("2023-04-01", "2023-04-03"))
    swapped = retour(["import", str(again), "--on-conflict", "replace"], tmp_path, **env)
    assert swapped.returncode == 0, swapped.stderr
    assert "--on-conflict replace: 1" in swapped.stdout
    assert read_row(corrected, RecordTable.REQUESTS, "R1").values["outcome_on"] == "2023-04-03"


def test_the_command_line_refuses_an_unknown_choice(record_env: str, tmp_path: Path) -> None:
    path = _extract(tmp_path / "newer", NEWER_REQUESTS)
    done = retour(["import", str(path), "--on-conflict", "merge"], tmp_path, RETOUR_DB=record_env,
                  COLUMNS="80")  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--on-conflict" in done.stderr


def _zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()


def _admin(api: TestClient, lang: str) -> TestClient:
    page = api.get("/login")
    form = {"name": "admin", "password": PASSWORD, "csrf_token": _csrf(page.text)}
    assert api.post("/login", data=form, follow_redirects=False).status_code == 303
    api.post("/lang", data={"lang": lang, "next": "/", "csrf_token": _csrf(api.get("/").text)})
    return api


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found
    return found.group(1)


def _upload(client: TestClient, data: bytes, **fields: str) -> Any:
    files = {"dataset": ("newer.zip", data, "application/zip")}
    token = _csrf(client.get("/import").text)
    return client.post("/import", data={"csrf_token": token, **fields}, files=files)


@pytest.mark.parametrize(
    ("lang", "kept", "listed"),
    [
        ("nl", "Bij conflict: behouden.", "<td>behouden 1</td>"),
        ("en", "On conflict: keep.", "<td>keep 1</td>"),
    ],
)
def test_the_import_page_refuses_and_then_keeps_by_choice(
    corrected: Retour, api: TestClient, tmp_path: Path, lang: str, kept: str, listed: str
) -> None:
    client = _admin(api, lang)
    form = client.get("/import").text
    assert 'name="on_conflict"' in form and 'value="keep"' in form and 'value="replace"' in form
    data = _zipped(_extract(tmp_path / "newer", NEWER_REQUESTS))

    def refuse() -> str:
        refused = _upload(client, data)
        assert refused.status_code == 409, refused.text
        assert 'id="conflicts"' in refused.text
        return str(refused.text)

    def keep() -> str:
        done = _upload(client, data, on_conflict="keep")
        assert done.status_code == 200, done.text
        assert kept in done.text
        return str(done.text)

    _refused_then_kept(corrected, lang, refuse, keep)
    history = client.get("/import").text.split('id="import-history"', 1)[1]
    assert history.count(listed) == 1  # the latest imports say what became of the conflict
    assert _upload(client, data, on_conflict="merge").status_code == 400


def test_recordings_are_counted_beside_the_imports_not_listed_as_imports(
    corrected: Retour, record_env: str, tmp_path: Path
) -> None:
    _correct(corrected, RecordTable.REQUESTS, "R2", {"document_on": "2023-09-01"})
    env = {"RETOUR_DB": record_env, "COLUMNS": "200"}
    listed = json.loads(retour(["imports", "--format", "json"], tmp_path, **env).stdout)
    assert [e["container"] for e in listed["imports"]] == ["extract"]
    table = retour(["imports", "--lang", "en"], tmp_path, **env).stdout
    assert "since the newest import: 2 rows" in table and "recording" not in table
    assert imports.recordings_since(corrected, None).count == 2
    added = "R3,C2,TO,NG,2024-04-01,document,yes,pending,,,\n"
    datasets.import_dataset(corrected, _extract(tmp_path / "newer", added), today=NEWER)
    listed = json.loads(retour(["imports", "--format", "json"], tmp_path, **env).stdout)
    assert len(listed["imports"]) == 2
    again = retour(["imports", "--lang", "en"], tmp_path, **env).stdout
    assert "since the newest import" not in again
