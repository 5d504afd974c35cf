"""Facts about an HTML page for the judge: headings, forms, recognised signatures.

No judgement here. This module says "the page loads Piano's paywall script"
or "this form has a password field inside <header>"; the judge decides what
that means. Markers are "<family>:<name>" strings (see SIGNATURES).

Two steps: `read_features(document)` reads the parsed tree (markup, forms,
JSON-LD), then `read_text_markers(text, title)` reads the visible text and
the title.

Pure and bounded: pages are untrusted, so every walk, string and count is
capped, regexes have no nested quantifiers, and no input makes these
functions raise.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import chain, islice
from typing import Any

from pipeline.extract.titles import normalise_whitespace
from pipeline.extract.tree import (
    COMMENT,
    Document,
    ancestors,
    attribute,
    attribute_items,
    collapse_string,
    get_text,
    matching,
)
from pipeline.models import FormFeatures, PageFeatures

# An element of a parsed page: an lxml element, or a tree.Node.
Element = Any

MAX_HEADINGS = 10
MAX_HEADING_CHARS = 200
MAX_FORMS = 20
MAX_FORM_INPUTS = 200  # inputs read per form
MAX_ACTION_CHARS = 300
MAX_REFRESH_CHARS = 500
MAX_CODE_CHARS = 2_000_000  # markup kept for signature scans (attributes, scripts)
MAX_SCRIPT_CHARS = 100_000  # per inline script: vendor loaders are short
MAX_ATTRIBUTE_CHARS = 4_000  # per attribute value: skips most of a data: URI
MAX_TOKEN_CHARS = 500_000  # id and class names kept
MAX_EMBEDS = 1_000  # iframe/embed/video/... elements kept
MAX_JSON_LD_BLOCKS = 20
MAX_JSON_LD_CHARS = 200_000
MAX_JSON_NODES = 10_000
MAX_ANCESTORS = 60  # levels walked up from a form
MAX_PASSWORD_INPUTS = 50
# Parked pages are short and say so at the top; the same words deep in a
# long article are a mention ("the domain is for sale" in a news story).
PARKING_TEXT_CHARS = 5_000


class Where(StrEnum):
    """Which part of the page a signature is looked for in."""

    CODE = "code"  # attributes as name=value (not link targets), inline scripts, comments
    TOKENS = "tokens"  # id and class names, space-separated
    EMBED = "embed"  # tag name and attributes of iframe/embed/object/video/... elements
    TITLE = "title"  # the <title>
    TEXT = "text"  # <title> plus the visible text
    LEAD = "lead"  # <title> plus the first PARKING_TEXT_CHARS of visible text


@dataclass(frozen=True)
class Signature:
    """A recognisable trace of a vendor or a wall.

    `needle` is lower-case and must occur in the haystack; `pattern`, when
    set, must also match there (word or domain boundaries that a plain
    substring cannot express).
    """

    marker: str
    where: Where
    needle: str
    pattern: re.Pattern[str] | None = None


def _sigs(marker: str, where: Where, *needles: str) -> tuple[Signature, ...]:
    """Signatures for one marker from several plain substrings."""
    return tuple(Signature(marker, where, needle.lower()) for needle in needles)


def _domains(marker: str, *domains: str) -> tuple[Signature, ...]:
    """Signatures for a registrable domain or its subdomains in the markup.

    Bounded so that "dan.com" does not match "jordan.com" or "dan.community".
    """
    return tuple(
        Signature(marker, Where.CODE, d, re.compile(rf"(?<![\w-]){re.escape(d)}(?![\w-])"))
        for d in domains
    )


def _phrase(marker: str, where: Where, needle: str, pattern: str) -> Signature:
    """A signature confirmed by a regex (kept free of nested quantifiers)."""
    return Signature(marker, where, needle, re.compile(pattern))


PAYWALL_SIGNATURES = (
    # Piano (formerly Tinypass): loader from cdn.tinypass.com or *.piano.io,
    # configured through its `tp.push([...])` command queue.
    *_domains("paywall:piano", "tinypass.com", "piano.io"),
    _phrase("paywall:piano", Where.CODE, "tp.push(", r"(?<![\w$.])tp\.push\("),
    # Zephr: zephr.com CDN, `data-zephr-*` hooks and zephr-* feature classes.
    *_sigs("paywall:zephr", Where.CODE, "zephr"),
    # Poool: assets.poool.fr and its `poool` SDK object.
    *_sigs("paywall:poool", Where.CODE, "poool"),
    # Pelcro: js.pelcro.com and `pelcro` element hooks.
    *_sigs("paywall:pelcro", Where.CODE, "pelcro"),
    # LaterPay: connector.laterpay.net.
    *_sigs("paywall:laterpay", Where.CODE, "laterpay"),
    # Memberful: memberful.com/embed.js and memberful links.
    *_sigs("paywall:memberful", Where.CODE, "memberful"),
    # Leaky Paywall (WordPress plugin): /plugins/leaky-paywall/ assets,
    # leaky_paywall_* classes.
    *_sigs("paywall:leaky", Where.CODE, "leaky-paywall", "leaky_paywall"),
    # Home-made paywalls: an id or class that is "paywall" or starts with it
    # ("paywall", "paywall-container"); "no-paywall" and "leaky-paywall" do not count.
    _phrase("paywall:generic", Where.TOKENS, "paywall", r"(?<!\S)paywall"),
)

CONSENT_SIGNATURES = (
    # OneTrust: cdn.cookielaw.org loader, #onetrust-banner-sdk, legacy Optanon names.
    *_sigs("consent:onetrust", Where.CODE, "onetrust", "optanon", "cookielaw.org"),
    # Cookiebot: consent.cookiebot.com/uc.js, #CybotCookiebotDialog.
    *_sigs("consent:cookiebot", Where.CODE, "cookiebot"),
    # Didomi: sdk.privacy-center.org loader with window.didomiConfig, #didomi-host.
    *_sigs("consent:didomi", Where.CODE, "didomi"),
    # Quantcast Choice: cmp.quantcast.com / quantcast.mgr.consensu.org, .qc-cmp2-*
    # (Quantcast's measurement tag, quantserve.com, is no consent tool).
    *_sigs(
        "consent:quantcast", Where.CODE, "qc-cmp", "cmp.quantcast.com", "quantcast.mgr.consensu"
    ),
    # Usercentrics: app.usercentrics.eu loader, #usercentrics-root.
    *_sigs("consent:usercentrics", Where.CODE, "usercentrics"),
    # TrustArc (formerly TRUSTe) consent manager: consent.trustarc.com / consent.truste.com
    # loaders, preferences.truste.com, #teconsent, #truste-consent-track, truste_box_*.
    # Not truste.com alone: WebMD and others show TRUSTe's privacy *seal* image.
    *_sigs(
        "consent:trustarc",
        Where.CODE,
        "consent.trustarc.com",
        "consent-pref.trustarc.com",
        "consent.truste.com",
        "preferences.truste.com",
        "truste-consent",
        "truste_box",
        "truste_overlay",
        "trustarc-banner",
        "teconsent",
    ),
    # iubenda: cdn.iubenda.com, #iubenda-cs-banner.
    *_sigs("consent:iubenda", Where.CODE, "iubenda"),
    # CookieYes: cdn-cookieyes.com, .cky-consent-container.
    *_sigs("consent:cookieyes", Where.CODE, "cookieyes", "cky-consent"),
    # Complianz (WordPress): cmplz-* classes and complianz assets.
    *_sigs("consent:complianz", Where.CODE, "cmplz", "complianz"),
    # Osano: cmp.osano.com, .osano-cm-* classes.
    *_sigs("consent:osano", Where.CODE, "osano.com", "osano-cm"),
    # Sourcepoint: #sp_message_container_*, cdn.privacy-mgmt.com, _sp_ config.
    *_sigs("consent:sourcepoint", Where.CODE, "sp_message", "sourcepoint", "privacy-mgmt.com"),
    # Home-made banners and generic plugins ("Cookie Notice" is #cookie-notice).
    *_sigs(
        "consent:generic",
        Where.TOKENS,
        "cookie-consent",
        "cookie_consent",
        "cookieconsent",
        "cookie-banner",
        "cookie_banner",
        "cookie-wall",
        "cookie-notice",
        "cookie_notice",
        "consent-banner",
        "gdpr-consent",
    ),
)

PARKING_SIGNATURES = (
    # Sedo: parked pages load img.sedoparking.com assets; sale landers on sedo.com.
    *_sigs("parking:sedo", Where.CODE, "sedoparking"),
    *_domains("parking:sedo", "sedo.com"),
    # Bodis: landers served from bodis.com / bodiscdn.com.
    *_domains("parking:bodis", "bodis.com", "bodiscdn.com"),
    # ParkingCrew: parkingcrew.net scripts and images.
    *_sigs("parking:parkingcrew", Where.CODE, "parkingcrew"),
    # Above.com parking.
    *_domains("parking:above", "above.com"),
    # Dan.com (now GoDaddy) "buy this domain" landers.
    *_domains("parking:dan", "dan.com"),
    # Afternic and HugeDomains for-sale landers.
    *_domains("parking:afternic", "afternic.com"),
    *_domains("parking:hugedomains", "hugedomains.com"),
    # GoDaddy's parked-page app (img1.wsimg.com/parking-lander/, its
    # `_trfd.push({ap:"parking"})`) and its footer line. Links to godaddy.com
    # alone prove nothing: many real sites have them.
    *_sigs("parking:godaddy", Where.CODE, "parking-lander", 'ap:"parking"'),
    *_sigs("parking:godaddy", Where.LEAD, "parked free, courtesy of godaddy"),
    # NameBright and Undeveloped for-sale landers.
    *_domains("parking:namebright", "namebright.com", "namebrightstatic.com"),
    *_domains("parking:undeveloped", "undeveloped.com"),
    # What parked and for-sale pages say, in the languages of the hubs.
    *_sigs(
        "parking:phrase",
        Where.LEAD,
        "this domain is for sale",
        "this domain may be for sale",
        "this domain name is for sale",
        "buy this domain",
        "domain is parked",
        "parked free",
        "domain for sale",
        "ce nom de domaine est à vendre",
        "ce domaine est à vendre",
        "ce nom de domaine est en vente",
        "diese domain steht zum verkauf",
        "diese domain kaufen",
        "diese domain ist zu verkaufen",
        "este dominio está a la venta",
        "este dominio puede estar a la venta",
        "este dominio se vende",
        "dit domein is te koop",
        "deze domeinnaam is te koop",
        "questo dominio è in vendita",
        "questo dominio potrebbe essere in vendita",
    ),
    _phrase("parking:phrase", Where.LEAD, "is for sale", r"the domain name \S{1,253} is for sale"),
)

CHALLENGE_SIGNATURES = (
    # Cloudflare interstitials. Not "/cdn-cgi/challenge-platform/" alone:
    # Cloudflare injects .../scripts/jsd/main.js (JavaScript detections) and
    # email-decode scripts into ordinary pages; only the challenge page loads
    # the orchestrator or defines window._cf_chl_opt.
    _phrase(
        "challenge:cloudflare",
        Where.CODE,
        "challenge-platform",
        r"challenge-platform/(?:h/\w{1,3}/)?orchestrate/",
    ),
    *_sigs(
        "challenge:cloudflare", Where.CODE, "cf_chl_", "cf-browser-verification", "cf-challenge"
    ),
    _phrase(
        "challenge:cloudflare",
        Where.TITLE,
        "",
        r"^\s*(?:just a moment\.\.\.|attention required! \| cloudflare)\s*$",
    ),
    # Akamai's refusal page: "Reference #18.1a2b3c4d.1699999999.5e6f7a8b" and
    # a link to errors.edgesuite.net ("Access Denied" + "You don't have
    # permission to access" is checked in `_akamai_denied`).
    *_sigs("challenge:akamai", Where.CODE, "errors.edgesuite.net"),
    *_sigs("challenge:akamai", Where.TEXT, "errors.edgesuite.net"),
    _phrase(
        "challenge:akamai",
        Where.TEXT,
        "reference #",
        r"reference #\d{1,3}\.[0-9a-f]{4,16}\.\d{6,12}",
    ),
    # PerimeterX / HUMAN block page: #px-captcha and its captcha script.
    # Not "perimeterx" alone: protected ordinary pages load client.perimeterx.net.
    *_sigs(
        "challenge:perimeterx",
        Where.CODE,
        "px-captcha",
        "_pxcaptcha",
        "captcha.px-cdn.net",
        "captcha.perimeterx.net",
    ),
    # DataDome's captcha page (iframe from geo.captcha-delivery.com). Not
    # "datadome" alone: protected ordinary pages load js.datadome.co/tags.js.
    *_sigs("challenge:datadome", Where.CODE, "captcha-delivery.com"),
    # Imperva Incapsula's block page frames /_Incapsula_Resource?CWUDNSAI=...;
    # ordinary protected pages only *script* /_Incapsula_Resource?SWJIYLWA=...
    *_sigs("challenge:incapsula", Where.EMBED, "_incapsula_resource"),
    *_sigs("challenge:incapsula", Where.CODE, "_incapsula_resource?cwudnsai"),
    *_sigs("challenge:incapsula", Where.TEXT, "incapsula incident id"),
    # Sucuri firewall: the JS check (`sucuri_cloudproxy_js`) and the block page.
    *_sigs("challenge:sucuri", Where.CODE, "sucuri_cloudproxy"),
    *_sigs("challenge:sucuri", Where.TEXT, "sucuri website firewall"),
    # AWS WAF challenge page (window.gokuProps + challenge.js). Not "awswaf"
    # alone: ordinary pages use the AWS WAF JS SDK (AwsWafIntegration.fetch).
    *_sigs("challenge:aws-waf", Where.CODE, "gokuprops", "awswafcookiedomainlist"),
    # DDoS-Guard's browser check (check.ddos-guard.net/check.js).
    *_sigs("challenge:ddos-guard", Where.CODE, "check.ddos-guard.net", "ddos-guard/js-challenge"),
    *_sigs("challenge:ddos-guard", Where.TITLE, "ddos-guard"),
)

FORM_SIGNATURES = (
    # HubSpot forms: js.hsforms.net embed, hbspt.forms.create(), form.hs-form.
    *_sigs("form:hubspot", Where.CODE, "hsforms", "hs-form", "hbspt.forms"),
    # Marketo forms 2.0: form#mktoForm_123, marketo.com/js/forms2.
    *_sigs("form:marketo", Where.CODE, "mktoform", "marketo.com/js/forms2"),
    # Pardot form handlers and iframes (go.pardot.com/l/...). Not pd.js,
    # the tracking script every Pardot customer loads.
    *_sigs("form:pardot", Where.CODE, "pardot.com/l/"),
    # Mailchimp embedded signup: #mc-embedded-subscribe-form posting to *.list-manage.com.
    *_sigs("form:mailchimp", Where.CODE, "mc-embedded-subscribe"),
    *_domains("form:mailchimp", "list-manage.com"),
    # Gravity Forms (WordPress): #gform_1, .gform_wrapper.
    *_sigs("form:gravityforms", Where.CODE, "gform_"),
    # Formstack: *.formstack.com embeds.
    *_sigs("form:formstack", Where.CODE, "formstack"),
    # Typeform: embed.typeform.com, data-tf-widget.
    *_sigs("form:typeform", Where.CODE, "typeform", "data-tf-widget"),
    # Jotform: form.jotform.com / submit.jotform.com.
    *_sigs("form:jotform", Where.CODE, "jotform"),
    # Salesforce Web-to-Lead: action webto.salesforce.com/servlet/servlet.WebToLead.
    *_sigs("form:salesforce", Where.CODE, "webto.salesforce.com"),
    # Oracle Eloqua form handler: *.eloqua.com/e/f2.
    *_sigs("form:eloqua", Where.CODE, "eloqua.com/e/f2"),
    # WPForms and Ninja Forms (WordPress).
    *_sigs("form:wpforms", Where.CODE, "wpforms"),
    *_sigs("form:ninjaforms", Where.CODE, "ninja-forms", "nf-form-cont"),
    # Cognito Forms: cognitoforms.com embeds.
    *_sigs("form:cognito", Where.CODE, "cognitoforms"),
)

WEBINAR_SIGNATURES = (
    # ON24 event and registration pages (event.on24.com).
    *_domains("webinar:on24", "on24.com"),
    # GoTo Webinar registration (register.gotowebinar.com, attendee.gotowebinar.com).
    *_domains("webinar:gotowebinar", "gotowebinar.com"),
    # Zoom registration forms (zoom.us/webinar/register/..., /meeting/register/...).
    *_sigs("webinar:zoom", Where.CODE, "zoom.us/webinar/register", "zoom.us/meeting/register"),
    # BrightTALK, Webex, Livestorm, BigMarker, Demio, Hopin, Crowdcast players and registration.
    *_domains("webinar:brighttalk", "brighttalk.com"),
    *_domains("webinar:webex", "webex.com"),
    *_domains("webinar:livestorm", "livestorm.co"),
    *_domains("webinar:bigmarker", "bigmarker.com"),
    *_domains("webinar:demio", "demio.com"),
    *_domains("webinar:hopin", "hopin.com", "hopin.to"),
    *_domains("webinar:crowdcast", "crowdcast.io"),
    # Eventbrite event pages and embedded checkout (eb_widgets.js).
    *_domains("webinar:eventbrite", "eventbrite.com", "eventbrite.co.uk", "evbstatic.com"),
    *_sigs("webinar:eventbrite", Where.CODE, "eb_widgets"),
)

VIDEO_SIGNATURES = (
    # YouTube embeds, also privacy-enhanced, lazy (data-src) and <lite-youtube>.
    # Only embeds count: consent tools list "youtube.com" in their scripts.
    *_sigs(
        "video:youtube",
        Where.EMBED,
        "youtube.com/embed",
        "youtube-nocookie.com",
        "youtu.be/",
        "<lite-youtube",
    ),
    # Vimeo player iframes and <lite-vimeo>.
    *_sigs("video:vimeo", Where.EMBED, "player.vimeo.com", "<lite-vimeo"),
    # Dailymotion embeds (dailymotion.com/embed, geo.dailymotion.com/player).
    *_sigs("video:dailymotion", Where.EMBED, "dailymotion.com/embed", "dailymotion.com/player"),
    # Script-driven players: Wistia, Brightcove, Kaltura.
    *_sigs("video:wistia", Where.CODE, "fast.wistia", "wistia_embed", "wistia.com/embed"),
    *_sigs("video:brightcove", Where.CODE, "players.brightcove.net"),
    *_sigs("video:brightcove", Where.EMBED, "<video-js"),
    *_domains("video:kaltura", "kaltura.com"),
    # JW Player: cdn.jwplayer.com libraries, jwplatform/jwpcdn media, jwplayer("id").setup().
    # Not "jwplayer" alone: ad configs name it as a slot type.
    *_domains("video:jwplayer", "jwplayer.com", "jwplatform.com", "jwpcdn.com"),
    _phrase("video:jwplayer", Where.CODE, "jwplayer(", r"(?<![\w$.])jwplayer\("),
)

TEXT_SIGNATURES = (
    # Webinar recordings behind a registration form.
    *_sigs(
        "text:register-to-watch",
        Where.TEXT,
        "register to watch",
        "sign up to watch",
        "register now to watch",
        "to watch this webinar, please register",
        "registration is required to watch",
        "register to view the recording",
    ),
    # Guides and reports behind a lead form.
    *_sigs(
        "text:register-to-download",
        Where.TEXT,
        "register to download",
        "fill in the form to download",
        "fill out the form to download",
        "complete the form to download",
        "enter your email to download",
        "download the guide by filling",
    ),
    # Log-in walls. Kept specific: WordPress prints "You must be logged in to
    # post a comment" under every open post, and society sites put a
    # "Members only" area in their menus.
    *_sigs(
        "text:login-required",
        Where.TEXT,
        "please log in to continue",
        "please sign in to continue",
        "please login to continue",
        "sign in to continue reading",
        "log in to continue reading",
        "you must be logged in to view",
        "you must be logged in to access",
        "you must be logged in to read",
        "you must be logged in to see",
        "you must be logged in to continue",
        "log in to view this",
        "login to view this",
        "sign in to view this",
        "this content is for members only",
        "this page is for members only",
        "this content is available to members only",
        "available to members only",
    ),
)

SIGNATURES: tuple[Signature, ...] = (
    *PAYWALL_SIGNATURES,
    *CONSENT_SIGNATURES,
    *PARKING_SIGNATURES,
    *CHALLENGE_SIGNATURES,
    *FORM_SIGNATURES,
    *WEBINAR_SIGNATURES,
    *VIDEO_SIGNATURES,
    *TEXT_SIGNATURES,
)
_MARKUP_PLACES = frozenset({Where.CODE, Where.TOKENS, Where.EMBED})
MARKUP_SIGNATURES = tuple(s for s in SIGNATURES if s.where in _MARKUP_PLACES)
TEXT_PLACE_SIGNATURES = tuple(s for s in SIGNATURES if s.where not in _MARKUP_PLACES)


def _needles_by_place(
    signatures: tuple[Signature, ...],
) -> dict[Where, tuple[tuple[str, re.Pattern[str] | None, str], ...]]:
    """Signatures as (needle, pattern, marker), grouped by where they are looked for."""
    return {
        where: tuple((s.needle, s.pattern, s.marker) for s in signatures if s.where is where)
        for where in Where
    }


_MARKUP_NEEDLES = _needles_by_place(MARKUP_SIGNATURES)
_TEXT_PLACE_NEEDLES = _needles_by_place(TEXT_PLACE_SIGNATURES)
# What a form's own attributes may name (FormFeatures.vendor).
FORM_VENDOR_SIGNATURES = tuple(
    s for s in (*FORM_SIGNATURES, *WEBINAR_SIGNATURES) if s.where is Where.CODE
)

# Elements that hold embedded players and frames (their attributes form Where.EMBED).
_EMBED_TAGS = frozenset(
    {
        "iframe",
        "frame",
        "embed",
        "object",
        "video",
        "audio",
        "source",
        "lite-youtube",
        "lite-vimeo",
        "video-js",
    }
)
# Attributes that hold words for people, not code: an article's alt text
# naming "DataDome" is no DataDome.
_HUMAN_TEXT_ATTRIBUTES = frozenset({"alt", "title", "aria-label", "placeholder"})
_LINK_TAGS = frozenset({"a", "area"})  # a link *to* a vendor is not the vendor on the page


# --------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------


def read_features(document: Document) -> PageFeatures:
    """Headings, forms, meta refresh and markup markers of a parsed page.

    Text markers are added afterwards with `read_text_markers`.
    """
    markup = collect_markup(document)
    markers = set(markup_markers(markup))
    markers.update(schema_markers(document))
    forms = read_forms(document)
    markers.update(form.vendor for form in forms if form.vendor)
    return PageFeatures(
        headings=read_headings(document),
        forms=forms,
        markers=frozenset(markers),
        meta_refresh=read_meta_refresh(document),
    )


def read_text_markers(text: str, title: str | None) -> frozenset[str]:
    """Markers found in the visible text and the title (never in script text).

    Matching is case-insensitive on whitespace-normalised NFKC text, with
    typographic apostrophes read as "'".
    """
    folded_title = fold(title or "")
    folded_text = fold(text)
    places = {
        Where.TITLE: folded_title,
        Where.TEXT: f"{folded_title} {folded_text}",
        Where.LEAD: f"{folded_title} {folded_text[:PARKING_TEXT_CHARS]}",
    }
    found = found_markers(_TEXT_PLACE_NEEDLES, places)
    if _akamai_denied(folded_title, folded_text):
        found.add("challenge:akamai")
    return frozenset(found)


def fold(text: str) -> str:
    """Text as the phrase signatures expect it: NFKC, casefolded, one space.

    NFKC turns "…" into "..." (Cloudflare's title) and full-width letters
    into ASCII; curly apostrophes become straight ones.
    """
    folded = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    return normalise_whitespace(folded)


def found_markers(
    needles: dict[Where, tuple[tuple[str, re.Pattern[str] | None, str], ...]],
    places: dict[Where, str],
) -> set[str]:
    """Markers of the signatures found in each place (same test as `matches`).

    Signatures come grouped by place as (needle, pattern, marker): one
    inlined test per signature, no call, on the hot path of every page.
    """
    found = set()
    for where, haystack in places.items():
        for needle, pattern, marker in needles.get(where, ()):
            if needle in haystack and (pattern is None or pattern.search(haystack)):
                found.add(marker)
    return found


def matches(signature: Signature, haystack: str) -> bool:
    """Whether a signature occurs in a haystack (needle first: it is cheap)."""
    if signature.needle not in haystack:
        return False
    return signature.pattern is None or signature.pattern.search(haystack) is not None


def _akamai_denied(title: str, text: str) -> bool:
    """Akamai's edge refusal: title "Access Denied" and its fixed sentence.

    Both are needed: "Access Denied" alone is also an ordinary 403 page.
    """
    return title == "access denied" and "you don't have permission to access" in text


# --------------------------------------------------------------------------
# Markup
# --------------------------------------------------------------------------


@dataclass
class Markup:
    """The parts of a page's markup that signatures are looked for in (lower-case)."""

    code: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    embed: list[str] = field(default_factory=list)
    code_chars: int = 0
    token_chars: int = 0
    html5_video: bool = False

    def add_code(self, value: str) -> None:
        """Keep a piece of markup while the MAX_CODE_CHARS budget lasts."""
        if self.code_chars < MAX_CODE_CHARS:
            self.code.append(value)
            self.code_chars += len(value)

    def add_token(self, value: str) -> None:
        if self.token_chars < MAX_TOKEN_CHARS:
            self.tokens.append(value)
            self.token_chars += len(value) + 1

    def places(self) -> dict[Where, str]:
        return {
            Where.CODE: "\n".join(self.code).lower(),
            Where.TOKENS: " ".join(self.tokens).lower(),
            Where.EMBED: "\n".join(self.embed).lower(),
        }


def collect_markup(document: Document) -> Markup:
    """One bounded walk over the tree: attributes, inline scripts, comments.

    Visible text is left out on purpose: an article that mentions a vendor
    is not that vendor's page.
    """
    markup = Markup()
    for node in document.walk():
        if isinstance(node.tag, str):
            _collect_tag(node, markup)
            if _is_code_script(node) and node.text and document.script_text_walked(node):
                markup.add_code(collapse_string(node, node.text)[:MAX_SCRIPT_CHARS])
        elif node.tag is COMMENT:
            markup.add_code(collapse_string(node, node.text or "")[:MAX_SCRIPT_CHARS])
    return markup


def _collect_tag(tag: Element, markup: Markup) -> None:
    """Add one element's attributes (name=value), id/class names and embed details."""
    values = []
    for name, value in attribute_items(tag):
        text = value[:MAX_ATTRIBUTE_CHARS]
        if name in ("id", "class"):
            markup.add_token(text)
        if name in _HUMAN_TEXT_ATTRIBUTES or (name == "href" and tag.tag in _LINK_TAGS):
            continue
        # Names too: vendors hook into data-zephr-*, data-tf-widget, ...
        values.append(f"{name}={text}")
    if values:
        markup.add_code(" ".join(values))
    if tag.tag in _EMBED_TAGS and len(markup.embed) < MAX_EMBEDS:
        markup.embed.append(f"<{tag.tag} " + " ".join(values))
        markup.html5_video = markup.html5_video or _is_html5_video(tag)


def _is_html5_video(tag: Element) -> bool:
    """A <video> with a source of its own, or a <source> inside a <video>."""
    if tag.tag == "video":
        return bool(tag.get("src") or tag.get("data-src"))
    return (
        tag.tag == "source"
        and bool(tag.get("src"))
        and any(node.tag == "video" for node in ancestors(tag))
    )


def _is_code_script(element: Element) -> bool:
    """Whether an element is a script of code (JSON-LD holds article text, not code)."""
    if element.tag != "script":
        return False
    return "ld+json" not in attribute_text(element.get("type")).lower()


def markup_markers(markup: Markup) -> set[str]:
    """Markers of every markup signature found in the collected markup."""
    places = markup.places()
    found = found_markers(_MARKUP_NEEDLES, places)
    if markup.html5_video:
        found.add("video:html5")
    return found


def attribute_text(value: object) -> str:
    """An attribute value as one string ("" when missing)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


# --------------------------------------------------------------------------
# Headings and meta refresh
# --------------------------------------------------------------------------


def read_headings(document: Document) -> tuple[str, ...]:
    """Texts of the h1 and h2 elements in document order, non-empty, bounded."""
    headings = []
    for element in islice(document.iter("h1", "h2"), MAX_HEADINGS * 5):
        text = normalise_whitespace(get_text(element, " "))[:MAX_HEADING_CHARS]
        if text:
            headings.append(text)
        if len(headings) == MAX_HEADINGS:
            break
    return tuple(headings)


_REFRESH = re.compile(r"^\s*refresh\s*$", re.IGNORECASE)
# content="0; url=/new", "0;URL='/new'", "5, /new": a delay, a separator, an
# optional "url=", then the target (HTML "shared declarative refresh steps").
_REFRESH_CONTENT = re.compile(
    r"^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(.*)$", re.IGNORECASE | re.DOTALL
)


def read_meta_refresh(document: Document) -> str:
    """Target URL of the first <meta http-equiv=refresh>, '' if none or no URL.

    The delay is not kept: a 0-second refresh is a redirect, a 600-second
    one to the same URL is a news page reloading itself; the judge compares
    the target with the page's own URL.
    """
    meta = next(matching(document.iter("meta"), "http-equiv", _REFRESH), None)
    if meta is None:
        return ""
    match = _REFRESH_CONTENT.match(attribute_text(meta.get("content"))[: 2 * MAX_REFRESH_CHARS])
    target = match.group(1).strip().strip("'\"").strip() if match else ""
    return target[:MAX_REFRESH_CHARS]


# --------------------------------------------------------------------------
# schema.org: isAccessibleForFree
# --------------------------------------------------------------------------

_LD_JSON = re.compile(r"ld\+json", re.IGNORECASE)
_ITEMPROP_FREE = re.compile(r"(?:^|\s)isaccessibleforfree(?:\s|$)", re.IGNORECASE)


def schema_markers(document: Document) -> set[str]:
    """schema:not-free / schema:free from JSON-LD and microdata declarations."""
    values = [*_json_ld_free_values(document), *_microdata_free_values(document)]
    found = set()
    if False in values:
        found.add("schema:not-free")
    if True in values:
        found.add("schema:free")
    return found


def _json_ld_free_values(document: Document) -> Iterator[bool]:
    """isAccessibleForFree values of every JSON-LD block; invalid JSON is skipped."""
    scripts = matching(document.iter("script"), "type", _LD_JSON)
    for script in islice(scripts, MAX_JSON_LD_BLOCKS):
        source = get_text(script)
        if len(source) > MAX_JSON_LD_CHARS:
            continue
        try:
            data = json.loads(source)
        except (ValueError, RecursionError):  # broken JSON-LD is common on real pages
            continue
        yield from _free_values(data)


def _free_values(data: object) -> Iterator[bool]:
    """Walk a JSON value (lists, @graph, nested objects) for isAccessibleForFree.

    Iterative and capped at MAX_JSON_NODES; keys may be prefixed
    ("schema:isAccessibleForFree", "http://schema.org/isAccessibleForFree").
    """
    stack, visited = [data], 0
    while stack and visited < MAX_JSON_NODES:
        node, visited = stack.pop(), visited + 1
        if isinstance(node, list):
            stack.extend(node[:MAX_JSON_NODES])
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and key.lower().endswith("isaccessibleforfree"):
                    truth = _truth(value)
                    if truth is not None:
                        yield truth
                if isinstance(value, dict | list):
                    stack.append(value)


def _truth(value: object) -> bool | None:
    """true/false as JSON-LD writes it: a boolean, "False", "http://schema.org/False",
    {"@value": false} or a one-element list."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("@value", value.get("@id"))
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower().rsplit("/", 1)[-1]
        return {"false": False, "true": True}.get(word)
    return None


def _microdata_free_values(document: Document) -> Iterator[bool]:
    """isAccessibleForFree from microdata: <meta itemprop=... content="False">."""
    declarations = matching(document.elements(), "itemprop", _ITEMPROP_FREE)
    for element in islice(declarations, MAX_JSON_LD_BLOCKS):
        value = element.get("content") or element.get("href") or get_text(element)
        truth = _truth(attribute_text(value)[:100])
        if truth is not None:
            yield truth


# --------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------

# Containers that are site chrome rather than the page's content, by element
# and by ARIA landmark role.
_CHROME_TAGS = frozenset({"header", "nav", "footer", "aside", "dialog"})
_CHROME_ROLES = frozenset(
    {"banner", "navigation", "contentinfo", "complementary", "dialog", "alertdialog"}
)
# id/class words of containers that pop up or drop down: a sign-in box in a
# modal or a menu is on every page of a site, in front of real content.
_OVERLAY_WORDS = (
    "modal",
    "popup",
    "pop-up",
    "dialog",
    "overlay",
    "dropdown",
    "offcanvas",
    "off-canvas",
    "flyout",
    "login-box",
    "signin-box",
)
# id/class words of chrome built from <div>s, as on sites that predate
# <header> and <footer>: landwirt.com's sign-in box sits in
# div#headertop > div#headeranmeldebox, daringfireball's search in div#Footer.
_CHROME_WORDS = (
    "header",
    "footer",
    "navbar",
    "sidebar",
    "masthead",
    "topbar",
    "top-bar",
    "right-rail",
    "left-rail",
)
_CONTAINER_WORDS = _OVERLAY_WORDS + _CHROME_WORDS
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Input types that take no typed text (or that FormFeatures reports apart:
# password). Unknown types render as text fields in browsers.
_NON_TEXT_TYPES = frozenset(
    {
        "password",
        "search",
        "hidden",
        "submit",
        "checkbox",
        "radio",
        "button",
        "image",
        "reset",
        "file",
        "range",
        "color",
        "date",
        "datetime-local",
        "month",
        "week",
        "time",
    }
)
_PASSWORD_TYPE = re.compile(r"^\s*password\s*$", re.IGNORECASE)


def read_forms(document: Document) -> tuple[FormFeatures, ...]:
    """Up to MAX_FORMS forms: every <form>, then password fields outside any form.

    Sites that submit their sign-in box with JavaScript have a password
    <input> but no <form>; each such box counts as a form.
    """
    forms = [describe_form(form) for form in islice(document.iter("form"), MAX_FORMS)]
    for box, password in _formless_password_boxes(document, MAX_FORMS - len(forms)):
        forms.append(describe_inputs(box, in_chrome=is_in_chrome(password)))
    return tuple(forms[:MAX_FORMS])


def describe_form(form: Element) -> FormFeatures:
    """A <form> as FormFeatures: fields, placement, action and vendor."""
    action = attribute_text(form.get("action")).strip()[:MAX_ACTION_CHARS]
    return describe_inputs(
        form, in_chrome=is_in_chrome(form), action=action, vendor=form_vendor(form)
    )


def describe_inputs(
    scope: Element | Document, in_chrome: bool, action: str = "", vendor: str = ""
) -> FormFeatures:
    """Describe the inputs inside `scope` (a form, or a formless sign-in box)."""
    has_password = has_email = False
    text_inputs = 0
    for field_ in islice(_inputs_in(scope), MAX_FORM_INPUTS):
        kind = input_type(field_)
        has_password = has_password or kind == "password"
        if kind in _NON_TEXT_TYPES:
            continue
        has_email = has_email or is_email_input(field_, kind)
        if not _hidden_within(field_, scope):
            text_inputs += 1
    return FormFeatures(has_password, has_email, text_inputs, in_chrome, action, vendor)


def _inputs_in(scope: Element | Document) -> Iterator[Element]:
    """The <input> elements below `scope` (a page's box may be the whole page)."""
    if isinstance(scope, Document):
        return scope.iter("input")
    return (field_ for field_ in scope.iter("input") if field_ is not scope)


def input_type(field_: Element) -> str:
    """The input's type, lower-case; "text" when missing (as browsers read it)."""
    return attribute_text(field_.get("type")).strip().lower() or "text"


def is_email_input(field_: Element, kind: str) -> bool:
    """type=email, or a text field whose name/id/autocomplete says e-mail."""
    if kind == "email":
        return True
    names = " ".join(attribute_text(field_.get(a)) for a in ("name", "id", "autocomplete"))
    names = names.lower()
    return "email" in names or "e-mail" in names


def form_vendor(form: Element) -> str:
    """The marker of a form or webinar vendor named by the form's own attributes."""
    haystack = " ".join(v[:MAX_ATTRIBUTE_CHARS] for _, v in attribute_items(form))
    haystack = haystack.lower()
    return next((s.marker for s in FORM_VENDOR_SIGNATURES if matches(s, haystack)), "")


def is_in_chrome(element: Element) -> bool:
    """Whether the element sits in site chrome or a hidden or pop-up container.

    Walks up to <body>: header/nav/footer/aside/dialog elements or landmark
    roles; hidden, aria-hidden="true" or display:none; ids and classes of
    modals, pop-ups, menus and overlays, or of div-built headers, footers
    and sidebars. <body> and <html> are not read:
    their classes ("modal-open") describe the page's state, not a container.
    """
    for node in _self_and_ancestors(element):
        if node.tag in _CHROME_TAGS or _role(node) in _CHROME_ROLES or is_hidden(node):
            return True
        names = " ".join(attribute_text(attribute(node, a)) for a in ("id", "class")).lower()
        if any(word in names for word in _CONTAINER_WORDS):
            return True
    return False


def is_hidden(node: Element) -> bool:
    """hidden, aria-hidden="true" or an inline display:none / visibility:hidden."""
    if node.get("hidden") is not None:
        return True
    if attribute_text(node.get("aria-hidden")).strip().lower() == "true":
        return True
    return _HIDDEN_STYLE.search(attribute_text(node.get("style"))[:MAX_ATTRIBUTE_CHARS]) is not None


def _hidden_within(field_: Element, scope: Element | Document) -> bool:
    """Whether an input is hidden by itself or by a container inside `scope`.

    Handles honeypot fields, e.g. Mailchimp's bot trap in an
    aria-hidden="true" div.
    """
    for node in islice(_walk_up(field_), MAX_ANCESTORS):
        if node is scope:
            return False
        if is_hidden(node):
            return True
    return False


def _self_and_ancestors(element: Element) -> Iterable[Element]:
    """The element and its ancestors below <body>, at most MAX_ANCESTORS."""
    for node in islice(_walk_up(element), MAX_ANCESTORS):
        if node.tag in ("body", "html"):
            return
        yield node


def _walk_up(element: Element) -> Iterator[Element]:
    """The element, then its ancestors up to the top-level one."""
    return chain((element,), ancestors(element))


def _role(node: Element) -> str:
    return attribute_text(node.get("role")).strip().lower()


def _formless_password_boxes(document: Document, room: int) -> list[tuple[Any, Element]]:
    """(box, password input) for password inputs in no <form>, one per box.

    A sign-up box with "password" and "repeat password" is one box.
    """
    boxes: list[tuple[Any, Element]] = []
    if room <= 0:
        return boxes
    passwords = matching(document.iter("input"), "type", _PASSWORD_TYPE)
    for field_ in islice(passwords, MAX_PASSWORD_INPUTS):
        if any(node.tag == "form" for node in ancestors(field_)):
            continue
        box = _input_group(document, field_)
        if all(box is not seen for seen, _ in boxes):
            boxes.append((box, field_))
        if len(boxes) == room:
            break
    return boxes


def _input_group(document: Document, field_: Element) -> Element | Document:
    """The smallest ancestor (up to 4 levels) holding another input, else the parent.

    That is the sign-in box: the password field with its user-name field.
    An input at the top of the tree (html.parser keeps no <html> around it)
    has the whole page as its box.
    """
    parent = field_.getparent()
    node = parent
    for _ in range(4):
        if node is None or node.tag in ("body", "html"):
            break
        if len(list(islice(_inputs_in(node), 2))) >= 2:
            return node
        node = node.getparent()
    return document if parent is None else parent
