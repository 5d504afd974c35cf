"""oEmbed look-ups, answered by `responses` (tests/mocked.py): which host is a
video platform, and what the platform's answer carries."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from responses import matchers

from pipeline.config import FetchConfig, VideoConfig
from pipeline.fetch.oembed import check_video, read_title, video_platform
from tests.mocked import (
    fetcher,
    mocked_http,  # noqa: F401  (the `mocked` fixture)
)

CONFIG = VideoConfig()
WATCH = "https://www.youtube.com/watch?v=abc123"
FETCH = FetchConfig(allow_private_networks=True, retries=0)
# The endpoint is asked about the watch URL, in JSON; any other question is unregistered.
ASKED = matchers.query_param_matcher({"url": WATCH, "format": "json"})


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


def test_the_title_comes_from_the_oembed_answer(mocked: responses.RequestsMock) -> None:
    mocked.get(CONFIG.youtube_oembed, match=[ASKED],
               body=json.dumps({"title": "  CAR-T:\n a webinar ", "type": "video"}))
    video = check_video(WATCH, "youtube", CONFIG, fetcher(FETCH))
    assert (video.status, video.title) == (200, "CAR-T: a webinar")
    (call,) = mocked.calls
    asked = parse_qs(urlsplit(str(call.request.url)).query)
    assert asked == {"url": [WATCH], "format": ["json"]}


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_refusals_keep_their_status_and_have_no_title(
    mocked: responses.RequestsMock, status: int
) -> None:
    # a title in the refusal must not be taken for the video's
    mocked.get(CONFIG.youtube_oembed, match=[ASKED], status=status, body=b'{"title": "Gone"}')
    video = check_video(WATCH, "youtube", CONFIG, fetcher(FETCH))
    assert (video.status, video.title) == (status, None)
    assert len(mocked.calls) == 1


@pytest.mark.parametrize(
    ("body", "title"),
    [(b'{"title": "A"}', "A"), (b"not json", None), (b"[1, 2]", None),
     (b'{"title": 3}', None), (b"\xff\xfe", None), (b'{"title": "   "}', None)],
)
def test_read_title_tolerates_anything(body: bytes, title: str | None) -> None:
    assert read_title(body) == title
