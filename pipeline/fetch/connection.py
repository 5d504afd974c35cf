"""Connections that check the address they actually reached, and their adapter.

check_url() judges the addresses a name resolves to before a request;
urllib3 then resolves the name again to connect, and the answer may differ
(DNS rebinding). These connection classes run guard.check_peer() on every
new socket, right after the TCP handshake and before TLS or any HTTP byte,
so a forbidden peer never receives a request. GuardedAdapter mounts them
in a requests Session (see session.build_session).

Connections through a proxy (HTTP_PROXY and friends) are made by requests'
ProxyManager and are not checked here: the proxy is the operator's choice.
"""

from __future__ import annotations

import socket
from typing import Any, ClassVar

from requests.adapters import DEFAULT_POOLBLOCK, HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from pipeline.fetch.guard import AddressPolicy, check_peer


class GuardedHTTPConnection(HTTPConnection):
    """An HTTP connection that refuses a peer its policy forbids."""

    policy: ClassVar[AddressPolicy] = AddressPolicy()  # strict unless a subclass says otherwise

    def _new_conn(self) -> socket.socket:
        return check_peer(super()._new_conn(), self.policy)


class GuardedHTTPSConnection(HTTPSConnection):
    """An HTTPS connection that refuses a peer its policy forbids (before TLS)."""

    policy: ClassVar[AddressPolicy] = AddressPolicy()

    def _new_conn(self) -> socket.socket:
        return check_peer(super()._new_conn(), self.policy)


def guarded_pool_classes(policy: AddressPolicy) -> dict[str, type[HTTPConnectionPool]]:
    """Pool classes, by scheme, whose connections check their peer against policy."""
    chosen = policy

    class _HTTPConnection(GuardedHTTPConnection):
        policy = chosen

    class _HTTPSConnection(GuardedHTTPSConnection):
        policy = chosen

    class _HTTPPool(HTTPConnectionPool):
        ConnectionCls = _HTTPConnection

    class _HTTPSPool(HTTPSConnectionPool):
        ConnectionCls = _HTTPSConnection

    return {"http": _HTTPPool, "https": _HTTPSPool}


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose direct connections check their peer address."""

    def __init__(self, policy: AddressPolicy, **kwargs: Any) -> None:
        self.policy = policy  # set first: HTTPAdapter.__init__ calls init_poolmanager
        super().__init__(**kwargs)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = DEFAULT_POOLBLOCK, **pool_kwargs: Any
    ) -> None:
        """The usual PoolManager, with guarded pool classes for http and https."""
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = guarded_pool_classes(self.policy)
