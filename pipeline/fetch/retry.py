"""When to try a URL again, and how long to wait first.

Small and separate from the fetching itself (as in lychee): a policy looks
at one attempt's result and answers "stop" (None) or "wait this long".
Only transient failures are retried: timeouts, 5xx, 408 and 429. A refused
connection or an unknown host is an answer, not a hiccup.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.models import FetchError, FetchResult

TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
TRANSIENT_ERRORS = frozenset({FetchError.TIMEOUT, FetchError.CONNECTION})


def is_transient(result: FetchResult) -> bool:
    """True when trying again later may give a different answer."""
    if result.error is not None:
        return result.error in TRANSIENT_ERRORS
    status = result.status or 0
    return status in TRANSIENT_STATUSES or 500 <= status <= 599


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter; a server's Retry-After wins, up to a cap."""

    retries: int = 2
    backoff_base: float = 1.0
    max_retry_after: float = 60.0
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def delay(self, result: FetchResult, attempt: int, now: float | None = None) -> float | None:
        """Seconds to wait before attempt+1, or None to stop here."""
        if attempt > self.retries or not is_transient(result):
            return None
        retry_after = parse_retry_after(result.header("retry-after"), now)
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        backoff = self.backoff_base * 2 ** (attempt - 1)
        return backoff * (0.5 + self.jitter() / 2)


def parse_retry_after(value: str, now: float | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP-date (RFC 9110)."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if now is None:
        return None  # a date needs a wall clock to compare with
    return max(0.0, when.timestamp() - now)
