"""Uploads leave nothing behind: the role, the size limit and the CSRF token are checked
before a byte of a file is written; files are spooled in a private folder that is removed
when the request ends, and swept at the next start of a server killed during an upload."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from retour.config import load_settings
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.web import create_app, uploads

from ..conftest import TEST_SECRET
from ..process import clean_env, retour
from .conftest import SESSION_SECRET, TestClient, new_client, page_csrf, sign_in

MIB = 1024 * 1024


class Spied:
    """What the upload machinery did: request folders made (and what each held when it was
    removed), and files Starlette's own form parser spooled."""

    def __init__(self) -> None:
        self.folders: list[Path] = []
        self.held: dict[Path, list[str]] = {}
        self.spooled = 0


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> Spied:
    import starlette.formparsers

    seen = Spied()
    real_remove = uploads._remove
    real_folder = uploads.UploadSpool.folder

    def remove(path: Path) -> None:
        if path.is_dir():
            seen.held[path] = sorted(str(p.relative_to(path)) for p in path.rglob("*"))
        real_remove(path)

    @contextlib.contextmanager
    def folder(self: uploads.UploadSpool) -> Iterator[Path]:
        with real_folder(self) as path:
            seen.folders.append(path)
            yield path

    real_spool = starlette.formparsers.SpooledTemporaryFile

    def spool(*args: Any, **kwargs: Any) -> Any:
        seen.spooled += 1
        return real_spool(*args, **kwargs)

    monkeypatch.setattr(uploads, "_remove", remove)
    monkeypatch.setattr(uploads.UploadSpool, "folder", folder)
    monkeypatch.setattr(starlette.formparsers, "SpooledTemporaryFile", spool)
    return seen


