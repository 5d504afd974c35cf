"""Bot challenges and blocks as CDNs and sites really send them.

Cloudflare's managed challenge (with and without the `cf-mitigated`
header), Akamai's "Access Denied" page, LinkedIn's status 999, and a
negative case: a real article that only loads Cloudflare's e-mail
obfuscation script, which must not be taken for a challenge. The same
challenge page with a script of its own serves scripted.py's /js/ challenges.
"""

from __future__ import annotations

import functools

from pipeline.sim.answers import Handler, Request, Response, html_ok
from pipeline.sim.content import HTML_UTF8
from pipeline.sim.site import CHARITY, Page, article, inline_script, page_text, render, script
from pipeline.sim.texts import TRAVEL, TRAVEL_CONTACT, TRAVEL_TITLE

CF_RAY = "8a1b2c3d4e5f6789"
CF_CHALLENGE_SCRIPT = "/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"
CF_EMAIL_SCRIPT = "/cdn-cgi/scripts/5c5dd728/cloudflare-static/email-decode.min.js"
SUPPORT_EMAIL = "support@example.org"

_CF_INTERSTITIAL = f"""\
<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>\
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">\
<meta http-equiv="X-UA-Compatible" content="IE=Edge">\
<meta name="robots" content="noindex,nofollow">\
<meta name="viewport" content="width=device-width,initial-scale=1">\
<style>*{{box-sizing:border-box;margin:0;padding:0}}html{{line-height:1.15}}</style>\
</head><body><div class="main-wrapper" role="main"><div class="main-content">\
<h1 class="zone-name-title h1">www.example.org</h1>\
<h2 class="h2" id="challenge-running">Verifying you are human. \
This may take a few seconds.</h2>\
<noscript><div class="h2"><span id="challenge-error-text">\
Enable JavaScript and cookies to continue</span></div></noscript>\
<div id="challenge-body-text" class="core-msg spacer">www.example.org needs to review \
the security of your connection before proceeding.</div></div></div>\
<script>(function(){{window._cf_chl_opt={{cvId: '3',cZone: "www.example.org",\
cType: 'managed',cRay: '{CF_RAY}',cH: 'x1y2z3',cUPMDTk: "/challenge-200?__cf_chl_tk=abc",\
cFPWv: 'b',cITimeS: '1700000000'}};var cpo = document.createElement('script');\
cpo.src = '{CF_CHALLENGE_SCRIPT}?ray={CF_RAY}';\
window._cf_chl_opt.cOgUHash = location.hash;\
document.getElementsByTagName('head')[0].appendChild(cpo);}}());</script>\
<div class="footer" role="contentinfo"><div class="footer-inner">\
<div class="text-center" id="footer-text">Performance &amp; security by \
<a rel="noopener noreferrer" href="https://www.cloudflare.com" target="_blank">\
Cloudflare</a></div></div></div></body></html>"""

_CF_EDGE_HEADERS = (
    ("Server", "cloudflare"),
    ("CF-RAY", f"{CF_RAY}-AMS"),
    ("Cache-Control", "private, max-age=0, no-store, no-cache, must-revalidate"),
)
_CF_HEADERS = (("Content-Type", "text/html; charset=UTF-8"), *_CF_EDGE_HEADERS)

CHALLENGE_200 = Response(200, _CF_HEADERS, _CF_INTERSTITIAL.encode("utf-8"))
"""A managed challenge answered 200 and without cf-mitigated, as some setups do."""

CHALLENGE_503 = Response(
    503, (*_CF_HEADERS, ("cf-mitigated", "challenge")), _CF_INTERSTITIAL.encode("utf-8")
)


def scripted_challenge(code: str) -> Response:
    """The managed challenge, 403 with cf-mitigated, whose page also runs `code`
    (inline JavaScript) after Cloudflare's own loader: see scripted.py."""
    body = _CF_INTERSTITIAL.replace("</body>", f"{inline_script(code)}</body>")
    headers = (("Content-Type", HTML_UTF8), *_CF_EDGE_HEADERS, ("cf-mitigated", "challenge"))
    return Response(403, headers, body.encode("utf-8"))


_AKAMAI_REFERENCE = "18.6f4c1402.1700000000.1a2b3c4d"
_AKAMAI_BODY = f"""\
<HTML><HEAD>
<TITLE>Access Denied</TITLE>
</HEAD><BODY>
<H1>Access Denied</H1>

You don't have permission to access "http://www.example.org/" on this server.<P>
Reference #{_AKAMAI_REFERENCE}
<P>https://errors.edgesuite.net/{_AKAMAI_REFERENCE}</P>
</BODY>
</HTML>
"""

AKAMAI_DENIED = Response(
    403,
    (
        ("Content-Type", "text/html"),
        ("Server", "AkamaiGHost"),
        ("Mime-Version", "1.0"),
        ("Expires", "Tue, 14 Nov 2023 22:13:20 GMT"),
    ),
    _AKAMAI_BODY.encode("ascii"),
)

STATUS_999 = Response(
    999,
    (("Content-Type", "text/html"),),
    b"<html><head></head><body></body></html>\n",
    reason="Request denied",
)
"""LinkedIn's answer to clients it takes for bots: a status outside HTTP's range."""


def cf_email_code(address: str, key: int = 0x5A) -> str:
    """Cloudflare's obfuscated form of an address: the key byte, then each byte XOR key."""
    return f"{key:02x}" + "".join(f"{byte ^ key:02x}" for byte in address.encode("ascii"))


def _protected_email(address: str) -> str:
    """The markup Cloudflare's e-mail obfuscation puts in place of a mailto link."""
    code = cf_email_code(address)
    return (
        f'<a href="/cdn-cgi/l/email-protection#{code}"><span class="__cf_email__" '
        f'data-cfemail="{code}">[email&#160;protected]</span></a>'
    )


@functools.cache
def cloudflare_email_page() -> bytes:
    """A real article behind Cloudflare that only loads the e-mail decoding script."""
    contact = page_text(TRAVEL_CONTACT).replace("{email}", _protected_email(SUPPORT_EMAIL))
    page = Page(
        f"{TRAVEL_TITLE} | {CHARITY.name}",
        f"{article(*TRAVEL)}\n<p>{contact}</p>",
        h1=TRAVEL_TITLE,
        tail=script(CF_EMAIL_SCRIPT, ' data-cfasync="false"'),
    )
    return render(page)


def _cloudflare_email(_: Request) -> Response:
    """/cloudflare-email: the article, 200, with Cloudflare's usual headers."""
    return html_ok(cloudflare_email_page(), ("Server", "cloudflare"), ("CF-RAY", f"{CF_RAY}-AMS"))


def challenge_routes() -> dict[str, Handler]:
    """The bot-challenge routes by path."""
    return {
        "/challenge-200": lambda _: CHALLENGE_200,
        "/challenge-503": lambda _: CHALLENGE_503,
        "/akamai-denied": lambda _: AKAMAI_DENIED,
        "/status-999": lambda _: STATUS_999,
        "/cloudflare-email": _cloudflare_email,
    }
