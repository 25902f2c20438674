"""Where published figures come from: stated with every output, in every format."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a publication's figures come from, stated with every output.

    Attributes:
        extracted_on: the newest extraction date of the imported data; statuses are as of it.
        fingerprint: a short digest identifying the imported data (see the service).
        simulated: the database holds simulated data: every output must say so.
        source: the source(s) named by the imports.
        imports: how many imports the database has seen.
    """

    extracted_on: dt.date | None
    fingerprint: str | None
    simulated: bool
    source: str | None = None
    imports: int = 0