@pytest.fixture
def web(
    retour_app: Retour, users: dict[Role, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[FastAPI]:
    monkeypatch.setenv("RETOUR_UPLOAD_LIMIT_MB", "1")
    with Retour(settings=load_settings()) as limited:
        yield create_app(limited, warm_up=False)


def spool_root(retour_app: Retour) -> Path:
    return retour_app.settings.data_dir / uploads.SPOOL_DIR


def big(size: int) -> bytes:
    return os.urandom(size)


def post_file(client: TestClient, data: bytes, *, token: str | None) -> Any:
    fields = {"csrf_token": token} if token else {}
    files = {"dataset": ("extract.zip", data, "application/zip")}
    return client.post("/import", data=fields, files=files)


def test_the_spool_is_a_private_folder_under_the_data_folder(
    web: FastAPI, retour_app: Retour
) -> None:
    root = spool_root(retour_app)
    assert root.is_dir() and stat.S_IMODE(root.stat().st_mode) == 0o700


def test_a_body_over_the_limit_is_refused_before_it_is_written(
    web: FastAPI, retour_app: Retour, spied: Spied
) -> None:
    admin = sign_in(new_client(web), "admin")
    token = page_csrf(admin, "/import")
    answer = post_file(admin, big(3 * MIB), token=token)
    assert answer.status_code == 413
    assert "1 MiB" in answer.text and str(retour_app.settings.data_dir) not in answer.text
    assert spied.folders == [] and spied.spooled == 0  # refused on its Content-Length
    assert uploads.UploadSpool(spool_root(retour_app)).in_flight() == []


def test_a_body_without_a_length_is_stopped_at_the_limit(
    web: FastAPI, retour_app: Retour, spied: Spied
) -> None:
    admin = sign_in(new_client(web), "admin")
    token = page_csrf(admin, "/import")
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="dataset"; filename="x.zip"\r\n'
        "Content-Type: application/zip\r\n\r\n"
    ).encode()
    sent = 0

    def body() -> Iterator[bytes]:  # chunked: no Content-Length
        nonlocal sent
        yield head
        for _ in range(6):
            sent += 512 * 1024
            yield b"x" * (512 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    answer = admin.post(
        "/import",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert answer.status_code == 413
    (folder,) = spied.folders
    assert not folder.exists() and spied.spooled == 0
    assert uploads.UploadSpool(spool_root(retour_app)).in_flight() == []


def test_a_viewers_upload_is_refused_before_any_of_it_is_read(
    web: FastAPI, retour_app: Retour, spied: Spied
) -> None:
    viewer = sign_in(new_client(web), "viewer")
    answer = post_file(viewer, big(MIB // 2), token=page_csrf(viewer, "/"))
    assert answer.status_code == 403
    assert spied.folders == [] and spied.spooled == 0


def test_an_upload_without_its_csrf_token_writes_nothing(
    web: FastAPI, retour_app: Retour, spied: Spied
) -> None:
    admin = sign_in(new_client(web), "admin")
    page_csrf(admin, "/import")
    answer = post_file(admin, big(MIB // 2), token=None)
    assert answer.status_code == 403
    assert [spied.held[f] for f in spied.folders] == [[]]  # its folder never got a file
    wrong = post_file(admin, big(MIB // 2), token="0" * 64)
    assert wrong.status_code == 403 and spied.spooled == 0
    assert all(spied.held[f] == [] for f in spied.folders)


def test_an_accepted_upload_is_removed_when_its_request_ends(
    web: FastAPI, retour_app: Retour, spied: Spied
) -> None:
    admin = sign_in(new_client(web), "admin")
    answer = post_file(admin, b"not a zip at all", token=page_csrf(admin, "/import"))
    assert answer.status_code >= 400  # unreadable, and said so without a server path
    assert str(spool_root(retour_app)) not in answer.text
    (folder,) = spied.folders
    assert spied.held[folder] == ["dataset", "dataset/extract.zip"] and not folder.exists()
    assert spied.spooled == 0


def test_a_start_sweeps_what_a_dead_server_left_and_keeps_a_live_ones(tmp_path: Path) -> None:
    data = tmp_path / "data"
    live = uploads.UploadSpool.open(data)
    with live.folder() as working:
        (working / "part").write_bytes(b"x")
        dead = data / uploads.SPOOL_DIR / "0123456789abcdef-0123456789abcdef"
        dead.mkdir()
        (dead / "left.zip").write_bytes(b"x")
        other = uploads.UploadSpool.open(data)  # a second server starting beside the first
        assert not dead.exists() and working.exists()
        other.close()
    live.close()
    assert list((data / uploads.SPOOL_DIR).iterdir()) == []


# -- a real server, killed during an upload ------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(home: Path, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "retour", "serve", "--port", str(port)],
        env=clean_env(home, **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("the server did not start")


class Browser:
    """A minimal cookie-keeping HTTP client over http.client (the server runs without TLS)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes = b"", kind: str = "") -> str:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if kind:
            headers["Content-Type"] = kind
        conn.request(method, path, body=body, headers=headers)
        answer = conn.getresponse()
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0]
        text = answer.read().decode()
        conn.close()
        return text


def test_a_server_killed_during_an_upload_leaves_a_folder_the_next_start_sweeps(
    tmp_path: Path,
) -> None:
    import re
    from urllib.parse import urlencode

    home = tmp_path / "home"
    env = {
        "RETOUR_DB": str(tmp_path / "retour.sqlite"),
        "RETOUR_SECRET": TEST_SECRET,
        "RETOUR_SESSION_SECRET": SESSION_SECRET,
        "RETOUR_COOKIE_SECURE": "false",
    }
    password = "a long test passphrase"
    added = retour(["user", "add", "admin", "--role", "admin", "--password", password], home, **env)
    assert added.returncode == 0, added.stderr
    port = free_port()
    server = serve(home, env, port)
    spool = home / "data" / uploads.SPOOL_DIR
    try:
        browser = Browser(port)
        token = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
        login = token.search(browser.request("GET", "/login"))
        assert login is not None
        form = urlencode({"name": "admin", "password": password, "csrf_token": login.group(1)})
        browser.request("POST", "/login", form.encode(), "application/x-www-form-urlencoded")
        found = token.search(browser.request("GET", "/import"))
        assert found is not None, "not signed in"
        boundary = "b0undary"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{found.group(1)}\r\n--{boundary}\r\nContent-Disposition: form-data; "
            'name="dataset"; filename="extract.zip"\r\nContent-Type: application/zip\r\n\r\n'
        ).encode()
        total = len(head) + 8 * MIB
        upload = socket.create_connection(("127.0.0.1", port))
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        upload.sendall(
            (
                f"POST /import HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {total}\r\n\r\n"
            ).encode()
            + head
            + b"x" * MIB  # an eighth of the file, then the server dies
        )
        deadline = time.monotonic() + 30
        written: list[Path] = []
        while time.monotonic() < deadline and not written:
            written = [p for p in spool.glob("*/dataset/extract.zip") if p.stat().st_size]
            time.sleep(0.1)
        assert written, "the upload never reached the spool"
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        upload.close()
        left = written[0].parent.parent
        assert left.exists() and stat.S_IMODE(spool.stat().st_mode) == 0o700
        server = serve(home, env, port)
        assert not left.exists(), "the next start did not sweep the dead server's folder"
        assert [p for p in spool.iterdir() if p.is_dir()] == []
    finally:
        server.kill()
        server.wait(timeout=30)
