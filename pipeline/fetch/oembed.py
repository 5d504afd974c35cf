"""Ask YouTube or Vimeo about a video through their oEmbed endpoints.

The watch page of a removed or private video still answers 200; the oEmbed
endpoint answers 400/401/403/404 instead, and gives the video's title when
it exists. The endpoints and the hosts they cover come from [video] in the
configuration, so tests point them at the simulated hub.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

from pipeline.config import VideoConfig
from pipeline.fetch.client import Fetcher
from pipeline.models import VideoCheck

OEMBED_MAX_BYTES = 65_536


def video_platform(url: str, config: VideoConfig) -> str | None:
    """'youtube' or 'vimeo' when url is on one of the configured hosts."""
    host = (urlsplit(url).hostname or "").lower()
    if host in config.youtube_hosts:
        return "youtube"
    if host in config.vimeo_hosts:
        return "vimeo"
    return None


def check_video(url: str, platform: str, config: VideoConfig, fetcher: Fetcher) -> VideoCheck:
    """The oEmbed answer for a video URL: status and, when it exists, its title."""
    endpoint = config.youtube_oembed if platform == "youtube" else config.vimeo_oembed
    query = urlencode({"url": url, "format": "json"})
    result = fetcher.with_max_bytes(OEMBED_MAX_BYTES).fetch(f"{endpoint}?{query}")
    title = read_title(result.body) if result.status == 200 else None
    return VideoCheck(platform, endpoint, result.status, title, result.error_detail)


def read_title(body: bytes) -> str | None:
    """The `title` of an oEmbed JSON document; None if it is not one."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    title = data.get("title") if isinstance(data, dict) else None
    return " ".join(title.split())[:300] if isinstance(title, str) and title.strip() else None
