"""Signatures of vendors that put a wall over the content: paywalls and cookie walls.

Paywall vendors (Piano, Zephr, Poool, ...) and consent managers (OneTrust,
Cookiebot, Didomi, ...) also run on pages that stay free to read, so their
markers alone decide nothing: the judge weighs them against the text and
the last good night. All are read in the markup, never in visible text.
"""

from __future__ import annotations

from pipeline.extract.features.signatures import Where, domains, phrase, substrings

PAYWALL_SIGNATURES = (
    # Piano (formerly Tinypass): loader from cdn.tinypass.com or *.piano.io,
    # configured through its `tp.push([...])` command queue.
    *domains("paywall:piano", "tinypass.com", "piano.io"),
    phrase("paywall:piano", Where.CODE, "tp.push(", r"(?<![\w$.])tp\.push\("),
    # Zephr: zephr.com CDN, `data-zephr-*` hooks and zephr-* feature classes.
    *substrings("paywall:zephr", Where.CODE, "zephr"),
    # Poool: assets.poool.fr and its `poool` SDK object.
    *substrings("paywall:poool", Where.CODE, "poool"),
    # Pelcro: js.pelcro.com and `pelcro` element hooks.
    *substrings("paywall:pelcro", Where.CODE, "pelcro"),
    # LaterPay: connector.laterpay.net.
    *substrings("paywall:laterpay", Where.CODE, "laterpay"),
    # Memberful: memberful.com/embed.js and memberful links.
    *substrings("paywall:memberful", Where.CODE, "memberful"),
    # Leaky Paywall (WordPress plugin): /plugins/leaky-paywall/ assets,
    # leaky_paywall_* classes.
    *substrings("paywall:leaky", Where.CODE, "leaky-paywall", "leaky_paywall"),
    # Home-made paywalls: an id or class that is "paywall" or starts with it
    # ("paywall", "paywall-container"); "no-paywall" and "leaky-paywall" do not count.
    phrase("paywall:generic", Where.TOKENS, "paywall", r"(?<!\S)paywall"),
)

CONSENT_SIGNATURES = (
    # OneTrust: cdn.cookielaw.org loader, #onetrust-banner-sdk, legacy Optanon names.
    *substrings("consent:onetrust", Where.CODE, "onetrust", "optanon", "cookielaw.org"),
    # Cookiebot: consent.cookiebot.com/uc.js, #CybotCookiebotDialog.
    *substrings("consent:cookiebot", Where.CODE, "cookiebot"),
    # Didomi: sdk.privacy-center.org loader with window.didomiConfig, #didomi-host.
    *substrings("consent:didomi", Where.CODE, "didomi"),
    # Quantcast Choice: cmp.quantcast.com / quantcast.mgr.consensu.org, .qc-cmp2-*
    # (Quantcast's measurement tag, quantserve.com, is no consent tool).
    *substrings(
        "consent:quantcast", Where.CODE, "qc-cmp", "cmp.quantcast.com", "quantcast.mgr.consensu"
    ),
    # Usercentrics: app.usercentrics.eu loader, #usercentrics-root.
    *substrings("consent:usercentrics", Where.CODE, "usercentrics"),
    # TrustArc (formerly TRUSTe) consent manager: consent.trustarc.com / consent.truste.com
    # loaders, preferences.truste.com, #teconsent, #truste-consent-track, truste_box_*.
    # Not truste.com alone: WebMD and others show TRUSTe's privacy *seal* image.
    *substrings(
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
    *substrings("consent:iubenda", Where.CODE, "iubenda"),
    # CookieYes: cdn-cookieyes.com, .cky-consent-container.
    *substrings("consent:cookieyes", Where.CODE, "cookieyes", "cky-consent"),
    # Complianz (WordPress): cmplz-* classes and complianz assets.
    *substrings("consent:complianz", Where.CODE, "cmplz", "complianz"),
    # Osano: cmp.osano.com, .osano-cm-* classes.
    *substrings("consent:osano", Where.CODE, "osano.com", "osano-cm"),
    # Sourcepoint: #sp_message_container_*, cdn.privacy-mgmt.com, _sp_ config.
    *substrings("consent:sourcepoint", Where.CODE, "sp_message", "sourcepoint", "privacy-mgmt.com"),
    # Home-made banners and generic plugins ("Cookie Notice" is #cookie-notice).
    *substrings(
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
