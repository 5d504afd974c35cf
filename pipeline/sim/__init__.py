"""A simulated patient hub: a real HTTP server on loopback for tests, demo, bench.

    with SimulatedHub() as hub:          # 127.0.0.1, a port the OS picks
        urllib.request.urlopen(hub.url("/attc/car-t-clinical-journey-guide.pdf"))
        hub.hits("/flaky")               # how often a path was requested

Content (names mirror a real CAR-T hub):
    /                                        home page "Simulated patient hub"
    /mayo/car-t-infographic, /mayo/car-t-program, /gilead/car-t,
    /mpe/webinar-myeloma-car-t, /attc/glossary                   HTML pages
    /attc/car-t-clinical-journey-guide.pdf   92-page PDF, ETag + Last-Modified, 304s
    /bms/car-t-infographic.png               small PNG
    /bms/cell-therapy-fact-sheet.pdf         1-page PDF
    /latin1-page       ISO-8859-1 HTML, Content-Type without charset
    /guide-now-html    HTML where a PDF is expected
    /damaged.pdf       "%PDF-" then junk no reader opens
    /title-changed     HTML titled "A completely different page title"
Failures:
    /status/<200..599> (401 with WWW-Authenticate), /challenge (403 +
    cf-mitigated), /forbidden (403), /rate-limited (429, Retry-After: 1),
    /flaky?key=K (503 once per key, then 200), /moved-permanently (301),
    /moved-308 (absolute), /moved-temporarily (302), /moved-307,
    /chain/<n> (n redirects), /loop/a <-> /loop/b, /cookie-check (302 to
    itself with Set-Cookie, the page once the cookie comes back), /slow-trickle (a byte
    every 0.2 s), /oversized (64 MiB, no length), /oversized-declared
    (Content-Length 200 MB), and SimulatedHub.refused_url() (nothing listens).
Soft 404s, walls and bot blocks (soft404.py, walls.py, challenges.py):
    /soft/<any> (one welcome page for every path), /catchall/<any> (a search
    page; /catchall/car-t-guide is a real article), /nf/<en|fr|de|nl|it|es>
    ("not found" titles, 200), /deep/old-guide.html (302 to /),
    /deep/moved-home (301 to /), /parked (Sedo), /members/guide (302 to
    /login), /sso/guide (302 to an OpenID Connect sign-in page),
    /password-page, /header-login (real), /paywalled, /free-article (real),
    /guide-registration (HubSpot), /webinar-register (ON24),
    /webinar-open (real), /cookie-page, /drift-page, /challenge-200,
    /challenge-503, /akamai-denied, /status-999 ("999 Request denied"),
    /cloudflare-email (real).
Variants, switched with hub.set_variant(name, value) between "nights":
    "cookie-wall": "open" | "walled" (/cookie-page); "drift": "a" | "b" (/drift-page).
Video platform (video.py), served by every hub: /watch?v=<id>, /oembed?url=
    (ok-video 200, removed-video 404, private-video 400, noembed-video 401),
    /<digits> (Vimeo page), /api/oembed.json?url= (76979871 200, 22222222 403).
Scripted pages (scripted.py), for the second opinion of a real browser:
    /js/challenge (403 Cloudflare challenge whose script sets the cookie
    curate_sim_cleared=1 and reloads; with the cookie, 200 "CAR-T after the
    challenge"), /js/challenge-forever (403; its script never clears it),
    /js/written (200 empty shell; its script writes the article),
    /js/login-wall (200 empty shell; its script writes a sign-in form),
    /js/beacon?to=URL (200 article loading URL by <img>, script <img> and fetch).
Anything else is 404. HEAD works everywhere.
"""

from pipeline.sim.demo import demo_entries, write_demo_catalogue, write_hub_catalogue
from pipeline.sim.server import SimulatedHub, unused_port_url

__all__ = [
    "SimulatedHub",
    "demo_entries",
    "unused_port_url",
    "write_demo_catalogue",
    "write_hub_catalogue",
]
