"""The exchange format (CONTRACT.md): read, validate, write. Imports only retour.domain."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from retour.domain.dataset import Dataset
from retour.exchange.apply import open_mapped
from retour.exchange.container import Container, open_container
from retour.exchange.mapping import Mapping, MappingError, load_mapping, parse_mapping
from retour.exchange.validate import ExistingData, NoExistingData, validate
from retour.exchange.violations import InvalidDatasetError, Reason, Violation
from retour.exchange.writer import write_dataset

__all__ = [
    "Container",
    "ExistingData",
    "InvalidDatasetError",
    "Mapping",
    "MappingError",
    "NoExistingData",
    "Reason",
    "Violation",
    "load",
    "load_mapped",
    "load_mapping",
    "open_container",
    "open_mapped",
    "parse_mapping",
    "validate",
    "write_dataset",
]


def load(
    path: Path,
    *,
    today: dt.date | None = None,
    secret: bytes | None = None,
    existing: ExistingData | None = None,
) -> Dataset:
    """Read and validate a dataset container; raise InvalidDatasetError listing every violation."""
    container = open_container(path)
    return validate(container, today=today or dt.date.today(), secret=secret, existing=existing)


def load_mapped(
    path: Path,
    mapping: Mapping,
    *,
    today: dt.date | None = None,
    secret: bytes | None = None,
    existing: ExistingData | None = None,
) -> Dataset:
    """Read a source system's own files through a mapping and validate them by the same rules."""
    today = today or dt.date.today()
    container = open_mapped(path, mapping, today=today)
    return validate(container, today=today, secret=secret, existing=existing)
