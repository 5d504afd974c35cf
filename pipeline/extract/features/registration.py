"""Signatures of what stands in front of a guide or a recording, and of log-in walls.

Marketing-form and webinar vendors (HubSpot, Marketo, ON24, Zoom, ...) say a
form may gate a download or a recording; video players say the recording
is on the page after all; the phrases of registration and log-in walls
("register to watch", "please log in to continue") are read in the visible
text. FORM_VENDOR_SIGNATURES is what a form's own attributes may name.
"""

from __future__ import annotations

from pipeline.extract.features.signatures import Where, domains, phrase, substrings

FORM_SIGNATURES = (
    # HubSpot forms: js.hsforms.net embed, hbspt.forms.create(), form.hs-form.
    *substrings("form:hubspot", Where.CODE, "hsforms", "hs-form", "hbspt.forms"),
    # Marketo forms 2.0: form#mktoForm_123, marketo.com/js/forms2.
    *substrings("form:marketo", Where.CODE, "mktoform", "marketo.com/js/forms2"),
    # Pardot form handlers and iframes (go.pardot.com/l/...). Not pd.js,
    # the tracking script every Pardot customer loads.
    *substrings("form:pardot", Where.CODE, "pardot.com/l/"),
    # Mailchimp embedded signup: #mc-embedded-subscribe-form posting to *.list-manage.com.
    *substrings("form:mailchimp", Where.CODE, "mc-embedded-subscribe"),
    *domains("form:mailchimp", "list-manage.com"),
    # Gravity Forms (WordPress): #gform_1, .gform_wrapper.
    *substrings("form:gravityforms", Where.CODE, "gform_"),
    # Formstack: *.formstack.com embeds.
    *substrings("form:formstack", Where.CODE, "formstack"),
    # Typeform: embed.typeform.com, data-tf-widget.
    *substrings("form:typeform", Where.CODE, "typeform", "data-tf-widget"),
    # Jotform: form.jotform.com / submit.jotform.com.
    *substrings("form:jotform", Where.CODE, "jotform"),
    # Salesforce Web-to-Lead: action webto.salesforce.com/servlet/servlet.WebToLead.
    *substrings("form:salesforce", Where.CODE, "webto.salesforce.com"),
    # Oracle Eloqua form handler: *.eloqua.com/e/f2.
    *substrings("form:eloqua", Where.CODE, "eloqua.com/e/f2"),
    # WPForms and Ninja Forms (WordPress).
    *substrings("form:wpforms", Where.CODE, "wpforms"),
    *substrings("form:ninjaforms", Where.CODE, "ninja-forms", "nf-form-cont"),
    # Cognito Forms: cognitoforms.com embeds.
    *substrings("form:cognito", Where.CODE, "cognitoforms"),
)

WEBINAR_SIGNATURES = (
    # ON24 event and registration pages (event.on24.com).
    *domains("webinar:on24", "on24.com"),
    # GoTo Webinar registration (register.gotowebinar.com, attendee.gotowebinar.com).
    *domains("webinar:gotowebinar", "gotowebinar.com"),
    # Zoom registration forms (zoom.us/webinar/register/..., /meeting/register/...).
    *substrings("webinar:zoom", Where.CODE, "zoom.us/webinar/register", "zoom.us/meeting/register"),
    # BrightTALK, Webex, Livestorm, BigMarker, Demio, Hopin, Crowdcast players and registration.
    *domains("webinar:brighttalk", "brighttalk.com"),
    *domains("webinar:webex", "webex.com"),
    *domains("webinar:livestorm", "livestorm.co"),
    *domains("webinar:bigmarker", "bigmarker.com"),
    *domains("webinar:demio", "demio.com"),
    *domains("webinar:hopin", "hopin.com", "hopin.to"),
    *domains("webinar:crowdcast", "crowdcast.io"),
    # Eventbrite event pages and embedded checkout (eb_widgets.js).
    *domains("webinar:eventbrite", "eventbrite.com", "eventbrite.co.uk", "evbstatic.com"),
    *substrings("webinar:eventbrite", Where.CODE, "eb_widgets"),
)

VIDEO_SIGNATURES = (
    # YouTube embeds, also privacy-enhanced, lazy (data-src) and <lite-youtube>.
    # Only embeds count: consent tools list "youtube.com" in their scripts.
    *substrings(
        "video:youtube",
        Where.EMBED,
        "youtube.com/embed",
        "youtube-nocookie.com",
        "youtu.be/",
        "<lite-youtube",
    ),
    # Vimeo player iframes and <lite-vimeo>.
    *substrings("video:vimeo", Where.EMBED, "player.vimeo.com", "<lite-vimeo"),
    # Dailymotion embeds (dailymotion.com/embed, geo.dailymotion.com/player).
    *substrings(
        "video:dailymotion", Where.EMBED, "dailymotion.com/embed", "dailymotion.com/player"
    ),
    # Script-driven players: Wistia, Brightcove, Kaltura.
    *substrings("video:wistia", Where.CODE, "fast.wistia", "wistia_embed", "wistia.com/embed"),
    *substrings("video:brightcove", Where.CODE, "players.brightcove.net"),
    *substrings("video:brightcove", Where.EMBED, "<video-js"),
    *domains("video:kaltura", "kaltura.com"),
    # JW Player: cdn.jwplayer.com libraries, jwplatform/jwpcdn media, jwplayer("id").setup().
    # Not "jwplayer" alone: ad configs name it as a slot type.
    *domains("video:jwplayer", "jwplayer.com", "jwplatform.com", "jwpcdn.com"),
    phrase("video:jwplayer", Where.CODE, "jwplayer(", r"(?<![\w$.])jwplayer\("),
)

TEXT_SIGNATURES = (
    # Webinar recordings behind a registration form.
    *substrings(
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
    *substrings(
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
    *substrings(
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

# What a form's own attributes may name (FormFeatures.vendor).
FORM_VENDOR_SIGNATURES = tuple(
    s for s in (*FORM_SIGNATURES, *WEBINAR_SIGNATURES) if s.where is Where.CODE
)
