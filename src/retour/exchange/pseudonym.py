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


def pseudonymise(secret: bytes, values: pl.Series) -> pl.Series:
    """Pseudonyms for a column of alien numbers (nulls stay null).

    HMAC has no vectorised form; the loop runs once per distinct value, over a keyed
    hash object whose key schedule is computed only once.
    """
    base = hmac.new(secret, digestmod=hashlib.sha256)
    distinct = values.drop_nulls().unique()

    def one(value: str) -> str:
        mac = base.copy()
        mac.update(normalise(value).encode("utf-8"))
        return PREFIX + mac.hexdigest()[:HEX_DIGITS]

    mapping = pl.DataFrame(
        {"v": distinct, "p": pl.Series([one(v) for v in distinct], dtype=pl.String)},
        schema={"v": pl.String, "p": pl.String},
    )
    out = values.to_frame("v").join(mapping, on="v", how="left", maintain_order="left")
    return out.get_column("p").alias(values.name)


#: What a key's fingerprint is the HMAC of: a fixed label, so it tells keys apart and gives
#: nothing away about any alien number (the key itself is never stored).
FINGERPRINT_LABEL = b"retour pseudonym key fingerprint v1"


def key_fingerprint(secret: bytes) -> str:
    """The fingerprint a database records of the key its pseudonyms were made with."""
    return hmac.new(secret, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()
