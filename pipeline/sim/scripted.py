"""Pages that only a browser sees as they are: their scripts change them.

curate's HTTP check reads the bytes a server sends. A page whose script
clears a bot challenge, writes the article or a sign-in form, or loads
other addresses looks different once a browser has run it; these routes are
what curate's second opinion from a real browser (headless Chromium) is
tested against. Sent as they are, they are judged as the HTTP check sees
them: the challenges blocked + bot-challenge, the shells almost empty.

    /js/challenge          403 Cloudflare challenge; its script sets the cookie
                           curate_sim_cleared=1 after CLEAR_DELAY_MS and reloads;
                           with that cookie, 200 and the article
    /js/challenge-forever  403 challenge whose script only counts seconds
    /js/written            200 shell (an empty #app); its script writes an article
    /js/login-wall         200 shell; its script writes a sign-in form
    /js/beacon?to=URL      200 article that loads URL: a static <img>, an <img>
                           its script adds, and fetch(); 400 without `to`
"""

from __future__ import annotations

import functools
from urllib.parse import parse_qs

from pipeline.sim.answers import Handler, Request, Response, html_ok, status_response
from pipeline.sim.challenges import scripted_challenge
from pipeline.sim.site import (
    RESET_LINK,
    Page,
    article,
    attr,
    credentials,
    form,
    inline_script,
    js_string,
    page_text,
    render,
)
from pipeline.sim.texts import (
    AFTERCARE,
    AFTERCARE_HEADING,
    BEACON,
    BEACON_TITLE,
    CLEARED,
    CLEARED_TITLE,
)

CLEARED_COOKIE = "curate_sim_cleared=1"
CLEAR_DELAY_MS = 300
WRITTEN_TITLE = "Written by a script: CAR-T aftercare"
LOGIN_WALL_TITLE = "Sign in to continue"
SHELL_TITLE = "Loading\u2026"

# Sets the cookie, then reloads only if it stuck: no reload loop without cookies.
_CLEAR_SCRIPT = f"""\
setTimeout(function () {{
  document.cookie = "{CLEARED_COOKIE}; path=/";
  if (document.cookie.indexOf("{CLEARED_COOKIE}") !== -1) location.reload();
}}, {CLEAR_DELAY_MS});"""

_FOREVER_SCRIPT = """\
var seconds = 0;
setInterval(function () {
  seconds += 1;
  document.getElementById("challenge-running").textContent =
    "Checking your browser... " + seconds + " s";
}, 1000);"""


@functools.cache
def cleared_page() -> bytes:
    """The article behind /js/challenge, once its script has set the cookie."""
    return render(Page(CLEARED_TITLE, article(*CLEARED)))


def shell(code: str) -> bytes:
    """An app shell: a "Loading…" title, an empty #app, and the script that fills it."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{SHELL_TITLE}</title>\n</head>\n<body>\n"
        f'<div id="app"></div>\n{inline_script(code)}</body>\n</html>\n'
    ).encode()


def write_app(title: str, markup: str) -> str:
    """JavaScript that sets the document's title and writes `markup` into #app."""
    return (
        f"document.title = {js_string(title)};\n"
        f'document.getElementById("app").innerHTML = {js_string(markup)};'
    )


def written_markup() -> str:
    """What /js/written's script writes: the aftercare article."""
    return f"<main>\n<h1>{page_text(AFTERCARE_HEADING)}</h1>\n{article(*AFTERCARE)}\n</main>"


def login_wall_markup() -> str:
    """What /js/login-wall's script writes: a sign-in form as the page's content."""
    sign_in = form(
        "/login",
        *credentials(),
        submit="Log in",
        attrs=' class="login-form"',
    )
    return f"<main>\n<h1>{page_text(LOGIN_WALL_TITLE)}</h1>\n{sign_in}\n{RESET_LINK}\n</main>"


def beacon_page(target: str) -> bytes:
    """A short article that loads `target` three ways: markup, script image, fetch."""
    static = f'<img src="{attr(target)}" alt="" width="1" height="1">'
    loader = (
        f"var target = {js_string(target)};\n"
        'fetch(target, {mode: "no-cors"}).catch(function () {});\n'
        'var pixel = document.createElement("img");\n'
        'pixel.src = target;\npixel.alt = "";\ndocument.body.appendChild(pixel);'
    )
    page = Page(BEACON_TITLE, f"{article(*BEACON)}\n{static}", tail=inline_script(loader))
    return render(page)


def _challenge(request: Request) -> Response:
    """/js/challenge: the challenge until its script's cookie comes back, then the article."""
    if request.has_cookie(CLEARED_COOKIE):
        return html_ok(cleared_page())
    return scripted_challenge(_CLEAR_SCRIPT)


def _beacon(request: Request) -> Response:
    """/js/beacon?to=URL: the article loading URL; 400 when `to` is missing or empty."""
    target = parse_qs(request.query).get("to", [""])[0]
    if not target:
        return status_response(400)
    return html_ok(beacon_page(target))


def scripted_routes() -> dict[str, Handler]:
    """The scripted pages by path."""
    written = shell(write_app(WRITTEN_TITLE, written_markup()))
    login_wall = shell(write_app(LOGIN_WALL_TITLE, login_wall_markup()))
    return {
        "/js/challenge": _challenge,
        "/js/challenge-forever": lambda _: scripted_challenge(_FOREVER_SCRIPT),
        "/js/written": lambda _: html_ok(written),
        "/js/login-wall": lambda _: html_ok(login_wall),
        "/js/beacon": _beacon,
    }
