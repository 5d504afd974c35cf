"""oEmbed look-ups, answered by scripted loopback servers (tests/loopback.py):
which host is a video platform, and what the platform's answer carries."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from pipeline.config import FetchConfig, VideoConfig
from pipeline.fetch.client import Fetcher
from pipeline.fetch.oembed import check_video, read_title, video_platform
from tests.fakes import FakeClock
from tests.loopback import FakeInternet

CONFIG = VideoConfig()
WATCH = "https://www.youtube.com/watch?v=abc123"


def fetcher(internet: FakeInternet) -> Fetcher:
    return internet.fetcher(FetchConfig(allow_private_networks=True, retries=0),
                            clock=FakeClock().clock())


@pytest.mark.parametrize(
    ("url", "platform"),
    [
        (WATCH, "youtube"), ("https://youtu.be/abc123", "youtube"),
        ("https://vimeo.com/76979871", "vimeo"), ("https://player.vimeo.com/video/1", "vimeo"),
        ("https://mpeurope.org/webinars/car-t", None),
        ("https://youtube.com.evil.example/watch?v=x", None),
    ],
)
def test_video_platform(url: str, platform: str | None) -> None:
    assert video_platform(url, CONFIG) == platform


def test_the_title_comes_from_the_oembed_answer(internet: FakeInternet) -> None:
    internet.get_matching(re.escape(CONFIG.youtube_oembed) + r"\?.*",
                          body=json.dumps({"title": "  CAR-T:\n a webinar ", "type": "video"}))
    video = check_video(WATCH, "youtube", CONFIG, fetcher(internet))
    assert (video.status, video.title) == (200, "CAR-T: a webinar")
    asked = parse_qs(urlsplit(internet.calls[0].url).query)
    assert asked == {"url": [WATCH], "format": ["json"]}


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_refusals_keep_their_status_and_have_no_title(
    internet: FakeInternet, status: int
) -> None:
    internet.get_matching(re.escape(CONFIG.youtube_oembed) + r"\?.*", status=status,
                          body=b"Unauthorized")
    video = check_video(WATCH, "youtube", CONFIG, fetcher(internet))
    assert (video.status, video.title) == (status, None)


@pytest.mark.parametrize(
    ("body", "title"),
    [(b'{"title": "A"}', "A"), (b"not json", None), (b"[1, 2]", None),
     (b'{"title": 3}', None), (b"\xff\xfe", None), (b'{"title": "   "}', None)],
)
def test_read_title_tolerates_anything(body: bytes, title: str | None) -> None:
    assert read_title(body) == title
