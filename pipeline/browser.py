"""A second opinion from headless Chromium, for what an automated check cannot see.

The only module that imports Playwright. Each page is opened as on a patient's
first visit: a fresh browser context (no stored cookies or storage), the
browser's own User-Agent with curate's product token after it, service
workers blocked (so that every request passes through the route below).

The address guard applies to every request the page makes, the page itself
included: each URL is resolved and refused (the request is aborted, never
sent) when any address is loopback, private, link-local or metadata, unless
`allow_private_networks`. WebSockets go through the same check. What this
cannot stop: Chromium resolves names itself, so a name that resolves to a
public address for curate's check and to a private one for Chromium (DNS
rebinding) is the one case the HTTP path's socket-level check catches and
this one does not.

A page is done when its scripts have settled: after the load event, curate
waits for the network to fall quiet, then, while `still_waiting(html)` says
the page is still a challenge, looks again every quarter of a second until
the page's timeout. Failures (a crash, a hang, a download instead of a page)
come back as BrowserFailure, never as an exception.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Browser, Error, Page, Playwright, Request, Route, sync_playwright

from pipeline.config import BrowserConfig, FetchConfig
from pipeline.fetch.client import user_agent
from pipeline.fetch.guard import AddressPolicy, AddressRefused, check_url
from pipeline.models import BrowserFailure, Rendered

# As the project's probe and tests start Debian's Chromium: as root, without a
# GPU, and without the background traffic a closed network refuses.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic")
UNGUARDED_SCHEMES = ("data:", "blob:", "about:")  # no network behind them
LOOK_AGAIN = 0.25  # seconds between two looks at a page that is still a challenge
QUIET = 2.0  # longest wait for the network to fall quiet after the load event
MAX_HTML = 5_000_000  # characters of rendered markup kept for judging
MAX_REFUSED = 20  # refused request URLs kept as evidence


@dataclass
class _Visit:
    """One page being rendered: its main document's last answer, what was refused."""

    status: int | None = None
    content_type: str = ""
    refused: list[str] = field(default_factory=list)


class BrowserSession:
    """Headless Chromium for one run; open with `with BrowserSession(...) as session`."""

    def __init__(self, config: BrowserConfig, fetch: FetchConfig,
                 policy: AddressPolicy | None = None) -> None:
        self.config = config
        self.fetch = fetch
        self.policy = policy or AddressPolicy(fetch.allow_private_networks)
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._agent = ""

    def __enter__(self) -> BrowserSession:
        self._playwright = sync_playwright().start()
        return self

    def __exit__(self, *_: object) -> None:
        self._close_browser()
        if self._playwright is not None:
            with contextlib.suppress(Error):
                self._playwright.stop()

    def render(self, url: str, still_waiting: Callable[[str], bool]) -> Rendered | BrowserFailure:
        """Open url in a fresh context and return what it shows once settled."""
        started = time.monotonic()
        try:
            browser = self._running_browser()
            context = browser.new_context(user_agent=self._agent, service_workers="block")
        except Error as exc:
            self._close_browser()  # launched again for the next page
            return BrowserFailure(url, f"Chromium did not start: {_first_line(exc)}")
        try:
            return self._visit(context.new_page(), url, still_waiting, started)
        except Error as exc:
            return BrowserFailure(url, _failure_detail(exc))
        finally:
            with contextlib.suppress(Error):
                context.close()

    def _running_browser(self) -> Browser:
        if self._browser is None or not self._browser.is_connected():
            assert self._playwright is not None, "use BrowserSession as a context manager"
            proxy = {"server": self.fetch.proxy} if self.fetch.proxy else None
            self._browser = self._playwright.chromium.launch(
                executable_path=self.config.executable, args=list(CHROMIUM_ARGS),
                proxy=proxy,  # type: ignore[arg-type]
                timeout=self.config.timeout * 1000)
            self._agent = f"{_own_agent(self._browser)} {user_agent(self.fetch.contact)}"
        return self._browser

    def _close_browser(self) -> None:
        if self._browser is not None:
            with contextlib.suppress(Error):
                self._browser.close()
        self._browser = None

    def _visit(self, page: Page, url: str, still_waiting: Callable[[str], bool],
               started: float) -> Rendered:
        visit = _Visit()
        page.context.route("**/*", lambda route: self._guard(route, visit))
        page.context.route_web_socket("**/*", lambda ws: self._guard_socket(ws, visit))
        page.on("response", lambda response: _note_document(page, response, visit))
        deadline = started + self.config.timeout
        page.goto(url, wait_until="load", timeout=self.config.timeout * 1000)
        with contextlib.suppress(Error):
            page.wait_for_load_state("networkidle", timeout=_ms(min(QUIET, _left(deadline))))
        html, waiting = _settled_html(page, still_waiting, deadline)
        return Rendered(url, page.url, visit.status, visit.content_type, html[:MAX_HTML],
                        _title(page), time.monotonic() - started, waiting,
                        tuple(visit.refused[:MAX_REFUSED]))

    def _guard(self, route: Route, visit: _Visit) -> None:
        """Let a request through only to an address curate may contact."""
        request: Request = route.request
        if request.url.startswith(UNGUARDED_SCHEMES) or self._allowed(request.url):
            route.continue_()
            return
        visit.refused.append(request.url[:200])
        route.abort("blockedbyclient")

    def _guard_socket(self, ws: Any, visit: _Visit) -> None:
        if self._allowed(ws.url.replace("ws", "http", 1)):
            ws.connect_to_server()
            return
        visit.refused.append(ws.url[:200])
        ws.close()

    def _allowed(self, url: str) -> bool:
        try:
            check_url(url, self.policy)
        except (AddressRefused, OSError, UnicodeError, ValueError):
            return False
        return True


def _settled_html(page: Page, still_waiting: Callable[[str], bool],
                  deadline: float) -> tuple[str, bool]:
    """The page's markup once it no longer looks like a challenge, or at the
    deadline (then True: still waiting)."""
    html = ""
    for _ in range(int(_left(deadline) / LOOK_AGAIN) + 2):  # bounded by the deadline
        with contextlib.suppress(Error):  # a navigation is under way: look again
            html = page.content()
            if not still_waiting(html):
                return html, False
        if _left(deadline) <= 0:
            break
        page.wait_for_timeout(LOOK_AGAIN * 1000)
    return html, True


def _note_document(page: Page, response: Any, visit: _Visit) -> None:
    """Keep the last answer for the page's main document (after a reload too)."""
    with contextlib.suppress(Error):
        if response.request.is_navigation_request() and response.frame == page.main_frame:
            visit.status = response.status
            visit.content_type = response.headers.get("content-type", "")


def _own_agent(browser: Browser) -> str:
    page = browser.new_page()
    try:
        return str(page.evaluate("navigator.userAgent"))
    finally:
        page.close()


def _title(page: Page) -> str:
    with contextlib.suppress(Error):
        return page.title()
    return ""


def _failure_detail(exc: Error) -> str:
    text = _first_line(exc)
    if "ERR_BLOCKED_BY_CLIENT" in text:
        return "the address guard refused the page's own address (loopback, private or metadata)"
    if "Download is starting" in text:
        return "the browser was sent a download (such as a PDF), not a page"
    if "Timeout" in text:
        return f"the page did not load within the timeout ({text})"
    return f"the browser failed: {text}"


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:200]


def _left(deadline: float) -> float:
    return max(deadline - time.monotonic(), 0.0)


def _ms(seconds: float) -> float:
    return max(seconds, 0.001) * 1000

