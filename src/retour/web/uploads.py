"""Uploads that leave nothing behind: checked before a byte is spooled, spooled privately.

Starlette reads a whole multipart form -- files spooled to the system's temporary folder --
as soon as a route or a dependency asks for it, which for a route with ``File()``
parameters is before its dependencies (the permission and CSRF checks) run. The import
page therefore reads its own body, here, as a stream:

1. the guard has checked the role (nothing of the body is read for that);
2. a ``Content-Length`` over the limit is refused before the body is read at all, and a
   running count refuses a body that grows over it (chunked, or lying about its length);
3. the CSRF token -- the ``X-CSRF-Token`` header, or the form's first field as the page
   sends it -- is checked before the first byte of a file is written;
4. files are written into a folder of the request's own inside the :class:`UploadSpool`,
   a private folder (mode 0700) under the data folder, removed when the request ends.

A server killed in the middle (``kill -9``) cannot remove its folder; the spool is swept
when the next ``retour serve`` starts. Each server holds an exclusive lock on a file of its
own in the spool (released by the kernel when the process dies, whatever kills it), so a
sweep removes exactly the folders of servers that are gone, also when a process id is
reused (a container restarted).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final

import anyio.to_thread
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

#: The spool's folder under the data folder.
SPOOL_DIR: Final = "uploads"
#: A server's lock file in the spool, and the prefix of its requests' folders.
_LOCK_SUFFIX: Final = ".lock"
_OWNER: Final = re.compile(r"^([0-9a-f]{16})(?:\.lock|-[0-9a-f]{16})$")
#: Room for the form's boundaries, headers and small fields, beyond the files' limit.
FORM_OVERHEAD: Final = 64 * 1024
#: A text field's largest size (a mapping pasted, a name, a token).
MAX_FIELD: Final = 256 * 1024
MAX_PARTS: Final = 16


class UploadRefused(Exception):  # noqa: N818 - a refusal, answered as a page
    """An upload refused while it was received; `reason` for the audit log, `status` for
    the answer."""

    def __init__(self, reason: str, status: int, name: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.name = name  # the file's name as the browser gave it ("" when none)


@dataclass(slots=True)
class ReceivedFile:
    field: str
    name: str  # the safe name it was stored under
    path: Path
    given: str = ""  # the name the browser gave it (shown back to its sender, escaped)
    size: int = 0


@dataclass(slots=True)
class Received:
    """What a form held: its text fields and the files written into the request's folder."""

    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, ReceivedFile] = field(default_factory=dict)


class UploadSpool:
    """The private folder uploads are spooled in while they are checked and imported."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.owner = secrets.token_hex(8)
        self._lock: IO[bytes] | None = None

    @classmethod
    def open(cls, data_dir: Path) -> UploadSpool:
        """The spool under `data_dir`, made private, swept of what dead servers left, and
        locked as this server's."""
        spool = cls(data_dir / SPOOL_DIR)
        spool._make_private()
        spool.sweep()
        spool._take_lock()
        return spool

    def _make_private(self) -> None:
        self.root.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            self.root.mkdir(mode=0o700)
        found = self.root.lstat()
        if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid():
            raise OSError(f"the upload folder {SPOOL_DIR!r} is not a folder of this user")
        os.chmod(self.root, 0o700)

    def _take_lock(self) -> None:
        handle = (self.root / f"{self.owner}{_LOCK_SUFFIX}").open("wb")
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._lock = handle

    def _alive(self, owner: str) -> bool:
        """Whether the server `owner` still holds its lock."""
        if owner == self.owner:
            return True
        try:
            handle = (self.root / f"{owner}{_LOCK_SUFFIX}").open("rb")
        except OSError:
            return False
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            return False

    def sweep(self) -> int:
        """Remove what servers that are gone left in the spool; how many entries."""
        removed = 0
        for entry in list(self.root.iterdir()):
            found = _OWNER.match(entry.name)
            if found is not None and self._alive(found.group(1)):
                continue
            _remove(entry)
            removed += 1
        return removed

    @contextlib.contextmanager
    def folder(self) -> Iterator[Path]:
        """A new private folder for one request, removed (with all it holds) at its end."""
        path = self.root / f"{self.owner}-{secrets.token_hex(8)}"
        path.mkdir(mode=0o700)
        try:
            yield path
        finally:
            _remove(path)

    def in_flight(self) -> list[Path]:
        """The request folders in the spool now (for tests and the operator)."""
        return sorted(p for p in self.root.iterdir() if p.is_dir())

    def close(self) -> None:
        """Remove this server's folders and its lock (on a clean shutdown)."""
        for entry in list(self.root.iterdir()):
            if entry.name.startswith(self.owner):
                _remove(entry)
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def check_length(request: Request, limit: int) -> None:
    """Refuse a body that says it is larger than the limit, before reading any of it."""
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.isdigit():
        raise UploadRefused("bad_form", 400)
    if int(declared) > limit + FORM_OVERHEAD:
        raise UploadRefused("too_large", 413)


