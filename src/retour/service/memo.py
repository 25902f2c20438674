"""A bounded, thread-safe memory of computed answers (least recently used goes first).

The services keep fitted models in one (the web's pages run in threads), and the web keeps
its answers in one. A key is computed once at a time: a second caller of the same key
waits for the first and takes its answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class AnswerCache:
    """A bounded LRU of computed answers; one computation per key at a time."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer kept under ``key``, else ``compute()`` (kept for the next caller)."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                found: T = self._data[key]
                return found
            lock = self._computing.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                if key in self._data:
                    again: T = self._data[key]
                    return again
            value = compute()
            with self._lock:
                self._data[key] = value
                while len(self._data) > self._size:
                    self._data.popitem(last=False)
                self._computing.pop(key, None)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
