"""The web import page with mappings: an upload with its mapping file, a mapping saved under
a name and used again, the draft for a file in a source system's own shape, violations at
the source's file:line with their reason codes, and the last imports -- in both languages."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from fastapi import FastAPI

from retour.exchange import load
from retour.exchange.source_style import SourceStyle, write_source
from retour.service import audit, imports, mappings
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.web import create_app

from ..exchange.conftest import VALID, write_folder
from .conftest import TestClient, new_client, page_csrf, sign_in

TODAY = dt.date(2024, 6, 1)


def zipped_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()


@pytest.fixture
def export(tmp_path: Path) -> tuple[bytes, str]:
    """The exchange tests' dataset as a Dutch source system exports it (a .zip of CSV files,
    ';', Windows-1252, dd-mm-yyyy, Dutch labels and country names), and its mapping."""
    dataset = load(write_folder(tmp_path / "exchange", VALID), today=TODAY)
    text = write_source(dataset, tmp_path / "Export", SourceStyle())
    return zipped_folder(tmp_path / "Export"), text


@pytest.fixture
def web(retour_app: Retour, users: dict[Role, str]) -> FastAPI:
    """The application over an empty database, with a user of every role."""
    return create_app(retour_app, warm_up=False)


def admin_in(web: FastAPI, lang: str = "nl") -> TestClient:
    client = sign_in(new_client(web), "admin")
    if lang != "nl":
        client.post("/lang", data={"lang": lang, "next": "/", "csrf_token": page_csrf(client)})
    return client


def upload(
    client: TestClient,
    dataset: tuple[str, bytes],
    *,
    mapping: tuple[str, bytes] | None = None,
    **fields: str,
) -> object:
    files = {"dataset": (dataset[0], dataset[1], "application/octet-stream")}
    if mapping is not None:
        files["mapping"] = (mapping[0], mapping[1], "application/toml")
    return client.post(
        "/import", data={"csrf_token": page_csrf(client, "/import"), **fields}, files=files
    )


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_an_export_imports_with_its_mapping_and_is_listed(
    web: FastAPI, retour_app: Retour, export: tuple[bytes, str], lang: str
) -> None:
    data, text = export
    admin = admin_in(web, lang)
    answer = upload(admin, ("Export.zip", data), mapping=("export.toml", text.encode()))
    assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
    html = answer.text  # type: ignore[attr-defined]
    assert 'id="import-result"' in html
    (entry,) = imports.list_imports(retour_app)
    assert entry.mapping_sha256 is not None and entry.by == "admin"
    history = html.split('id="import-history"')[1]
    assert entry.mapping_sha256[:12] in history and "admin" in history
    assert ("Laatste imports" if lang == "nl" else "Latest imports") in visible(html)
    logged = audit.read_log(retour_app, limit=1)[0]
    assert (logged.action, logged.detail["mapping"]) == ("import_dataset", entry.mapping_sha256)


def test_a_mapping_saved_with_an_upload_is_used_again_and_can_be_deleted(
    web: FastAPI, retour_app: Retour, export: tuple[bytes, str]
) -> None:
    data, text = export
    admin = admin_in(web)
    first = upload(
        admin, ("Export.zip", data), mapping=("export.toml", text.encode()), save_as="dtv-export"
    )
    assert first.status_code == 200, first.text  # type: ignore[attr-defined]
    (saved,) = mappings.list_mappings(retour_app)
    assert (saved.name, saved.saved_by, saved.text) == ("dtv-export", "admin", text)
    page = admin.get("/import").text
    assert '<option value="dtv-export">' in page and 'id="saved-mappings"' in page
    download = admin.get("/import/mappings/dtv-export")
    assert download.status_code == 200 and download.text == text
    assert 'filename="dtv-export.toml"' in download.headers["content-disposition"]
    again = upload(admin, ("Export.zip", data), saved="dtv-export")
    assert again.status_code == 200, again.text  # type: ignore[attr-defined]
    assert "dtv-export" in again.text  # type: ignore[attr-defined]
    (stored,) = imports.list_imports(retour_app)  # the same rows again: nothing new stored
    assert stored.mapping_sha256 == saved.sha256
    log = audit.read_log(retour_app, limit=20)
    through = [e.detail.get("mapping") for e in log if e.action == "import_dataset"]
    assert through == [saved.sha256, saved.sha256]
    assert [e.subject for e in log if e.action == "mapping_saved"] == ["dtv-export"]
    gone = admin.post(
        "/import/mappings/dtv-export/delete", data={"csrf_token": page_csrf(admin, "/import")}
    )
    assert gone.status_code == 200 and mappings.list_mappings(retour_app) == []
    logged = audit.read_log(retour_app, limit=1)[0]
    assert (logged.action, logged.subject, logged.actor) == (
        "mapping_deleted",
        "dtv-export",
        "admin",
    )
    assert admin.get("/import/mappings/dtv-export").status_code == 404
    # the imports made through it keep their copy of its text
    assert imports.show_import(retour_app, stored.id)[1] == text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_an_export_without_a_mapping_gets_the_draft_to_correct_and_save(
    web: FastAPI, retour_app: Retour, export: tuple[bytes, str], lang: str
) -> None:
    data, _ = export
    admin = admin_in(web, lang)
    answer = upload(admin, ("Export.zip", data))
    assert answer.status_code == 400
    html = answer.text  # type: ignore[attr-defined]
    assert '<code class="reason">missing_table</code>' in html and 'id="draft"' in html
    drafted = re.search(
        r'<textarea id="draft-text" name="mapping"[^>]*>(.*?)</textarea>', html, re.S
    )
    assert drafted is not None
    text = drafted.group(1).replace("&#34;", '"').replace("&amp;", "&").replace("&lt;", "<")
    text = text.replace("&gt;", ">").replace("&#39;", "'")
    assert 'from = "Verzoeken"' in text and 'encoding = "cp1252"  # detected' in text
    intro = "Dit bestand is niet in het uitwisselformaat" if lang == "nl" else "This file is not"
    assert intro in visible(html)
    assert imports.list_imports(retour_app) == []  # nothing was written
    saved = admin.post(
        "/import/mappings",
        data={"name": "Export", "mapping": text, "csrf_token": page_csrf(admin, "/import")},
    )
    assert saved.status_code == 200, saved.text
    imported = upload(admin, ("Export.zip", data), saved="Export")
    assert imported.status_code == 200, imported.text  # type: ignore[attr-defined]
    assert (
        imports.list_imports(retour_app)[0].mapping_sha256
        == mappings.list_mappings(retour_app)[0].sha256
    )


def test_violations_name_the_source_file_line_and_reason(
    web: FastAPI, retour_app: Retour, export: tuple[bytes, str], tmp_path: Path
) -> None:
    data, text = export
    folder = tmp_path / "bad"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(folder)
    requests = (folder / "Verzoeken.csv").read_bytes().decode("cp1252").split("\r\n")
    requests[1] = requests[1].replace("Positief antwoord", "Misschien", 1)
    (folder / "Verzoeken.csv").write_bytes("\r\n".join(requests).encode("cp1252"))
    assert "Misschien" in (folder / "Verzoeken.csv").read_bytes().decode("cp1252")
    answer = upload(
        admin_in(web, "en"), ("bad.zip", zipped_folder(folder)), mapping=("m.toml", text.encode())
    )
    assert answer.status_code == 400
    rows = answer.text.split('id="violations"')[1]  # type: ignore[attr-defined]
    assert "<td>Verzoeken.csv</td>" in rows and '<td class="num">2</td>' in rows
    assert '<code class="reason">unknown_code</code>' in rows and "Misschien" in rows
    assert imports.list_imports(retour_app) == []


def test_a_mapping_with_a_mistake_is_refused_at_its_line_and_not_saved(
    web: FastAPI, retour_app: Retour, export: tuple[bytes, str]
) -> None:
    data, text = export
    broken = text.replace("request_id =", "request_idd =", 1)
    line = broken.splitlines().index(next(x for x in broken.splitlines() if "request_idd" in x))
    answer = upload(
        admin_in(web), ("Export.zip", data), mapping=("m.toml", broken.encode()), save_as="m"
    )
    assert answer.status_code == 400
    rows = answer.text.split('id="violations"')[1]  # type: ignore[attr-defined]
    assert '<code class="reason">bad_mapping</code>' in rows and "request_idd" in rows
    assert f'<td class="num">{line + 1}</td>' in rows
    assert mappings.list_mappings(retour_app) == [] and imports.list_imports(retour_app) == []


def test_mapping_choices_that_cannot_be_taken_are_said_in_words(
    web: FastAPI, export: tuple[bytes, str]
) -> None:
    data, text = export
    admin = admin_in(web, "en")
    both = upload(admin, ("Export.zip", data), mapping=("m.toml", text.encode()), saved="x")
    assert both.status_code == 400
    assert "not both" in visible(both.text)  # type: ignore[attr-defined]
    unknown = upload(admin, ("Export.zip", data), saved="nothing-saved")
    assert unknown.status_code == 404
    assert "No mapping is saved under that name." in visible(unknown.text)  # type: ignore[attr-defined]
    named = upload(admin, ("Export.zip", data), mapping=("m.toml", text.encode()), save_as="a b")
    assert named.status_code == 400
    assert "letters, digits" in visible(named.text)  # type: ignore[attr-defined]
    not_toml = upload(admin, ("Export.zip", data), mapping=("m.txt", b"x"))
    assert not_toml.status_code == 400 and ".toml" in visible(not_toml.text)  # type: ignore[attr-defined]


def test_only_an_admin_manages_saved_mappings(
    web: FastAPI, retour_app: Retour, export: tuple[bytes, str]
) -> None:
    _, text = export
    analyst = sign_in(new_client(web), "analyst")
    token = page_csrf(analyst, "/")
    refused = analyst.post(
        "/import/mappings", data={"name": "x", "mapping": text, "csrf_token": token}
    )
    assert refused.status_code == 403 and mappings.list_mappings(retour_app) == []
    logged = audit.read_log(retour_app, limit=1)[0]
    assert (logged.action, logged.subject) == ("access_refused", "import")
