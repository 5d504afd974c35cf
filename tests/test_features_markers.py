"""Signature markers of every family: features/markers.py and the tables it joins.

Table-driven: small HTML snippets for every marker family, each with
negatives taken from how ordinary pages look (Cloudflare's email-decode
script, an article that mentions GoDaddy, a consent tool's block list).
"""

from __future__ import annotations

import pytest

from pipeline.extract.features.markers import SIGNATURES
from pipeline.extract.features.signatures import PARKING_TEXT_CHARS
from tests.feature_pages import features, inline, script

# --------------------------------------------------------------------------
# Markers: (case id, head, body, title or None for the default)
# --------------------------------------------------------------------------

POSITIVE = [
    # paywall
    ("paywall:piano", script("https://cdn.tinypass.com/api/tinypass.min.js"), "", None),
    ("paywall:piano", script("https://experience.piano.io/xbuilder/experience/load"), "", None),
    ("paywall:piano", inline('tp = window.tp || []; tp.push(["setAid", "abc"]);'), "", None),
    ("paywall:zephr", "", '<div data-zephr-feature="article-body"></div>', None),
    ("paywall:poool", script("https://assets.poool.fr/audit.min.js"), "", None),
    ("paywall:pelcro", script("https://js.pelcro.com/sdk/main.min.js"), "", None),
    ("paywall:laterpay", script("https://connector.laterpay.net/app.js"), "", None),
    ("paywall:memberful", script("https://example.memberful.com/embed.js"), "", None),
    ("paywall:leaky", "", '<div class="leaky_paywall_message_wrap"></div>', None),
    ("paywall:generic", "", '<div class="article paywall">Subscribe</div>', None),
    ("paywall:generic", "", '<div id="paywall-container"></div>', None),
    # consent
    (
        "consent:onetrust",
        script("https://cdn.cookielaw.org/scripttemplates/otSDKStub.js"),
        "",
        None,
    ),
    ("consent:onetrust", "", '<div id="onetrust-banner-sdk"></div>', None),
    ("consent:onetrust", "", '<div class="optanon-alert-box-wrapper"></div>', None),
    ("consent:cookiebot", script("https://consent.cookiebot.com/uc.js"), "", None),
    ("consent:didomi", "", '<div id="didomi-host"></div>', None),
    ("consent:quantcast", "", '<div id="qc-cmp2-container"></div>', None),
    ("consent:quantcast", inline("s.src='https://quantcast.mgr.consensu.org/cmp.js'"), "", None),
    ("consent:usercentrics", script("https://app.usercentrics.eu/browser-ui/loader.js"), "", None),
    ("consent:trustarc", script("https://consent.trustarc.com/notice?domain=x"), "", None),
    ("consent:trustarc", "", '<div id="teconsent"></div>', None),
    ("consent:iubenda", script("https://cdn.iubenda.com/cs/iubenda_cs.js"), "", None),
    ("consent:cookieyes", script("https://cdn-cookieyes.com/client_data/x/script.js"), "", None),
    ("consent:complianz", "", '<div class="cmplz-cookiebanner"></div>', None),
    ("consent:osano", script("https://cmp.osano.com/abc/osano.js"), "", None),
    ("consent:sourcepoint", "", '<div id="sp_message_container_123"></div>', None),
    ("consent:generic", "", '<div id="cookie-consent" class="bar">We use cookies</div>', None),
    ("consent:generic", "", '<div class="site-cookie-banner"></div>', None),
    # parking
    ("parking:sedo", script("https://img.sedoparking.com/js/jquery.js"), "", None),
    ("parking:sedo", "", '<form action="https://sedo.com/search/details/"></form>', None),
    ("parking:bodis", script("https://www.bodis.com/js/parking.js"), "", None),
    ("parking:parkingcrew", script("https://parkingcrew.net/assets/lander.js"), "", None),
    ("parking:above", script("https://trkpcs.above.com/x.js"), "", None),
    ("parking:dan", "", '<iframe src="https://dan.com/buy-domain/example.org"></iframe>', None),
    ("parking:afternic", "", '<form action="https://www.afternic.com/forsale/x"></form>', None),
    ("parking:hugedomains", "", '<img src="https://www.hugedomains.com/images/hd.png">', None),
    (
        "parking:godaddy",
        script("https://img1.wsimg.com/parking-lander/static/js/main.js"),
        "",
        None,
    ),
    ("parking:godaddy", "", "<p>This Web page is parked FREE, courtesy of GoDaddy.com.</p>", None),
    ("parking:namebright", script("https://namebrightstatic.com/js/lander.js"), "", None),
    ("parking:undeveloped", "", '<img src="https://undeveloped.com/logo.svg">', None),
    ("parking:phrase", "", "", "example.org is for sale | This domain may be for sale"),
    ("parking:phrase", "", "", "Diese Domain steht zum Verkauf"),
    ("parking:phrase", "", "", "Ce nom de domaine est \u00e0 vendre"),
    ("parking:phrase", "", "", "Este dominio est\u00e1 a la venta"),
    ("parking:phrase", "", "", "Dit domein is te koop"),
    ("parking:phrase", "", "", "Questo dominio \u00e8 in vendita"),
    ("parking:phrase", "", "", "The domain name example.org is for sale"),
    # challenge
    ("challenge:cloudflare", "", "", "Just a moment..."),
    ("challenge:cloudflare", "", "", "Just a moment\u2026"),
    ("challenge:cloudflare", "", "", "Attention Required! | Cloudflare"),
    (
        "challenge:cloudflare",
        script("/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=8a"),
        "",
        None,
    ),
    ("challenge:cloudflare", inline("window._cf_chl_opt={cvId: '3'};"), "", None),
    ("challenge:cloudflare", "", '<div id="cf-browser-verification"></div>', None),
    (
        "challenge:akamai",
        "",
        "<h1>Access Denied</h1>You don't have permission to access this server.",
        "Access Denied",
    ),
    ("challenge:akamai", "", "<p>Reference #18.2d351ab8.1557333295.a4e16ab</p>", "Error"),
    ("challenge:akamai", "", "<p>https://errors.edgesuite.net/18.2d351ab8</p>", "Error"),
    ("challenge:perimeterx", "", '<div id="px-captcha"></div>', None),
    (
        "challenge:datadome",
        "",
        '<iframe src="https://geo.captcha-delivery.com/captcha/?initialCid=x"></iframe>',
        None,
    ),
    (
        "challenge:incapsula",
        "",
        '<iframe id="main-iframe" src="/_Incapsula_Resource?CWUDNSAI=9&xinfo=1"></iframe>',
        None,
    ),
    ("challenge:incapsula", "", "<p>Request unsuccessful. Incapsula incident ID: 1-2</p>", None),
    ("challenge:sucuri", inline("var sucuri_cloudproxy_js='',S='abc';"), "", None),
    ("challenge:sucuri", "", "", "Sucuri WebSite Firewall - Access Denied"),
    ("challenge:aws-waf", inline("window.gokuProps = {key: 'k', iv: 'i'};"), "", None),
    ("challenge:ddos-guard", script("https://check.ddos-guard.net/check.js"), "", None),
    ("challenge:ddos-guard", "", "", "DDoS-Guard"),
    # marketing forms
    ("form:hubspot", script("https://js.hsforms.net/forms/v2.js"), "", None),
    ("form:hubspot", "", '<form class="hs-form stacked" action="/x"></form>', None),
    ("form:marketo", "", '<form id="mktoForm_1234"></form>', None),
    ("form:pardot", "", '<form action="https://go.pardot.com/l/123/abc"></form>', None),
    (
        "form:mailchimp",
        "",
        '<form id="mc-embedded-subscribe-form" action="https://x.us1.list-manage.com/subscribe/'
        'post"></form>',
        None,
    ),
    ("form:gravityforms", "", '<form id="gform_1"></form>', None),
    ("form:formstack", "", '<iframe src="https://acme.formstack.com/forms/guide"></iframe>', None),
    ("form:typeform", "", '<div data-tf-widget="abc123"></div>', None),
    ("form:jotform", script("https://form.jotform.com/jsform/123"), "", None),
    (
        "form:salesforce",
        "",
        '<form action="https://webto.salesforce.com/servlet/servlet.WebToLead"></form>',
        None,
    ),
    ("form:eloqua", "", '<form action="https://s123.t.eloqua.com/e/f2"></form>', None),
    ("form:wpforms", "", '<form id="wpforms-form-12" class="wpforms-validate"></form>', None),
    ("form:ninjaforms", "", '<div class="nf-form-cont"></div>', None),
    ("form:cognito", script("https://www.cognitoforms.com/f/seamless.js"), "", None),
    # webinars
    ("webinar:on24", "", '<iframe src="https://event.on24.com/wcc/r/123/abc"></iframe>', None),
    (
        "webinar:gotowebinar",
        "",
        '<form action="https://attendee.gotowebinar.com/register/123"></form>',
        None,
    ),
    (
        "webinar:zoom",
        "",
        '<iframe src="https://us02web.zoom.us/webinar/register/WN_x"></iframe>',
        None,
    ),
    ("webinar:brighttalk", script("https://www.brighttalk.com/clients/js/player.js"), "", None),
    ("webinar:webex", "", '<iframe src="https://acme.webex.com/register/x"></iframe>', None),
    ("webinar:livestorm", "", '<iframe src="https://app.livestorm.co/p/x/form"></iframe>', None),
    ("webinar:bigmarker", script("https://www.bigmarker.com/widgets/conference.js"), "", None),
    (
        "webinar:demio",
        script("https://cdn.demio.com/production/dashboard/embed.bundle.js"),
        "",
        None,
    ),
    ("webinar:hopin", "", '<iframe src="https://hopin.com/events/x/registration"></iframe>', None),
    (
        "webinar:crowdcast",
        "",
        '<iframe src="https://www.crowdcast.io/e/x/register"></iframe>',
        None,
    ),
    (
        "webinar:eventbrite",
        script("https://www.eventbrite.co.uk/static/widgets/eb_widgets.js"),
        "",
        None,
    ),
    # video
    ("video:youtube", "", '<iframe src="https://www.youtube.com/embed/abc"></iframe>', None),
    (
        "video:youtube",
        "",
        '<iframe data-src="https://www.youtube-nocookie.com/embed/a"></iframe>',
        None,
    ),
    ("video:youtube", "", '<lite-youtube videoid="abc"></lite-youtube>', None),
    ("video:vimeo", "", '<iframe src="https://player.vimeo.com/video/1"></iframe>', None),
    ("video:html5", "", '<video controls src="/media/talk.mp4"></video>', None),
    ("video:html5", "", '<video controls><source src="/media/talk.webm"></video>', None),
    ("video:wistia", script("https://fast.wistia.com/assets/external/E-v1.js"), "", None),
    ("video:brightcove", "", '<video-js data-account="1" data-player="default"></video-js>', None),
    (
        "video:kaltura",
        "",
        '<iframe src="https://cdnapisec.kaltura.com/p/1/embedIframeJs"></iframe>',
        None,
    ),
    ("video:jwplayer", script("https://cdn.jwplayer.com/libraries/abc.js"), "", None),
    (
        "video:dailymotion",
        "",
        '<iframe src="https://www.dailymotion.com/embed/video/x1"></iframe>',
        None,
    ),
    # visible text
    ("text:register-to-watch", "", "<p>Register to watch the full recording.</p>", None),
    ("text:register-to-watch", "", "<p>To watch this webinar, please register below.</p>", None),
    ("text:register-to-download", "", "<p>Fill out the form to download the guide.</p>", None),
    ("text:register-to-download", "", "<p>Enter your email to download our guide</p>", None),
    ("text:login-required", "", "<p>Please log in to continue.</p>", None),
    ("text:login-required", "", "<p>You must be logged in to view this page.</p>", None),
    ("text:login-required", "", "<p>This content is for members only.</p>", None),
    (
        "text:login-required",
        "",
        "<p>You\u2019re not signed in. Please sign in to continue</p>",
        None,
    ),
]


