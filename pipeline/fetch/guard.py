"""Which addresses curate may connect to.

A catalogue entry, or a redirect from a hostile server, must not turn the
checker against the network it runs in: loopback, private, link-local and
cloud-metadata addresses are refused unless the configuration allows them
(the simulated hub of the tests and the demo lives on 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from pipeline.models import FetchError

Resolver = Callable[..., list[tuple[Any, ...]]]

ALLOWED_SCHEMES = frozenset({"http", "https"})


class AddressRefused(Exception):
    """The URL's scheme or resolved address is not one curate may contact."""

    def __init__(self, message: str, error: FetchError = FetchError.FORBIDDEN_ADDRESS) -> None:
        super().__init__(message)
        self.error = error


def check_url(url: str, allow_private: bool, resolve: Resolver = socket.getaddrinfo) -> None:
    """Raise AddressRefused unless url is http(s) to a public (or allowed) address.

    Resolution errors propagate as socket.gaierror so that the caller can
    report an unknown host as such.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise AddressRefused(
            f"scheme '{parts.scheme}' is not http or https", FetchError.UNSUPPORTED_SCHEME
        )
    if not parts.hostname:
        raise AddressRefused("the URL has no host", FetchError.UNSUPPORTED_SCHEME)
    if allow_private:
        return
    for address in resolved_addresses(parts.hostname, parts.port, resolve):
        if not address.is_global:
            raise AddressRefused(f"{parts.hostname} resolves to non-public address {address}")


def resolved_addresses(
    host: str, port: int | None, resolve: Resolver
) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address the host resolves to (a literal IP resolves to itself)."""
    infos = resolve(host, port or 80, proto=socket.IPPROTO_TCP)
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
