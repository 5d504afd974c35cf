"""Content-Type header values, read by the standard library's email parser.

The one place a Content-Type value is taken apart, so that the fetcher's
`FetchResult`, the checker and the extractors agree on what a header says.
It imports nothing from pipeline, so every module may use it without cycles.
"""

from __future__ import annotations

import functools
from email.message import Message
from email.utils import collapse_rfc2231_value
from typing import NamedTuple


class ContentType(NamedTuple):
    """A Content-Type value split into its media type and charset parameter."""

    media_type: str  # lower-cased, no parameters; "" when the header is absent or blank
    charset: str | None  # as sent, unquoted; None when absent or empty


# Servers send few distinct values, and the email parser costs ~11 us a call
# (several calls per URL): the answers are kept, 512 at most (a fetched value
# is cut to 8 KB, so under 5 MB even when every server sends a new one).
@functools.lru_cache(maxsize=512)
def parse_content_type(value: str) -> ContentType:
    """Split a Content-Type header value ('' when absent) into its parts.

    `email.message.Message` does the parsing (quoting, RFC 2231 parameters).
    Its `get_content_type()` is not used: it answers "text/plain" for an
    absent or malformed type, where callers need "" and the type as sent.
    """
    message = Message()
    message["content-type"] = value
    params = message.get_params() or [("", "")]
    raw_charset = message.get_param("charset")
    charset = None
    if raw_charset is not None:
        # Some servers quote with single quotes, which email leaves in place.
        charset = collapse_rfc2231_value(raw_charset).strip().strip("\"'") or None
    return ContentType(media_type=params[0][0].strip().lower(), charset=charset)
