"""Named toggles that switch a route between versions, e.g. across "nights".

One process can play several nightly checks: a test sets a variant between
two checks and the same URL answers differently (a cookie wall goes up, a
page's text drifts). Handler threads read while a test writes, so every
access takes a lock.
"""

from __future__ import annotations

import threading

VARIANTS: dict[str, tuple[str, ...]] = {
    "cookie-wall": ("open", "walled"),  # /cookie-page
    "drift": ("a", "b"),  # /drift-page
}
"""Each variant's allowed values; the first is the default."""


class Variants:
    """The current value of every variant, safe to read and set from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values = {name: values[0] for name, values in VARIANTS.items()}

    def set(self, name: str, value: str) -> None:
        """Switch `name` to `value`; ValueError for an unknown name or value."""
        allowed = VARIANTS.get(name)
        if allowed is None:
            raise ValueError(f"unknown variant {name!r}; known: {', '.join(VARIANTS)}")
        if value not in allowed:
            raise ValueError(f"variant {name!r} takes {', '.join(allowed)}, not {value!r}")
        with self._lock:
            self._values[name] = value

    def get(self, name: str) -> str:
        """The current value of `name` (KeyError for an unknown name)."""
        with self._lock:
            return self._values[name]
