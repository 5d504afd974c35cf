"""Signatures of pages that stand in for the publisher's page: parked domains,
bot challenges and CDN refusals.

A parked or for-sale lander means the site is gone; a challenge (Cloudflare,
Akamai, PerimeterX, DataDome, ...) means the check could not see the page.
A vendor's traces on ordinary pages (a protected page's scripts, a link to
a registrar) are left out on purpose: only the interstitial itself counts.
"""

from __future__ import annotations

from pipeline.extract.features.signatures import Where, domains, phrase, substrings

PARKING_SIGNATURES = (
    # Sedo: parked pages load img.sedoparking.com assets; sale landers on sedo.com.
    *substrings("parking:sedo", Where.CODE, "sedoparking"),
    *domains("parking:sedo", "sedo.com"),
    # Bodis: landers served from bodis.com / bodiscdn.com.
    *domains("parking:bodis", "bodis.com", "bodiscdn.com"),
    # ParkingCrew: parkingcrew.net scripts and images.
    *substrings("parking:parkingcrew", Where.CODE, "parkingcrew"),
    # Above.com parking.
    *domains("parking:above", "above.com"),
    # Dan.com (now GoDaddy) "buy this domain" landers.
    *domains("parking:dan", "dan.com"),
    # Afternic and HugeDomains for-sale landers.
    *domains("parking:afternic", "afternic.com"),
    *domains("parking:hugedomains", "hugedomains.com"),
    # GoDaddy's parked-page app (img1.wsimg.com/parking-lander/, its
    # `_trfd.push({ap:"parking"})`) and its footer line. Links to godaddy.com
    # alone prove nothing: many real sites have them.
    *substrings("parking:godaddy", Where.CODE, "parking-lander", 'ap:"parking"'),
    *substrings("parking:godaddy", Where.LEAD, "parked free, courtesy of godaddy"),
    # NameBright and Undeveloped for-sale landers.
    *domains("parking:namebright", "namebright.com", "namebrightstatic.com"),
    *domains("parking:undeveloped", "undeveloped.com"),
    # What parked and for-sale pages say, in the languages of the hubs.
    *substrings(
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
    phrase("parking:phrase", Where.LEAD, "is for sale", r"the domain name \S{1,253} is for sale"),
)

CHALLENGE_SIGNATURES = (
    # Cloudflare interstitials. Not "/cdn-cgi/challenge-platform/" alone:
    # Cloudflare injects .../scripts/jsd/main.js (JavaScript detections) and
    # email-decode scripts into ordinary pages; only the challenge page loads
    # the orchestrator or defines window._cf_chl_opt.
    phrase(
        "challenge:cloudflare",
        Where.CODE,
        "challenge-platform",
        r"challenge-platform/(?:h/\w{1,3}/)?orchestrate/",
    ),
    *substrings(
        "challenge:cloudflare", Where.CODE, "cf_chl_", "cf-browser-verification", "cf-challenge"
    ),
    phrase(
        "challenge:cloudflare",
        Where.TITLE,
        "",
        r"^\s*(?:just a moment\.\.\.|attention required! \| cloudflare)\s*$",
    ),
    # Akamai's refusal page: "Reference #18.1a2b3c4d.1699999999.5e6f7a8b" and
    # a link to errors.edgesuite.net ("Access Denied" + "You don't have
    # permission to access" is checked in `akamai_denied`).
    *substrings("challenge:akamai", Where.CODE, "errors.edgesuite.net"),
    *substrings("challenge:akamai", Where.TEXT, "errors.edgesuite.net"),
    phrase(
        "challenge:akamai",
        Where.TEXT,
        "reference #",
        r"reference #\d{1,3}\.[0-9a-f]{4,16}\.\d{6,12}",
    ),
    # PerimeterX / HUMAN block page: #px-captcha and its captcha script.
    # Not "perimeterx" alone: protected ordinary pages load client.perimeterx.net.
    *substrings(
        "challenge:perimeterx",
        Where.CODE,
        "px-captcha",
        "_pxcaptcha",
        "captcha.px-cdn.net",
        "captcha.perimeterx.net",
    ),
    # DataDome's captcha page (iframe from geo.captcha-delivery.com). Not
    # "datadome" alone: protected ordinary pages load js.datadome.co/tags.js.
    *substrings("challenge:datadome", Where.CODE, "captcha-delivery.com"),
    # Imperva Incapsula's block page frames /_Incapsula_Resource?CWUDNSAI=...;
    # ordinary protected pages only *script* /_Incapsula_Resource?SWJIYLWA=...
    *substrings("challenge:incapsula", Where.EMBED, "_incapsula_resource"),
    *substrings("challenge:incapsula", Where.CODE, "_incapsula_resource?cwudnsai"),
    *substrings("challenge:incapsula", Where.TEXT, "incapsula incident id"),
    # Sucuri firewall: the JS check (`sucuri_cloudproxy_js`) and the block page.
    *substrings("challenge:sucuri", Where.CODE, "sucuri_cloudproxy"),
    *substrings("challenge:sucuri", Where.TEXT, "sucuri website firewall"),
    # AWS WAF challenge page (window.gokuProps + challenge.js). Not "awswaf"
    # alone: ordinary pages use the AWS WAF JS SDK (AwsWafIntegration.fetch).
    *substrings("challenge:aws-waf", Where.CODE, "gokuprops", "awswafcookiedomainlist"),
    # DDoS-Guard's browser check (check.ddos-guard.net/check.js).
    *substrings(
        "challenge:ddos-guard", Where.CODE, "check.ddos-guard.net", "ddos-guard/js-challenge"
    ),
    *substrings("challenge:ddos-guard", Where.TITLE, "ddos-guard"),
)

def akamai_denied(title: str, text: str) -> bool:
    """Akamai's edge refusal: title "Access Denied" and its fixed sentence.

    Both are needed: "Access Denied" alone is also an ordinary 403 page.
    """
    return title == "access denied" and "you don't have permission to access" in text
