"""oEmbed look-ups, mocked with `responses`: which host is a video platform,
and what the platform's answer carries."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from pipeline.config import FetchConfig, VideoConfig
from pipeline.fetch.client import Fetcher
from pipeline.fetch.oembed import check_video, read_title, video_platform
from tests.fakes import FakeClock

CONFIG = VideoConfig()
WATCH = "https://www.youtube.com/watch?v=abc123"


def fetcher() -> Fetcher:
    return Fetcher(FetchConfig(allow_private_networks=True, retries=0),
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


@responses.activate
def test_the_title_comes_from_the_oembed_answer() -> None:
    responses.get(CONFIG.youtube_oembed, json={"title": "  CAR-T:\n a webinar ", "type": "video"})
    video = check_video(WATCH, "youtube", CONFIG, fetcher())
    assert (video.status, video.title) == (200, "CAR-T: a webinar")
    asked = parse_qs(urlsplit(responses.calls[0].request.url or "").query)
    assert asked == {"url": [WATCH], "format": ["json"]}


@responses.activate
@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_refusals_keep_their_status_and_have_no_title(status: int) -> None:
    responses.get(CONFIG.youtube_oembed, status=status, body="Unauthorized")
    video = check_video(WATCH, "youtube", CONFIG, fetcher())
    assert (video.status, video.title) == (status, None)


@pytest.mark.parametrize(
    ("body", "title"),
    [(b'{"title": "A"}', "A"), (b"not json", None), (b"[1, 2]", None),
     (b'{"title": 3}', None), (b"\xff\xfe", None), (b'{"title": "   "}', None)],
)
def test_read_title_tolerates_anything(body: bytes, title: str | None) -> None:
    assert read_title(body) == title
