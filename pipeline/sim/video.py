"""A video platform's pages and oEmbed endpoints, YouTube- and Vimeo-style.

Every SimulatedHub serves these routes, so a second hub (say on 127.0.0.2)
can play the video platform while curate's oEmbed endpoints point at it.
Like YouTube, a watch page answers 200 even for a removed video: only the
oEmbed answer tells the states apart.

- /watch?v=<id>                  200 watch page, title "<id> - YouTube"
- /oembed?url=<video URL>        ok-video 200 JSON, removed-video 404,
                                 private-video 400, noembed-video 401 (embedding
                                 disabled, video public), anything else 404
- /<digits>                      200 Vimeo video page
- /api/oembed.json?url=<URL>     76979871 200 JSON, 11111111 404,
                                 22222222 403 (embedding restricted), else 404
"""

from __future__ import annotations

import functools
import json
import re
from urllib.parse import parse_qs, urlsplit

from pipeline.sim.answers import Handler, Request, Response, html_ok, text_answer
from pipeline.sim.site import Page, Site, article, render

YOUTUBE = Site("YouTube", (), "\u00a9 2024 Google LLC")
VIMEO = Site("Vimeo", (), "\u00a9 2024 Vimeo.com, Inc.")
JSON_UTF8 = "application/json; charset=utf-8"

OK_VIDEO_TITLE = "Doctor and patients' perspective on myeloma CAR-T"
VIMEO_OK_ID = "76979871"
VIMEO_OK_TITLE = "CAR-T explained"

_YOUTUBE_ERRORS = {
    "removed-video": (404, "Not Found"),
    "private-video": (400, "Bad Request"),
    "noembed-video": (401, "Unauthorized"),
}
_VIMEO_ERRORS = {"11111111": 404, "22222222": 403}


def _query(request: Request, name: str) -> str:
    """The first value of a query parameter, or ""."""
    return parse_qs(request.query).get(name, [""])[0]


def youtube_id(url: str) -> str:
    """The video id of a YouTube URL: ?v=, a youtu.be path, or /embed/ and /shorts/."""
    parts = urlsplit(url)
    found = parse_qs(parts.query).get("v")
    if found:
        return found[0]
    segments = [segment for segment in parts.path.split("/") if segment]
    if (parts.hostname or "").endswith("youtu.be") and segments:
        return segments[0]
    if len(segments) >= 2 and segments[0] in ("embed", "shorts", "live"):
        return segments[1]
    return ""


def vimeo_id(url: str) -> str:
    """The numeric video id of a Vimeo URL (its last all-digit path segment), or ""."""
    digits = [segment for segment in urlsplit(url).path.split("/") if segment.isdigit()]
    return digits[-1] if digits else ""


def _json(data: dict[str, object]) -> Response:
    """A 200 JSON answer."""
    return Response(200, (("Content-Type", JSON_UTF8),), json.dumps(data).encode("utf-8"))


def _youtube_oembed_data(video: str) -> dict[str, object]:
    """The oEmbed document YouTube sends for a public, embeddable video."""
    embed = f"https://www.youtube.com/embed/{video}?feature=oembed"
    return {
        "title": OK_VIDEO_TITLE,
        "author_name": "Myeloma Patients Europe",
        "author_url": "https://www.youtube.com/@MyelomaPatientsEurope",
        "type": "video",
        "height": 113,
        "width": 200,
        "version": "1.0",
        "provider_name": "YouTube",
        "provider_url": "https://www.youtube.com/",
        "thumbnail_height": 360,
        "thumbnail_width": 480,
        "thumbnail_url": f"https://i.ytimg.com/vi/{video}/hqdefault.jpg",
        "html": f'<iframe width="200" height="113" src="{embed}" frameborder="0" '
        f'allowfullscreen title="{OK_VIDEO_TITLE}"></iframe>',
    }


def youtube_oembed(request: Request) -> Response:
    """/oembed?url=...&format=json: JSON for ok-video, YouTube's bare errors otherwise."""
    url = _query(request, "url")
    if not url:
        return text_answer(400, "Bad Request")
    video = youtube_id(url)
    if video == "ok-video":
        return _json(_youtube_oembed_data(video))
    return text_answer(*_YOUTUBE_ERRORS.get(video, (404, "Not Found")))


def _vimeo_oembed_data(video: str) -> dict[str, object]:
    """The oEmbed document Vimeo sends for an embeddable video."""
    return {
        "type": "video",
        "version": "1.0",
        "provider_name": "Vimeo",
        "provider_url": "https://vimeo.com/",
        "title": VIMEO_OK_TITLE,
        "author_name": "Example Cancer Charity",
        "author_url": "https://vimeo.com/examplecharity",
        "is_plus": "0",
        "account_type": "basic",
        "html": f'<iframe src="https://player.vimeo.com/video/{video}?app_id=122963" '
        'width="640" height="360" frameborder="0" allow="autoplay; fullscreen" '
        f'title="{VIMEO_OK_TITLE}"></iframe>',
        "width": 640,
        "height": 360,
        "duration": 312,
        "description": "What CAR T-cell therapy is and how it is given, in five minutes.",
        "thumbnail_url": "https://i.vimeocdn.com/video/452001751-d_640",
        "thumbnail_width": 640,
        "thumbnail_height": 360,
        "upload_date": "2013-11-05 08:00:00",
        "video_id": int(video),
        "uri": f"/videos/{video}",
    }


def vimeo_oembed(request: Request) -> Response:
    """/api/oembed.json?url=...: JSON for the known video, Vimeo's errors otherwise."""
    video = vimeo_id(_query(request, "url"))
    if video == VIMEO_OK_ID:
        return _json(_vimeo_oembed_data(video))
    status = _VIMEO_ERRORS.get(video, 404)
    body = {"domain_status_code": status, "video_id": int(video) if video else 0}
    return Response(status, (("Content-Type", JSON_UTF8),), json.dumps(body).encode("utf-8"))


@functools.lru_cache(maxsize=256)
def watch_page(video: str) -> bytes:
    """A YouTube watch page; the same (200) whether the video exists or not."""
    title = f"{video} - YouTube" if video else "YouTube"
    text = article("Watch videos, subscribe to channels and share with friends and family.")
    return render(Page(title, text, site=YOUTUBE, h1=""))


@functools.lru_cache(maxsize=256)
def vimeo_page(video: str) -> bytes:
    """A Vimeo video page for any numeric id."""
    text = article("Watch this video on Vimeo, the home for high-quality videos.")
    return render(Page(f"Vimeo video {video}", text, site=VIMEO, h1=""))


def _vimeo_page(match: re.Match[str]) -> Response:
    """/<digits>: a Vimeo video page."""
    return html_ok(vimeo_page(match.group(1)))


def video_routes() -> dict[str, Handler]:
    """The fixed video paths (watch page and both oEmbed endpoints)."""
    return {
        "/watch": lambda request: html_ok(watch_page(_query(request, "v"))),
        "/oembed": youtube_oembed,
        "/api/oembed.json": vimeo_oembed,
    }


VIDEO_PATTERNS = ((re.compile(r"/(\d{1,12})"), _vimeo_page),)
