"""Which addresses curate may connect to.

A catalogue entry, or a redirect from a hostile server, must not turn the
checker against the network it runs in: loopback, private, link-local and
cloud-metadata addresses are refused unless the configuration allows them
(the simulated hub of the tests and the demo lives on 127.0.0.1).

Two checks use one AddressPolicy: check_url() before a request (so that a
forbidden address receives nothing at all, not even a TCP handshake), and
check_peer() on every new socket, against the address actually connected
to (a name may resolve to a public address for the first check and to a
private one for the connection: DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pipeline.models import FetchError

Resolver = Callable[..., list[tuple[Any, ...]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})

# Cloud instance-metadata endpoints (AWS/GCP/Azure/OpenStack, AWS over IPv6,
# Alibaba). Each is already non-public; named so that a refusal says why.
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(text) for text in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
# DNS64/NAT64 networks write an IPv4 destination inside this prefix (RFC 6052).
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


class AddressRefused(Exception):
    """The URL's scheme or resolved address is not one curate may contact."""

    def __init__(self, message: str, error: FetchError = FetchError.FORBIDDEN_ADDRESS) -> None:
        super().__init__(message)
        self.error = error


class PeerRefused(OSError):
    """A new connection reached an address the policy forbids; it was closed unused.

    An OSError so that urllib3 and requests pass it on (wrapped) like any
    other failure to connect; session.send_error() finds it in the chain.
    """


@dataclass(frozen=True)
class AddressPolicy:
    """Which peer addresses curate may connect to.

    allow_private allows every address (the simulated hub on loopback).
    extra_allowed lets tests treat a few loopback addresses as "public".
    """

    allow_private: bool = False
    extra_allowed: frozenset[IPNetwork] = frozenset()

    def allows(self, address: IPAddress) -> bool:
        """True when curate may connect to address."""
        if self.allow_private:
            return True
        plain = unwrap(address)
        if any(plain in network for network in self.extra_allowed):
            return True
        return is_public(plain) and all(is_public(inner) for inner in embedded_ipv4(plain))


def unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv4-mapped or NAT64 IPv6 address stands for, else address."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64_PREFIX:  # NAT64: judge the IPv4 destination, not the prefix
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses tunnelled inside an IPv6 one (6to4), judged as well."""
    if isinstance(address, ipaddress.IPv6Address) and address.sixtofour is not None:
        return [address.sixtofour]
    return []


def is_public(address: IPAddress) -> bool:
    """True for a globally routable unicast address, nothing special-purpose."""
    special = (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )
    # fec0::/10 (deprecated site-local) counts as global in Python 3.11
    site_local = isinstance(address, ipaddress.IPv6Address) and address.is_site_local
    return address.is_global and not special and not site_local


def describe(address: IPAddress) -> str:
    """How a refusal names an address."""
    if unwrap(address) in METADATA_ADDRESSES:
        return f"cloud metadata address {address}"
    return f"non-public address {address}"


def check_url(
    url: str, policy: AddressPolicy | bool, resolve: Resolver = socket.getaddrinfo
) -> None:
    """Raise AddressRefused unless url is http(s) to an address the policy allows.

    Resolution errors propagate as socket.gaierror so that the caller can
    report an unknown host as such.
    """
    if isinstance(policy, bool):  # the older signature: allow_private as a flag
        policy = AddressPolicy(allow_private=policy)
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise AddressRefused(
            f"scheme '{parts.scheme}' is not http or https", FetchError.UNSUPPORTED_SCHEME
        )
    if not parts.hostname:
        raise AddressRefused("the URL has no host", FetchError.UNSUPPORTED_SCHEME)
    if policy.allow_private:
        return
    for address in resolved_addresses(parts.hostname, parts.port, resolve):
        if not policy.allows(address):
            raise AddressRefused(f"{parts.hostname} resolves to {describe(address)}")


def resolved_addresses(host: str, port: int | None, resolve: Resolver) -> list[IPAddress]:
    """Every address the host resolves to (a literal IP resolves to itself)."""
    infos = resolve(host, port or 80, proto=socket.IPPROTO_TCP)
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def check_peer(sock: socket.socket, policy: AddressPolicy) -> socket.socket:
    """Return sock if it is connected to an allowed address; else close it and raise.

    Runs right after the TCP handshake, before TLS or any HTTP byte is sent.
    """
    if policy.allow_private:
        return sock
    try:
        address = ipaddress.ip_address(str(sock.getpeername()[0]).split("%")[0])
    except OSError:
        sock.close()  # the peer reset the connection already: a connection failure
        raise
    except ValueError as exc:
        sock.close()  # a peer that is no IP address cannot be judged: refuse it
        raise PeerRefused(f"cannot tell which address was connected to ({exc})") from exc
    if not policy.allows(address):
        sock.close()
        raise PeerRefused(f"connected to {describe(address)}; closed before sending anything")
    return sock
