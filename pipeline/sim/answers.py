"""The values the simulated hub's routes trade in: `Request` and `Response`.

Kept apart from routes.py so that every route module (routes, walls,
video) can build answers without importing the router that combines them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus

from pipeline.sim.content import HTML_UTF8, status_page

Writer = Callable[[bytes], object]
"""Sends bytes to the client; raises OSError once the client has gone."""

Streamer = Callable[[Writer, threading.Event], None]
"""Writes a streamed body until done, or until the event (server stopping) is set."""


@dataclass(frozen=True)
class Request:
    """What the router needs of a request. Header names are lower-case."""

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] | None = None

    def header(self, name: str) -> str | None:
        """The value of a header by lower-case name, or None."""
        return (self.headers or {}).get(name)

    def has_cookie(self, cookie: str) -> bool:
        """Whether the Cookie header carries `cookie` ("name=value") exactly."""
        sent = (self.header("cookie") or "").split(";")
        return cookie in (pair.strip() for pair in sent)


@dataclass(frozen=True)
class Response:
    """One answer. A streamed answer has `stream` and no Content-Length
    unless `declared_length` says what to (falsely) announce. `reason`
    overrides the status line's reason phrase (e.g. LinkedIn's
    "999 Request denied"); None means the standard phrase."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    stream: Streamer | None = None
    declared_length: int | None = None
    reason: str | None = None


Handler = Callable[[Request], Response]
"""Answers the requests for one fixed path."""


def phrase(status: int) -> str:
    """The reason phrase of a status, or 'Status' for codes http.HTTPStatus lacks."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Status"


def status_response(status: int, *headers: tuple[str, str]) -> Response:
    """A status with a small HTML body explaining it."""
    return Response(
        status, (("Content-Type", HTML_UTF8), *headers), status_page(status, phrase(status))
    )


def redirect(status: int, location: str) -> Response:
    """A redirect to `location` (relative or absolute, sent as given)."""
    return status_response(status, ("Location", location))


def html_ok(body: bytes, *headers: tuple[str, str]) -> Response:
    """A 200 answer carrying a complete UTF-8 HTML document."""
    return Response(200, (("Content-Type", HTML_UTF8), *headers), body)


def text_answer(status: int, text: str, content_type: str = HTML_UTF8) -> Response:
    """A bare-text answer, as API endpoints send ("Not Found", "Bad Request")."""
    return Response(status, (("Content-Type", content_type),), text.encode("utf-8"))
