"""Walls between a reader and the content: login, pay, registration, cookies.

Each wall has a negative twin that carries the same vendor or form but lets
the reader in (a login form in the header of a real article, a free article
with the paywall vendor's script, a webinar whose only form is a newsletter
signup). Two routes change with a variant, as a site does between nights:
/cookie-page ("cookie-wall": open | walled) and /drift-page ("drift": a | b).
This module also gathers the routes of soft404.py and challenges.py, so the
router takes every new route from here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from pipeline.sim.answers import Handler, Request, Response, html_ok
from pipeline.sim.challenges import challenge_routes
from pipeline.sim.site import (
    CHARITY,
    HOSPITAL,
    MYELOMA,
    NEWS,
    RESET_LINK,
    Page,
    Site,
    article,
    attr,
    credentials,
    field,
    form,
    json_ld,
    render,
    script,
)
from pipeline.sim.soft404 import SOFT_404_PATTERNS, parked_page
from pipeline.sim.texts import (
    APHERESIS,
    APHERESIS_TITLE,
    NEWS_FREE,
    NEWS_FREE_TITLE,
    NEWS_PAYWALLED_TEASER,
    NEWS_PAYWALLED_TITLE,
    PARKING,
    RECOVERY,
    RECOVERY_TITLE,
    SIDE_EFFECTS,
    SIDE_EFFECTS_TITLE,
    WEBINAR_ABOUT,
    WEBINAR_TITLE,
)
from pipeline.sim.variants import Variants

SSO_AUTH = "/auth/realms/hospital/protocol/openid-connect/auth"
TINYPASS_SCRIPT = "https://cdn.tinypass.com/api/tinypass.min.js"
HUBSPOT_ACTION = (
    "https://forms.hsforms.com/submissions/v3/public/submit/formsnext/multipart/123/abc"
)
ONETRUST_SCRIPT = "https://cdn.cookielaw.org/scripttemplates/otSDKStub.js"
ON24_ACTION = "https://event.on24.com/eventRegistration/EventLobbyServlet?eventid=4567890&key=ABC"
YOUTUBE_EMBED = "https://www.youtube-nocookie.com/embed/abc123"

WALL_REDIRECTS = {
    "/members/guide": (302, "/login?next=/members/guide"),
    "/sso/guide": (302, f"{SSO_AUTH}?client_id=x"),
}

WALL_PATTERNS = SOFT_404_PATTERNS


# ---- login walls ----------------------------------------------------------


@functools.cache
def login_page() -> bytes:
    """/login: little but a username and password form."""
    main = form(
        "/login",
        *credentials(),
        '<input type="hidden" name="next" value="/members/guide">',
        submit="Sign in",
        attrs=' class="login-form"',
    )
    return render(
        Page("Sign in", f"{main}\n{RESET_LINK}")
    )


@functools.cache
def sso_page() -> bytes:
    """The identity provider's sign-in page (Keycloak-style) an SSO redirect lands on."""
    action = "/auth/realms/hospital/login-actions/authenticate?session_code=abc&client_id=x"
    main = form(action, *credentials(), submit="Sign In", attrs=' id="kc-form-login"')
    site = Site("Example Hospital", (), "Example Hospital single sign-on")
    return render(
        Page("Sign in to Example Hospital", main, site=site, h1="Sign in to your account")
    )


@functools.cache
def password_page() -> bytes:
    """A WordPress post behind a per-post password (no redirect, status 200)."""
    main = (
        '<form action="/wp-login.php?action=postpass" class="post-password-form" method="post">\n'
        "<p>This content is password protected. To view it please enter your password "
        "below:</p>\n"
        '<p><label for="pwbox-123">Password: <input name="post_password" id="pwbox-123" '
        'type="password" spellcheck="false" size="20"></label> '
        '<input type="submit" name="Submit" value="Enter"></p>\n</form>'
    )
    title = "Protected: Caring for someone after CAR-T"
    return render(Page(f"{title} | {CHARITY.name}", main, h1=title))


