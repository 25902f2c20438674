"""The limits an import keeps to, whatever file it is given (docs/reliability.md).

A value type: the settings (``retour.config``) make one from ``RETOUR_IMPORT_*``, the
service hands it to the readers in ``retour.exchange``, which never read the settings.
Each limit has its default here, so a reader given none still refuses a hostile file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: Defaults of the settings of the same names (``import_max_bytes`` ...).
MAX_BYTES: Final = 2_000_000_000
MAX_RATIO: Final = 100
MAX_FIELD_BYTES: Final = 65_536
MAX_TEXT_CHARS: Final = 2_000
MAX_ROWS: Final = 1_048_576
MAX_COLUMNS: Final = 1_024
MAX_CELLS: Final = 20_000_000
MAX_VIOLATIONS: Final = 100_000


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """How much of a file an import reads before it refuses it.

    - ``total_bytes``: everything read, after decompression (the files of a folder or .zip, or the
      parts of a workbook together), checked from the archive's directory and again while
      inflating, before the bytes are held;
    - ``ratio``: a member of a .zip or workbook that inflates to more than this many times its
      compressed size is a zip bomb (1 MB inflating to 1 GB is 1,000); real CSV files and
      sheets compress 3 to 30 times;
    - ``field_bytes``: one CSV field or workbook cell;
    - ``text_chars``: a text column of the exchange format (an instrument's title, a source,
      a note, an id), on import and when an instrument is added in the web;
    - ``rows``, ``columns``, ``cells``: one sheet, as its workbook declares it and as used;
    - ``violations``: how many violations are kept and listed (all are counted).
    """

    total_bytes: int = MAX_BYTES
    ratio: int = MAX_RATIO
    field_bytes: int = MAX_FIELD_BYTES
    text_chars: int = MAX_TEXT_CHARS
    rows: int = MAX_ROWS
    columns: int = MAX_COLUMNS
    cells: int = MAX_CELLS
    violations: int = MAX_VIOLATIONS


#: The defaults, for readers that are given no limits.
DEFAULT_LIMITS: Final = ImportLimits()
