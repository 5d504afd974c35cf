"""The simulated hub's URL space: which path answers what.

The router turns a parsed request into a plain `Response` value; the HTTP
plumbing lives in server.py. Static content comes from content.py; this
module adds the failure cases (statuses, walls, redirects, slow and huge
answers) and the little state some of them need (the flaky counters).
walls.py adds soft 404s, parked domains, login, pay, registration and
cookie walls, content drift and bot challenges; video.py adds the watch
pages and oEmbed endpoints of a video platform; bombs.py adds /gzip-bomb
(1 GiB of zeros gzipped to ~1 MB); scripted.py adds the /js/ pages whose
scripts change them in a browser.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs

from pipeline.sim.answers import (
    Request,
    Response,
    Streamer,
    Writer,
    redirect,
    status_response,
)
from pipeline.sim.bombs import gzip_bomb
from pipeline.sim.content import (
    HTML_UTF8,
    OVERSIZED_DECLARED_LENGTH,
    Document,
    documents,
    html_page,
    oversized_chunks,
    paragraphs,
    trickle_bytes,
)
from pipeline.sim.hubpage import hub_page_routes
from pipeline.sim.scripted import scripted_routes
from pipeline.sim.variants import Variants
from pipeline.sim.video import VIDEO_PATTERNS, video_routes
from pipeline.sim.walls import WALL_PATTERNS, WALL_REDIRECTS, wall_routes

TRICKLE_INTERVAL = 0.2

__all__ = [
    "CHALLENGE",
    "Request",
    "Response",
    "Router",
    "Streamer",
    "Writer",
    "document_response",
    "html_response",
    "redirect",
    "status_response",
]


def html_response(title: str, text: str) -> Response:
    """A 200 UTF-8 HTML page with one paragraph."""
    return Response(
        200, (("Content-Type", HTML_UTF8),), html_page(title, paragraphs(text)).encode()
    )


def document_response(doc: Document, request: Request) -> Response:
    """Serve a static document, answering 304 to a matching conditional request."""
    if not doc.last_modified:
        return Response(200, (("Content-Type", doc.content_type),), doc.body)
    validators = (("ETag", doc.etag), ("Last-Modified", doc.last_modified))
    if _not_modified(doc, request):
        return Response(304, validators)
    return Response(200, (("Content-Type", doc.content_type), *validators), doc.body)


def _not_modified(doc: Document, request: Request) -> bool:
    """RFC 9110 precedence: If-None-Match decides if present, else If-Modified-Since."""
    tags = request.header("if-none-match")
    if tags is not None:
        offered = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
        return "*" in offered or doc.etag in offered
    since = request.header("if-modified-since")
    if since is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when >= parsedate_to_datetime(doc.last_modified)


_CHALLENGE_BODY = (
    b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
    b'<meta http-equiv="refresh" content="390"></head><body>'
    b'<div class="main-wrapper"><h1>Checking your browser before accessing the site.</h1>'
    b'<div id="challenge-running">Verifying you are human. This may take a few seconds.</div>'
    b"<noscript>Enable JavaScript and cookies to continue</noscript></div>"
    b"</body></html>"
)

CHALLENGE = Response(
    403,
    (
        ("Content-Type", "text/html; charset=UTF-8"),
        ("Server", "cloudflare"),
        ("cf-mitigated", "challenge"),
        ("Cache-Control", "private, max-age=0, no-store, no-cache, must-revalidate"),
    ),
    _CHALLENGE_BODY,
)

_REDIRECTS = {
    "/moved-permanently": (301, "/mayo/car-t-program"),
    "/moved-to-guide": (301, "/attc/car-t-clinical-journey-guide.pdf"),
    "/moved-temporarily": (302, "/gilead/car-t"),
    "/moved-307": (307, "/gilead/car-t"),
    "/loop/a": (302, "/loop/b"),
    "/loop/b": (302, "/loop/a"),
    "/deep/old-guide.html": (302, "/"),  # a deep link sent to the site root: a soft 404
    "/deep/moved-home": (301, "/"),
    **WALL_REDIRECTS,
}


def _stream_oversized(write: Writer, stopping: threading.Event) -> None:
    """Stream the oversized body, giving up as soon as the server stops."""
    for chunk in oversized_chunks():
        if stopping.is_set():
            return
        write(chunk)


def _status(match: re.Match[str]) -> Response:
    """/status/<code>: that status for any code 200..599, else 404."""
    code = int(match.group(1))
    if not 200 <= code <= 599:
        return status_response(404)
    if code in (204, 304):
        return Response(code)
    if code == 401:
        return status_response(401, ("WWW-Authenticate", 'Basic realm="members"'))
    if 300 <= code < 400:
        return redirect(code, "/")
    return status_response(code)


def _chain(match: re.Match[str]) -> Response:
    """/chain/<n>: n redirects in a row before a page, to exercise hop limits."""
    hops = int(match.group(1))
    if hops == 0:
        return html_response("End of the redirect chain", "You followed every redirect.")
    return redirect(302, f"/chain/{hops - 1}")


def _wayback(match: re.Match[str]) -> Response:
    """Like web.archive.org/web/<url>: a redirect to the newest capture, or 404
    for an address never captured (any URL containing "never-archived")."""
    original = match.group(1)
    if "never-archived" in original:
        return status_response(404)
    return redirect(302, f"/web/{WAYBACK_TIMESTAMP}/{original}")


WAYBACK_TIMESTAMP = "20240101123456"

_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], Response]], ...] = (
    (re.compile(r"/status/(\d{3})"), _status),
    (re.compile(r"/web/(https?://.+)"), _wayback),
    (re.compile(r"/chain/(\d{1,4})"), _chain),
    *WALL_PATTERNS,
    *VIDEO_PATTERNS,
)


COOKIE_CHECK = "curate_sim_visit=1"


def _cookie_check(request: Request) -> Response:
    """/cookie-check: a session bootstrap, as many real sites do it: without its
    cookie, 302 to itself setting it; with it, the page."""
    if request.has_cookie(COOKIE_CHECK):
        return html_response("Cookie check passed", "The page behind a session cookie.")
    moved = redirect(302, "/cookie-check")
    cookie = ("Set-Cookie", f"{COOKIE_CHECK}; Path=/; HttpOnly")
    return replace(moved, headers=(*moved.headers, cookie))


class Router:
    """Resolves requests for one hub; holds the state of its stateful routes."""

    def __init__(
        self, base_url: str, trickle_seconds: float, variants: Variants | None = None
    ) -> None:
        self._trickle_seconds = trickle_seconds
        self._flaky_seen: dict[str, int] = {}
        self._lock = threading.Lock()
        self._fixed: dict[str, Callable[[Request], Response]] = {
            "/challenge": lambda _: CHALLENGE,
            "/forbidden": lambda _: status_response(403),
            "/rate-limited": lambda _: status_response(429, ("Retry-After", "1")),
            "/flaky": self._flaky,
            "/slow-trickle": self._trickle,
            "/oversized": lambda _: self._oversized(None),
            "/oversized-declared": lambda _: self._oversized(OVERSIZED_DECLARED_LENGTH),
            "/gzip-bomb": gzip_bomb,
            "/moved-308": lambda _: redirect(308, f"{base_url}/gilead/car-t"),
            "/cookie-check": _cookie_check,
            **wall_routes(variants or Variants()),
            **video_routes(),
            **scripted_routes(),
            **hub_page_routes(),
        }

    def resolve(self, request: Request) -> Response:
        """The answer to `request`: static content, a special route, or 404."""
        doc = documents().get(request.path)
        if doc is not None:
            return document_response(doc, request)
        if request.path in _REDIRECTS:
            return redirect(*_REDIRECTS[request.path])
        fixed = self._fixed.get(request.path)
        if fixed is not None:
            return fixed(request)
        for pattern, handler in _PATTERNS:
            match = pattern.fullmatch(request.path)
            if match:
                return handler(match)
        return status_response(404)

    def _flaky(self, request: Request) -> Response:
        """503 to the first request for each ?key= value, 200 afterwards."""
        key = parse_qs(request.query).get("key", [""])[0]
        with self._lock:
            seen = self._flaky_seen.get(key, 0)
            self._flaky_seen[key] = seen + 1
        if seen == 0:
            return status_response(503)
        return html_response("Flaky but fine", "This page works on the second try.")

    def _trickle(self, _: Request) -> Response:
        """A page sent one byte every TRICKLE_INTERVAL seconds for trickle_seconds."""
        seconds = self._trickle_seconds

        def stream(write: Writer, stopping: threading.Event) -> None:
            deadline = time.monotonic() + seconds
            for byte in trickle_bytes():
                write(byte)
                remaining = deadline - time.monotonic()
                if remaining <= 0 or stopping.wait(min(TRICKLE_INTERVAL, remaining)):
                    return

        return Response(200, (("Content-Type", HTML_UTF8),), stream=stream)

    @staticmethod
    def _oversized(declared_length: int | None) -> Response:
        """A huge PDF streamed in chunks, optionally announcing a (larger) length."""
        headers = (("Content-Type", "application/pdf"),)
        return Response(200, headers, stream=_stream_oversized, declared_length=declared_length)