@functools.cache
def header_login_page() -> bytes:
    """A real article whose site header has a "Log in" link and a small login form."""
    header = '<a class="account" href="/login">Log in</a>\n' + form(
        "/login", *credentials(), submit="Log in", attrs=' class="header-login"'
    )
    page = Page(
        f"{APHERESIS_TITLE} | {CHARITY.name}",
        article(*APHERESIS),
        h1=APHERESIS_TITLE,
        header=header + "\n",
    )
    return render(page)


# ---- paywalls --------------------------------------------------------------


def _news_ld(headline: str, free: bool) -> dict[str, object]:
    """schema.org NewsArticle data; a paywalled one names its hidden part."""
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": headline,
        "datePublished": "2024-05-14T08:00:00+01:00",
        "author": {"@type": "Person", "name": "Sam Example"},
        "isAccessibleForFree": free,
    }
    if not free:
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": ".paywall",
        }
    return data


@functools.cache
def paywalled_page() -> bytes:
    """A news teaser, then "Subscribe to continue reading" (Piano/Tinypass)."""
    main = (
        article(*NEWS_PAYWALLED_TEASER)
        + '\n<div class="paywall">Subscribe to continue reading</div>'
    )
    head = json_ld(_news_ld(NEWS_PAYWALLED_TITLE, free=False)) + script(TINYPASS_SCRIPT)
    page = Page(
        f"{NEWS_PAYWALLED_TITLE} | {NEWS.name}", main, site=NEWS, h1=NEWS_PAYWALLED_TITLE, head=head
    )
    return render(page)


@functools.cache
def free_article_page() -> bytes:
    """A full news article marked free, on a site that loads the paywall vendor."""
    head = json_ld(_news_ld(NEWS_FREE_TITLE, free=True)) + script(TINYPASS_SCRIPT)
    page = Page(
        f"{NEWS_FREE_TITLE} | {NEWS.name}",
        article(*NEWS_FREE),
        site=NEWS,
        h1=NEWS_FREE_TITLE,
        head=head,
    )
    return render(page)


# ---- registration walls ----------------------------------------------------


@functools.cache
def guide_registration_page() -> bytes:
    """Where a PDF guide used to be: a HubSpot form to fill in before downloading."""
    hubspot = form(
        HUBSPOT_ACTION,
        field("First name", "text", "firstname"),
        field("Last name", "text", "lastname"),
        field("Email", "email", "email"),
        submit="Download the guide",
        attrs=' class="hs-form" id="hsForm_abc" enctype="multipart/form-data"',
    )
    intro = article(
        "Fill in the form to download our free guide to CAR T-cell therapy for patients and "
        "carers. We will also email you a copy."
    )
    tail = script("//js.hsforms.net/forms/v2.js") + (
        '<script>hbspt.forms.create({region: "eu1", portalId: "123", formId: "abc"});</script>\n'
    )
    title = "Download our free CAR-T guide"
    return render(Page(f"{title} | {CHARITY.name}", f"{intro}\n{hubspot}", h1=title, tail=tail))


@functools.cache
def webinar_register_page() -> bytes:
    """A recorded webinar shown only after an ON24 registration: no video on the page."""
    on24 = form(
        ON24_ACTION,
        field("First name", "text", "firstname"),
        field("Last name", "text", "lastname"),
        field("Email", "email", "email"),
        field("Organisation", "text", "company", required=False),
        submit="Register",
        attrs=' class="on24-registration-form"',
    )
    intro = article("Register to watch the recording.", *WEBINAR_ABOUT)
    page = Page(
        f"{WEBINAR_TITLE} | Webinar registration",
        f"{intro}\n{on24}",
        site=MYELOMA,
        h1=WEBINAR_TITLE,
    )
    return render(page)


