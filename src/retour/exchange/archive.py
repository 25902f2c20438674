"""Read the files of a folder, a .zip or a workbook's parts without trusting them.

Everything an import reads counts against one budget (``ImportLimits.total_bytes``): a
folder's file by its size before it is read, an archive's members by the sizes its
directory declares before anything is inflated, and again while inflating, a chunk at a time,
so memory never grows past the limit. Python's zipfile stops a member at its declared size
(and then fails its CRC), so the directory's sizes bound what inflating can produce. A
member that inflates more than ``ImportLimits.ratio`` times its compressed size is refused
as a zip bomb, as Apache POI refuses workbooks below a 1 % inflate ratio: real CSV files and
sheets compress 3 to 30 times, 1 MB inflating to 1 GB is 1,000.

Every refusal is a Violation naming the container or the member; the callers raise them.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from retour.domain.limits import DEFAULT_LIMITS, ImportLimits
from retour.exchange.violations import Reason, Violation

#: Members smaller than this are not held to the ratio: a small file of empty fields may
#: compress far, and cannot hurt.
RATIO_GRACE = 1 << 20
CHUNK = 1 << 20
_SAVE_AGAIN = "save or zip it again"


def size_text(n: int) -> str:
    """Bytes as a reader says them: 1.1 GB, 650 MB, 64 KB, 300 bytes."""
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= size:
            value = n / size
            return f"{value:,.1f} {unit}" if value < 10 else f"{value:,.0f} {unit}"
    return f"{n:,} bytes"


@dataclass(slots=True)
class Budget:
    """The bytes one import may still read, shared by every file of its container."""

    limits: ImportLimits = DEFAULT_LIMITS
    used: int = 0

    def too_much(self, name: str, size: int) -> Violation | None:
        """A violation when ``size`` more bytes would pass the limit."""
        if self.used + size <= self.limits.total_bytes:
            return None
        return Violation(
            name,
            None,
            None,
            Reason.TOO_LARGE,
            f"{size_text(self.used + size)} to read, more than the "
            f"{size_text(self.limits.total_bytes)} an import reads (setting import_max_bytes)",
        )


class RefusedFileError(Exception):
    """A container that cannot be read at all; its violations."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__(violations[0].message if violations else "refused")
        self.violations = violations


def broken(name: str, what: str, exc: Exception) -> Violation:
    """A violation for an archive zipfile cannot read (its text names members, never paths)."""
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    if isinstance(exc, OSError) and not exc.strerror:
        detail = type(exc).__name__
    return Violation(
        name, None, None, Reason.BAD_ARCHIVE, f"not a readable {what} ({detail}); {_SAVE_AGAIN}"
    )


def _ratio(info: zipfile.ZipInfo) -> float:
    return info.file_size / max(info.compress_size, 1)


def check_archive(
    archive: zipfile.ZipFile, name: str, budget: Budget, wanted: Callable[[str], bool]
) -> list[Violation]:
    """Duplicate members, and the declared sizes and ratios of the members to be read."""
    infos = [i for i in archive.infolist() if not i.is_dir()]
    found = [
        Violation(
            name, None, None, Reason.DUPLICATE_MEMBER,
            f"the archive holds {member} {count} times; keep one (which one to read "
            "cannot be told)",
        )
        for member, count in sorted(Counter(i.filename for i in infos).items())
        if count > 1
    ]  # fmt: skip
    read = [i for i in infos if wanted(i.filename)]
    limit = budget.limits.ratio
    for info in read:
        if info.file_size > RATIO_GRACE and _ratio(info) > limit:
            found.append(_bomb(name, info.filename, info.compress_size, info.file_size, limit))
    declared = budget.too_much(name, sum(i.file_size for i in read))
    return found if declared is None else [*found, declared]


def _bomb(name: str, member: str, packed: int, size: int, limit: int) -> Violation:
    return Violation(
        name,
        None,
        None,
        Reason.TOO_LARGE,
        f"{member} inflates {size / max(packed, 1):,.0f} times ({size_text(packed)} to "
        f"{size_text(size)}), more than the {limit:,} times of real data: a zip bomb is "
        "refused (setting import_max_ratio)",
    )


def read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, budget: Budget
) -> bytes:
    """One member, inflated a chunk at a time within the budget and the ratio; RefusedFileError."""
    out = io.BytesIO()
    read = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                read += len(chunk)
                over = budget.too_much(name, read)
                if (
                    over is None
                    and read > RATIO_GRACE
                    and read > budget.limits.ratio * max(info.compress_size, 1)
                ):
                    over = _bomb(name, info.filename, info.compress_size, read, budget.limits.ratio)
                if over is not None:
                    raise RefusedFileError([over])
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as exc:
        raise RefusedFileError([broken(name, ".zip archive", exc)]) from None
    except MemoryError:
        raise RefusedFileError(
            [
                Violation(
                    name, None, None, Reason.TOO_LARGE,
                    f"not enough memory to inflate {info.filename} ({size_text(info.file_size)}); "
                    "lower the setting import_max_bytes or split the file",
                )
            ]
        ) from None  # fmt: skip
    budget.used += read
    return out.getvalue()


def gunzip(data: bytes, name: str, limits: ImportLimits = DEFAULT_LIMITS) -> bytes:
    """A gzip file's content (all its members), inflated a MB at a time within the limits;
    RefusedFileError past them, zlib.error or EOFError when it is broken."""
    budget, out = Budget(limits), io.BytesIO()
    inflater, pending = zlib.decompressobj(wbits=31), data
    while pending:
        chunk = inflater.decompress(pending, CHUNK)
        pending = inflater.unconsumed_tail
        if inflater.eof and not pending:  # the next member of a multi-member file
            pending = inflater.unused_data
            inflater = zlib.decompressobj(wbits=31) if pending else inflater
        size = out.tell() + len(chunk)
        over = budget.too_much(name, size)
        if over is None and size > RATIO_GRACE and size > limits.ratio * max(len(data), 1):
            over = _bomb(name, "the file", len(data), size, limits.ratio)
        if over is not None:
            raise RefusedFileError([over])
        out.write(chunk)
    out.write(inflater.flush())
    if not inflater.eof:
        raise EOFError("the compressed data end before the end of their stream")
    return out.getvalue()


def read_file(path: Path, budget: Budget) -> bytes:
    """A folder's file, refused by its size before it is read; RefusedFileError, OSError."""
    over = budget.too_much(path.name, path.stat().st_size)
    if over is not None:
        raise RefusedFileError([over])
    data = path.read_bytes()
    budget.used += len(data)
    over = budget.too_much(path.name, 0)
    if over is not None:  # it grew while it was read
        raise RefusedFileError([over])
    return data


def open_archive(path: Path, name: str, what: str) -> zipfile.ZipFile:
    """The archive at ``path``; RefusedFileError when it is not one (truncated, not a zip)."""
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise RefusedFileError([broken(name, what, exc)]) from None