@pytest.mark.parametrize(
    ("marker", "head", "body", "title"),
    POSITIVE,
    ids=[f"{case[0]}-{i}" for i, case in enumerate(POSITIVE)],
)
def test_marker_found(marker: str, head: str, body: str, title: str | None) -> None:
    found = features(body, head, title or "Living with CAR-T").markers
    assert marker in found


# (family that must be absent, head, body, title or None)
NEGATIVE = [
    # paywall: other words, links, look-alike names, mentions
    ("paywall", "", '<div class="no-paywall article-paywall-off"></div>', None),
    ("paywall", "", "<p>Why we will never put up a paywall.</p>", None),
    ("paywall", "", '<a href="https://piano.io/product">Piano</a>', None),
    ("paywall", script("https://cdn.mypiano.iowa.example/app.js"), "", None),
    ("paywall", inline("settp.push(1); queue.stp.push(2);"), "", None),
    # schema: nothing declared
    ("schema", "", "", None),
    # consent: TRUSTe privacy seal, a mention, a link to a cookie policy
    (
        "consent",
        "",
        '<a href="https://privacy.truste.com/privacy-seal/validation?rid=1">'
        '<img src="https://privacy-policy.truste.com/privacy-seal/seal?rid=1" alt="TRUSTe"></a>',
        None,
    ),
    ("consent", "", "<p>We compared OneTrust, Cookiebot and Didomi.</p>", None),
    ("consent", "", '<a href="/cookie-notice">Cookie notice</a>', None),
    (
        "consent",
        script("https://secure.quantserve.com/quant.js"),
        '<img alt="Quantcast" src="x.gif">',
        None,
    ),
    # parking: GoDaddy in an article, look-alike domains, links, mentions in code
    (
        "parking",
        "",
        '<p>We bought our domain from <a href="https://www.godaddy.com/">GoDaddy</a>.</p>',
        None,
    ),
    (
        "parking",
        script("https://cdn.jordan.com/app.js") + script("https://sedan.com/x.js"),
        "",
        None,
    ),
    (
        "parking",
        "",
        '<a href="https://sedo.com/">Sedo</a> <a href="https://dan.com/">Dan</a>',
        None,
    ),
    ("parking", inline('var msg = "This domain is for sale: domain for sale";'), "", None),
    ("parking", "", '<img src="/a.png" alt="Buy this domain">', None),
    (
        "parking",
        "",
        "<p>" + "Long article text. " * (PARKING_TEXT_CHARS // 15) + "The domain is parked.</p>",
        None,
    ),
    # challenge: Cloudflare's helpers on ordinary pages, SDKs of protected pages
    (
        "challenge",
        script("/cdn-cgi/scripts/5c5dd728/cloudflare-static/email-decode.min.js"),
        "",
        None,
    ),
    ("challenge", "", '<a href="/cdn-cgi/l/email-protection#abc">[email protected]</a>', None),
    ("challenge", script("/cdn-cgi/challenge-platform/scripts/jsd/main.js"), "", None),
    ("challenge", script("/cdn-cgi/challenge-platform/h/b/scripts/jsd/e0c9/main.js"), "", None),
    (
        "challenge",
        script("https://challenges.cloudflare.com/turnstile/v0/api.js"),
        '<form><div class="cf-turnstile" data-sitekey="x"></div></form>',
        None,
    ),
    ("challenge", script("https://js.datadome.co/tags.js"), "", None),
    ("challenge", script("https://client.perimeterx.net/PXabc/main.min.js"), "", None),
    (
        "challenge",
        script("/_Incapsula_Resource?SWJIYLWA=719d34d31c8e3a6e6fffd425f7e032f3"),
        "",
        None,
    ),
    ("challenge", inline("AwsWafIntegration.fetch('/api');"), "", None),
    ("challenge", "", "<p>Access denied to the archive.</p>", "Access Denied"),
    ("challenge", "", "<p>Just a moment... we are loading your results.</p>", None),
    ("challenge", "", "<p>We moved from Incapsula to Cloudflare last year.</p>", None),
    # forms: Pardot's tracking script, a mention
    ("form", script("https://pi.pardot.com/pd.js"), "<p>Sign up with Mailchimp</p>", None),
    # webinar: a link to a registration page, a mention
    (
        "webinar",
        "",
        '<a href="https://us02web.zoom.us/webinar/register/WN_x">Register on Zoom</a> '
        "<p>Past sessions were hosted on ON24.</p>",
        None,
    ),
    # video: links, consent-tool block lists, an empty <video>, an ad config
    ("video", "", '<a href="https://www.youtube.com/watch?v=abc">Watch on YouTube</a>', None),
    ("video", inline("var blocked = ['youtube.com/embed', 'player.vimeo.com'];"), "", None),
    ("video", "", "<video></video>", None),
    ("video", inline('var dfp = {"jwplayer": "carousel"};'), "", None),
    # text: phrases inside scripts and attributes, WordPress comments, menus
    (
        "text",
        inline("var t = 'register to watch; please log in to continue; register to download';"),
        '<img src="a.png" alt="Register to watch">',
        None,
    ),
    ("text", "", "<p>You must be logged in to post a comment.</p>", None),
    (
        "text",
        "",
        '<nav><a href="/members">Members only</a> <a href="/login">Log in</a></nav>',
        None,
    ),
    ("text", "", "<template><p>Please log in to continue.</p></template>", None),
]


@pytest.mark.parametrize(
    ("family", "head", "body", "title"),
    NEGATIVE,
    ids=[f"no-{case[0]}-{i}" for i, case in enumerate(NEGATIVE)],
)
def test_marker_absent(family: str, head: str, body: str, title: str | None) -> None:
    found = features(body, head, title or "Living with CAR-T")
    assert not found.has_marker(family), found.markers_of(family)


def test_every_family_has_positive_and_negative_cases() -> None:
    families = {s.marker.split(":")[0] for s in SIGNATURES} | {"schema"}
    assert families == {m.split(":")[0] for m, *_ in POSITIVE} | {"schema"}
    assert families <= {family for family, *_ in NEGATIVE}


def test_every_signature_marker_is_tested() -> None:
    assert {s.marker for s in SIGNATURES} <= {m for m, *_ in POSITIVE}