@dataclass(slots=True)
class _Part:
    name: str = ""
    file: ReceivedFile | None = None
    handle: IO[bytes] | None = None
    data: bytearray = field(default_factory=bytearray)


@dataclass(slots=True)
class FormRules:
    """What a form may hold and how its parts are checked."""

    limit: int  # the largest body, less FORM_OVERHEAD
    files: dict[str, Callable[[str], str | None]]  # file field -> its safe name, or None
    token_ok: Callable[[str | None], bool]  # the CSRF check, before the first file byte
    token_field: str = "csrf_token"


class _Reader:
    """The callbacks of python-multipart's parser over one request's body."""

    def __init__(self, folder: Path, rules: FormRules) -> None:
        self.folder = folder
        self.rules = rules
        self.received = Received()
        self.part = _Part()
        self.header = (bytearray(), bytearray())
        self.disposition = b""
        self.parts = 0
        self.pending: list[tuple[IO[bytes], bytes]] = []
        self.handles: list[IO[bytes]] = []
        self.token_checked = False
        self.file_bytes = 0

    def on_part_begin(self) -> None:
        self.part = _Part()
        self.disposition = b""
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise UploadRefused("bad_form", 400)

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header[0].extend(data[start:end])

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header[1].extend(data[start:end])

    def on_header_end(self) -> None:
        if bytes(self.header[0]).lower() == b"content-disposition":
            self.disposition = bytes(self.header[1])
        self.header = (bytearray(), bytearray())

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace")
        self.part.name = name
        if b"filename" not in options:
            return
        filename = options[b"filename"].decode("utf-8", "replace")
        if name not in self.rules.files:
            raise UploadRefused("bad_form", 400)
        if not filename:
            return  # an optional file input left empty: a part with no file
        if not self.token_checked:
            if not self.rules.token_ok(self.received.fields.get(self.rules.token_field)):
                raise CsrfMissing
            self.token_checked = True
        safe = self.rules.files[name](filename)
        if safe is None or name in self.received.files:
            raise UploadRefused("file_name", 400, filename)
        (self.folder / name).mkdir(mode=0o700)
        path = self.folder / name / safe
        self.part.file = ReceivedFile(name, safe, path, filename)
        self.part.handle = path.open("xb")
        self.handles.append(self.part.handle)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.part.handle is not None and self.part.file is not None:
            self.part.file.size += len(chunk)
            self.file_bytes += len(chunk)
            if self.file_bytes > self.rules.limit:
                raise UploadRefused("too_large", 413, self.part.file.name)
            self.pending.append((self.part.handle, bytes(chunk)))
        elif self.part.file is None and chunk:
            if len(self.part.data) + len(chunk) > MAX_FIELD:
                raise UploadRefused("too_large", 413)
            self.part.data.extend(chunk)

    def on_part_end(self) -> None:
        if self.part.file is not None:
            self.received.files[self.part.name] = self.part.file
        elif self.part.name:
            self.received.fields[self.part.name] = self.part.data.decode("utf-8", "replace")

    def on_end(self) -> None:
        return None


class CsrfMissing(Exception):  # noqa: N818 - turned into the guard's CsrfRefused by the page
    """A file part came before a valid CSRF token."""


async def receive(request: Request, folder: Path, rules: FormRules) -> Received:
    """Read the multipart body of `request` into `folder` under `rules`: the length first,
    then a running size limit, the CSRF token before the first file byte, and every file
    under its safe name. UploadRefused or CsrfMissing stop it at once."""
    check_length(request, rules.limit)
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRefused("bad_form", 400)
    reader = _Reader(folder, rules)
    parser = MultipartParser(boundary, _callbacks(reader))
    seen = 0
    try:
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > rules.limit + FORM_OVERHEAD:
                raise UploadRefused("too_large", 413)
            parser.write(chunk)
            await _flush(reader)
        parser.finalize()
        await _flush(reader)
    except ValueError as exc:  # python-multipart's errors of a malformed body
        raise UploadRefused("bad_form", 400) from exc
    finally:
        for handle in reader.handles:
            handle.close()
    return reader.received


async def _flush(reader: _Reader) -> None:
    for handle, data in reader.pending:
        await anyio.to_thread.run_sync(handle.write, data)
    reader.pending.clear()


def _callbacks(reader: _Reader) -> MultipartCallbacks:
    return {
        "on_part_begin": reader.on_part_begin,
        "on_part_data": reader.on_part_data,
        "on_part_end": reader.on_part_end,
        "on_header_field": reader.on_header_field,
        "on_header_value": reader.on_header_value,
        "on_header_end": reader.on_header_end,
        "on_headers_finished": reader.on_headers_finished,
        "on_end": reader.on_end,
    }
