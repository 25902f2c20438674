"""Keyed pseudonyms for alien numbers (V-nummers).

A source that only has alien numbers writes a `v_number` column instead of `case_id`.
Each is replaced by HMAC-SHA256 under the configured secret, so the same person gets the
same case_id in every table and every import, and the clear value is never stored.
"""

from __future__ import annotations

import hashlib
import hmac

import polars as pl

#: Pseudonyms look like this prefix followed by 32 hex digits (128 bits of the HMAC).
PREFIX = "p"
HEX_DIGITS = 32


def normalise(v_number: str) -> str:
    """Alien numbers are compared without surrounding white space."""
    return v_number.strip()


def pseudonym(secret: bytes, v_number: str) -> str:
    digest = hmac.new(secret, normalise(v_number).encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:HEX_DIGITS]


class Pseudonymiser:
    """Pseudonyms under one secret for one import: each distinct alien number is hashed
    once, however many tables name it. Keep it no longer than the import (it holds the
    clear numbers it has seen).

    HMAC has no vectorised form; the loop runs once per new distinct value, over a keyed
    hash object whose key schedule is computed only once.
    """

    def __init__(self, secret: bytes) -> None:
        self._base = hmac.new(secret, digestmod=hashlib.sha256)
        self._known = pl.DataFrame(schema={"v": pl.String, "p": pl.String})

    def _one(self, value: str) -> str:
        mac = self._base.copy()
        mac.update(normalise(value).encode("utf-8"))
        return PREFIX + mac.hexdigest()[:HEX_DIGITS]

    def __call__(self, values: pl.Series) -> pl.Series:
        """Pseudonyms for a column of alien numbers (nulls stay null)."""
        distinct = values.drop_nulls().unique()
        new = distinct.filter(~distinct.is_in(self._known.get_column("v").implode()))
        if new.len():
            made = pl.Series([self._one(v) for v in new], dtype=pl.String)
            added = pl.DataFrame({"v": new, "p": made}, schema=self._known.schema)
            self._known = pl.concat([self._known, added], rechunk=True)
        out = values.to_frame("v").join(self._known, on="v", how="left", maintain_order="left")
        return out.get_column("p").alias(values.name)


def pseudonymise(secret: bytes, values: pl.Series) -> pl.Series:
    """Pseudonyms for a column of alien numbers (nulls stay null)."""
    return Pseudonymiser(secret)(values)


#: What a key's fingerprint is the HMAC of: a fixed label, so it tells keys apart and gives
#: nothing away about any alien number (the key itself is never stored).
FINGERPRINT_LABEL = b"retour pseudonym key fingerprint v1"


def key_fingerprint(secret: bytes) -> str:
    """The fingerprint a database records of the key its pseudonyms were made with."""
    return hmac.new(secret, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()
