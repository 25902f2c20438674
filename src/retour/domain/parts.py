"""An object taken apart into plain data: JSON values, numpy arrays and Polars frames.

What a fitted model becomes to be kept in a file without pickle: the analysis takes its
results apart and puts them back together (``to_parts``/``from_parts``), the store writes
and reads the parts, and neither knows the other. Reading checks every name, type and
dtype and says what is wrong with a :class:`PartsError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import polars as pl
from numpy.typing import NDArray

#: A value JSON can hold.
Json = None | bool | int | float | str | list["Json"] | dict[str, "Json"]
T = TypeVar("T")


class PartsError(ValueError):
    """The parts do not make the object they are read as (missing, wrong type or shape)."""


@dataclass(frozen=True, slots=True)
class Parts:
    """``meta``: JSON values; ``arrays``: numeric numpy arrays; ``frames``: Polars frames.

    Names are plain words joined by dots (``departure.beta``): they become file names.
    """

    meta: dict[str, Json] = field(default_factory=dict)
    arrays: dict[str, NDArray[Any]] = field(default_factory=dict)
    frames: dict[str, pl.DataFrame] = field(default_factory=dict)

    def prefixed(self, prefix: str) -> Parts:
        """The same parts, each array and frame named ``prefix.name``, meta under ``prefix``."""
        return Parts(
            {prefix: self.meta},
            {f"{prefix}.{k}": v for k, v in self.arrays.items()},
            {f"{prefix}.{k}": v for k, v in self.frames.items()},
        )

    def within(self, prefix: str) -> Parts:
        """The parts that :meth:`prefixed` put under ``prefix``, with their own names."""
        start = f"{prefix}."
        return Parts(
            self.value(prefix, dict),
            {k.removeprefix(start): v for k, v in self.arrays.items() if k.startswith(start)},
            {k.removeprefix(start): v for k, v in self.frames.items() if k.startswith(start)},
        )

    def merged(self, *others: Parts) -> Parts:
        meta, arrays, frames = dict(self.meta), dict(self.arrays), dict(self.frames)
        for other in others:
            meta.update(other.meta)
            arrays.update(other.arrays)
            frames.update(other.frames)
        return Parts(meta, arrays, frames)

    def value(self, name: str, kind: type[T]) -> T:
        """The meta value ``name``, which must be a ``kind`` (an int is no bool, nor a float)."""
        if name not in self.meta:
            raise PartsError(f"missing value {name!r}")
        value = self.meta[name]
        if kind is float and type(value) is int:
            value = float(value)
        if type(value) is not kind:
            raise PartsError(f"value {name!r} is not a {kind.__name__}")
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        """The meta value ``name``, which must be a list of strings."""
        values = self.value(name, list)
        if not all(type(v) is str for v in values):
            raise PartsError(f"value {name!r} is not a list of strings")
        return tuple(values)

    def counts(self, name: str) -> tuple[int, ...]:
        """The meta value ``name``, which must be a list of whole numbers, none negative."""
        values = self.value(name, list)
        if not all(type(v) is int and v >= 0 for v in values):
            raise PartsError(f"value {name!r} is not a list of counts")
        return tuple(values)

    def day(self, name: str) -> dt.date:
        """The meta value ``name``, which must be a date as YYYY-MM-DD."""
        text = self.value(name, str)
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise PartsError(f"value {name!r} is not a date") from exc

    def array(self, name: str, dtype: type[np.generic], ndim: int) -> NDArray[Any]:
        """The array ``name``, which must have this dtype and number of dimensions."""
        if name not in self.arrays:
            raise PartsError(f"missing array {name!r}")
        array = self.arrays[name]
        if array.dtype != np.dtype(dtype) or array.ndim != ndim:
            raise PartsError(f"array {name!r} is not {ndim}-dimensional {np.dtype(dtype)}")
        return array

    def frame(self, name: str) -> pl.DataFrame:
        if name not in self.frames:
            raise PartsError(f"missing frame {name!r}")
        return self.frames[name]
