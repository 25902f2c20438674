"""The one way retour writes a file it was asked to write: exports, reports, workbooks, drafts.

Every face and layer that puts a file on disk (``retour export``, ``retour report --out``,
``retour figures press --out``, a violations report, a drafted mapping, a simulated dataset)
writes it through :func:`write_file` or :func:`writing`, which

- refuse to write through a symbolic link: a link planted where a file is to be written
  (``cases.csv -> ~/.bashrc`` in a shared export folder) would otherwise make ``--force``
  overwrite whatever it points to. The folder a user names is theirs and is followed; only
  the file's own name is checked;
- write to a new file beside the target (created exclusively, never through a link), flush
  it to disk, then rename it over the target: a failure leaves the old file as it was and no
  half-written one, and a link that appears meanwhile is replaced, not followed;
- name what went wrong in one line: a full disk or quota and an input/output error are
  :class:`~retour.domain.errors.StorageError` (not the data's fault), anything else an
  :class:`~retour.domain.errors.InputError` with the system's reason.

Here in ``domain`` because the exchange format's writer, the reports and the services all
write files, and ``domain`` is what every one of them may import.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO, Final

from retour.domain.errors import N_, InputError, RetourError, StorageError, UsageError

#: Errors of the disk itself: full, over quota, or failing.
_FULL: Final = frozenset({errno.ENOSPC, errno.EDQUOT})
_BROKEN: Final = frozenset({errno.EIO})


def refuse_link(path: Path) -> None:
    """A UsageError when ``path`` is a symbolic link (even a dangling one)."""
    if path.is_symlink():
        raise UsageError(
            N_("{path} is a symbolic link: retour does not write through links."),
            hint=N_("Remove the link, or choose another file or folder."),
            path=path,
        )


def write_file(path: Path, data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` as :func:`writing` does; ``path``."""
    with writing(path) as out:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@contextmanager
def writing(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write ``path``'s new content into; it replaces ``path`` when the
    block ends without an error, and is removed when it does not."""
    refuse_link(path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as out:
            _keep_mode(fd, path)
            yield out
            out.flush()
            os.fsync(out.fileno())  # a full disk often shows only here, not at write()
        os.replace(temporary, path)
    except OSError as exc:
        _remove(temporary)
        raise write_error(path, exc) from None
    except BaseException:
        _remove(temporary)
        raise


def write_error(path: Path, exc: OSError) -> RetourError:
    """The error a user is shown when ``path`` cannot be written: what failed, in words."""
    if exc.errno in _FULL:
        return StorageError(
            N_("The disk is full: {path} could not be written."),
            hint=N_(
                "Free space on the disk (or raise the quota) and try again; no file was "
                "left half written."
            ),
            path=path,
        )
    if exc.errno in _BROKEN:
        return StorageError(
            N_("The disk reported an input/output error: {path} could not be written."),
            hint=N_(
                "Check the disk (or the network share) and try again; no file was left "
                "half written."
            ),
            path=path,
        )
    if exc.errno == errno.ELOOP:  # a link put in place of the temporary file's name
        return UsageError(
            N_("{path} is a symbolic link: retour does not write through links."),
            hint=N_("Remove the link, or choose another file or folder."),
            path=path,
        )
    return InputError(
        N_("{path}: cannot be written ({reason})."), path=path, reason=exc.strerror or exc
    )


def _keep_mode(fd: int, path: Path) -> None:
    """A file written again keeps its permissions (a private export stays private); a new
    one gets the usual ones (0666 less the umask)."""
    with suppress(FileNotFoundError):
        os.fchmod(fd, stat.S_IMODE(os.stat(path, follow_symlinks=False).st_mode))


def _remove(path: Path) -> None:
    with suppress(OSError):
        path.unlink()
