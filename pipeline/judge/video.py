"""Recorded webinars and videos: ask the platform, not only the watch page.

A removed or private YouTube or Vimeo video still answers 200 on its watch
page; the platform's oEmbed endpoint tells the truth.
"""

from __future__ import annotations

from pipeline.models import Availability, Finding, FindingCode, VideoCheck

# What each platform's oEmbed status means. YouTube: 400/404 removed or
# private, 401 public but embedding disabled. Vimeo: 404 removed or private,
# 403 embedding restricted to other sites.
_GONE = {"youtube": frozenset({400, 404}), "vimeo": frozenset({404})}
_NO_EMBED = {"youtube": frozenset({401}), "vimeo": frozenset({403})}
_NAMES = {"youtube": "YouTube", "vimeo": "Vimeo"}


def judge_video(video: VideoCheck) -> tuple[Availability | None, Finding | None, str]:
    """(availability override, finding, reason) from the oEmbed answer.

    None where the answer decides nothing (e.g. the endpoint was down).
    """
    name = _NAMES.get(video.platform, video.platform)
    if video.status in _GONE.get(video.platform, ()):
        reason = (f"{name} says the video was removed or is private "
                  f"(oEmbed answered HTTP {video.status})")
        return Availability.BROKEN, None, reason
    if video.status in _NO_EMBED.get(video.platform, ()):
        finding = Finding(
            FindingCode.EMBEDDING_DISABLED,
            f"The video is public on {name}, but its owner turned off embedding: "
            "link to it rather than embedding it",
            evidence=f"oEmbed {video.endpoint} answered HTTP {video.status}",
        )
        return None, finding, ""
    return None, None, ""