@functools.cache
def webinar_open_page() -> bytes:
    """The same webinar embedded from YouTube, with a newsletter form in the footer."""
    player = (
        f'<iframe width="560" height="315" src="{YOUTUBE_EMBED}" title="{attr(WEBINAR_TITLE)}" '
        'allow="encrypted-media; picture-in-picture" allowfullscreen></iframe>'
    )
    newsletter = form(
        "/newsletter/subscribe",
        field("Your email", "email", "email"),
        submit="Subscribe",
        attrs=' class="newsletter-signup"',
    )
    footer = f"<h2>Sign up to our newsletter</h2>\n{newsletter}\n"
    page = Page(
        f"{WEBINAR_TITLE} | Webinar",
        f"{player}\n{article(*WEBINAR_ABOUT)}",
        site=MYELOMA,
        h1=WEBINAR_TITLE,
        footer=footer,
    )
    return render(page)


# ---- cookie wall and content drift (variants) ------------------------------

_ONETRUST_BANNER = (
    '<div id="onetrust-consent-sdk">\n<div id="onetrust-banner-sdk" class="otFlat" '
    'role="region" aria-label="Cookie banner">\n<div class="ot-sdk-container">\n'
    '<p id="onetrust-policy-text">We use cookies to make our website work and to understand '
    "how you use it. You can accept all cookies or choose which ones to allow.</p>\n"
    '<button id="onetrust-pc-btn-handler">Cookie settings</button>\n'
    '<button id="onetrust-accept-btn-handler">Accept all cookies</button>\n'
    "</div>\n</div>\n"
)
_ONETRUST_WALL = (
    '<div class="onetrust-pc-dark-filter"></div>\n'
    '<div id="onetrust-pc-sdk" class="otPcCenter" role="dialog" aria-modal="true">\n'
    "<h2>We value your privacy \u2014 accept all cookies to continue</h2>\n"
    '<button id="accept-recommended-btn-handler">Accept all cookies</button>\n</div>\n'
)


@functools.cache
def cookie_page(walled: bool) -> bytes:
    """The article with a OneTrust banner; walled, the banner blocks it and the text is gone."""
    banner = _ONETRUST_BANNER + (_ONETRUST_WALL if walled else "") + "</div>\n"
    main = article("Please accept cookies to view this page.") if walled else article(*RECOVERY)
    head = script(ONETRUST_SCRIPT, ' data-domain-script="0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"')
    page = Page(
        f"{RECOVERY_TITLE} | {CHARITY.name}", main, h1=RECOVERY_TITLE, head=head, tail=banner
    )
    return render(page)


@functools.cache
def drift_page(version: str) -> bytes:
    """Same URL and <title>; version a is about side effects, b about parking."""
    heading = "Side effects of CAR-T cell therapy" if version == "a" else "Visiting the hospital"
    text = SIDE_EFFECTS if version == "a" else PARKING
    return render(Page(SIDE_EFFECTS_TITLE, article(*text), site=HOSPITAL, h1=heading))


# ---- the routes --------------------------------------------------------------


def _static(page: Callable[[], bytes]) -> Handler:
    """A handler answering 200 with a cached page."""
    return lambda _: html_ok(page())


def wall_routes(variants: Variants) -> dict[str, Handler]:
    """Every fixed path of the walls, soft 404s and challenges; variants drive two."""

    def cookie(_: Request) -> Response:
        return html_ok(cookie_page(variants.get("cookie-wall") == "walled"))

    def drift(_: Request) -> Response:
        return html_ok(drift_page(variants.get("drift")))

    return {
        "/parked": _static(parked_page),
        "/login": _static(login_page),
        SSO_AUTH: _static(sso_page),
        "/password-page": _static(password_page),
        "/header-login": _static(header_login_page),
        "/paywalled": _static(paywalled_page),
        "/free-article": _static(free_article_page),
        "/guide-registration": _static(guide_registration_page),
        "/webinar-register": _static(webinar_register_page),
        "/webinar-open": _static(webinar_open_page),
        "/cookie-page": cookie,
        "/drift-page": drift,
        **challenge_routes(),
    }
