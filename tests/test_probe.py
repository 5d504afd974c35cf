"""The soft-404 probe: where it asks, and that it asks once per folder (the
probe's answer comes from `responses`, tests/mocked.py). The probe hands back
what it fetched; the Probe the judges compare is pipeline.check.probe_from's."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
import responses

from pipeline.check import probe_from
from pipeline.config import FetchConfig
from pipeline.fetch.probe import SoftProbe, probe_key, probe_url
from pipeline.models import FetchResult, Probe
from tests.mocked import (
    fetcher,
    mocked_http,  # noqa: F401  (the `mocked` fixture)
)


@pytest.mark.parametrize(
    ("page", "probe"),
    [
        ("https://x.org/guides/car-t?lang=en", "https://x.org/guides/curate-probe-t0k"),
        ("https://x.org/guides/", "https://x.org/guides/curate-probe-t0k"),
        ("https://x.org/", "https://x.org/curate-probe-t0k"),
        ("https://x.org:8443/a/b/c.html", "https://x.org:8443/a/b/curate-probe-t0k"),
    ],
)
def test_the_probe_is_a_sibling_in_the_same_folder(page: str, probe: str) -> None:
    assert probe_url(page, "t0k") == probe


def test_pages_of_one_folder_share_a_probe() -> None:
    assert probe_key("https://X.org/a/one") == probe_key("https://x.org/a/two?q=1")
    assert probe_key("https://x.org/a/one") != probe_key("https://x.org/b/one")


def as_fetched(url: str, result: FetchResult) -> FetchResult:
    """The probe's answer as fetched (the reader the tests of the fetch stage use)."""
    return result


def test_concurrent_pages_of_one_folder_cause_one_request(
    mocked: responses.RequestsMock,
) -> None:
    all_started = threading.Event()

    def not_found(_: Any) -> tuple[int, dict[str, str], str]:
        # Answer only once every worker is running: they ask while the probe is in flight.
        all_started.wait(10)  # a bound against a hang, never reached when all goes well
        return 404, {}, "not found"

    mocked.add_callback(responses.GET, re.compile(r"https://x\.org/guides/curate-probe-\w+\Z"),
                        callback=not_found)
    prober = SoftProbe(fetcher(FetchConfig(allow_private_networks=True)), as_fetched)
    found = []
    threads = [threading.Thread(target=lambda n=n: found.append(
        prober.probe(f"https://x.org/guides/page-{n}", "x.org"))) for n in range(8)]
    for thread in threads:
        thread.start()
    all_started.set()
    for thread in threads:
        thread.join()
    assert len(mocked.calls) == 1
    assert {p.status for p in found} == {404} and len(found) == 8


def test_a_2xx_probe_is_read_and_a_404_is_not() -> None:
    page = b"<html><head><title>Home</title></head><body><p>Welcome home.</p></body></html>"
    html = {"Content-Type": "text/html"}
    ok = FetchResult("https://x.org/p", "https://x.org/", 200, headers=html, body=page)
    gone = FetchResult("https://x.org/p", "https://x.org/p", 404, headers=html, body=page)
    read = probe_from("https://x.org/p", ok)
    assert (read.status, read.final_url, read.title) == (200, "https://x.org/", "Home")
    assert read.text_length > 0
    assert probe_from("https://x.org/p", gone) == Probe("https://x.org/p", 404, "https://x.org/p")
