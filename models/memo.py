"""Remember what is derived from parts of a scenario, recognising the parts by identity.

Scenarios are immutable, and a what-if made by :func:`models.overrides.apply_overrides` shares
every untouched part (its project list, its city list, its policy) with the scenario it came from.
So what is derived from those parts alone (approval routes, eligible funding pairs, the model's
structure) need not be derived again: a :class:`Memo` keyed on the parts themselves finds it.

A key is a tuple; its items match when they are the same object (``is``), or, for tuples of plain
values (flags, thresholds), when they are equal. Entries hold their keys, so an object in a key
stays alive and its identity cannot be reused by another.
"""

from __future__ import annotations

import threading
from typing import Callable, TypeVar

T = TypeVar("T")


def _same(a, b) -> bool:
    return a is b or (type(a) is tuple and type(b) is tuple and a == b)


class Memo:
    """The last ``size`` results, most recent first. Safe to share between threads (the service's
    request threads); ``make`` runs outside the lock, so two threads may both make a missing value.

    Keep ``size`` small: an entry keeps its key's parts alive (a national scenario's project list is
    tens of MB), and a what-if needs only its base's entry and its own."""

    def __init__(self, size: int = 2):
        self.size = size
        self.entries: list[tuple[tuple, object]] = []
        self._lock = threading.Lock()

    def get(self, key: tuple, make: Callable[[], T]) -> T:
        with self._lock:
            for i, (k, value) in enumerate(self.entries):
                if len(k) == len(key) and all(map(_same, k, key)):
                    if i:
                        self.entries.insert(0, self.entries.pop(i))
                    return value  # type: ignore[return-value]
        value = make()
        with self._lock:
            self.entries.insert(0, (key, value))
            del self.entries[self.size:]
        return value
