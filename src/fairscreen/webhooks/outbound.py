"""Outbound HTTP to a tenant's or an operator's URL: vetted, pinned, bounded.

Used by webhook delivery and by `fairscreen ledger witness`. Three guarantees:

- the host is resolved here and every address it resolves to must be public
  (policy.refusal), unless the operator allowed it (FAIRSCREEN_WEBHOOK_ALLOW_PRIVATE);
- the connection goes to the very address that was checked: httpcore's network backend
  is replaced by one that connects to it whatever the URL's host, while the Host header,
  TLS SNI and certificate check still use the name (so DNS rebinding between the check and
  the connection changes nothing);
- one wall-clock deadline covers the whole exchange (connect, TLS, write, every read: each
  socket operation gets at most the time left), and at most `max_bytes` of the answer are
  read. Proxies from the environment are never used (they would bypass the pinning).

httpcore (httpx's own transport layer, already a dependency through httpx) is used directly
because httpx exposes no way to choose the address a connection goes to.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

import httpcore

from fairscreen.webhooks.policy import (
    LOOPBACK_NAMES,
    Address,
    PrivateAllowance,
    Target,
    UnsafeTarget,
    parse_target,
    refusal,
)

Resolver = Callable[[str, int], list[Address]]
DEADLINE_SECONDS = 10.0
MAX_ANSWER_BYTES = 64 * 1024


def resolve(host: str, port: int) -> list[Address]:
    """Return every address a host name resolves to (the system resolver)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[Address] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


@dataclass(frozen=True)
class Vetted:
    """A URL whose host was resolved and checked; `address` is where to connect."""

    url: str
    target: Target
    address: Address


def vet(url: str, allow: PrivateAllowance, *, resolver: Resolver = resolve) -> Vetted:
    """Resolve a URL's host and check every address; raise UnsafeTarget if one is refused."""
    target = parse_target(url)
    if target.literal is not None:
        addresses = [target.literal]
    else:
        try:
            addresses = resolver(target.host, target.port)
        except (OSError, UnicodeError):
            addresses = []
    reason = refusal(target, addresses, allow)
    if reason is not None:
        raise UnsafeTarget(reason)
    return Vetted(url.strip(), target, addresses[0])


def vet_registration(url: str, allow: PrivateAllowance, *, resolver: Resolver = resolve) -> Target:
    """Check a URL as it is registered: refused if its host resolves to a non-public address.

    A name that does not resolve yet is accepted (it may be set up after the endpoint):
    every delivery resolves and checks it again before connecting.
    """
    target = parse_target(url)
    if target.literal is not None:
        addresses = [target.literal]
    else:
        try:
            addresses = resolver(target.host, target.port)
        except (OSError, UnicodeError):
            addresses = []
    if addresses or target.literal is None and target.host in LOOPBACK_NAMES:
        reason = refusal(target, addresses or [ipaddress.IPv4Address("127.0.0.1")], allow)
        if reason is not None:
            raise UnsafeTarget(reason)
    return target


class DeadlineExceeded(httpcore.TimeoutException):
    """The exchange ran past its wall-clock deadline."""


class _DeadlineStream(httpcore.NetworkStream):
    """A stream whose every operation waits at most until the exchange's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def _left(self, timeout: float | None) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded("the delivery's deadline passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, self._left(timeout))
        return _DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects to the vetted address, whatever host the URL names."""

    def __init__(self, address: Address, deadline: float) -> None:
        self._address = address
        self._deadline = deadline
        self._system = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,  # noqa: ARG002 - the URL's name: never looked up again
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded("the delivery's deadline passed")
        stream = self._system.connect_tcp(
            str(self._address),
            port,
            timeout=left if timeout is None else min(timeout, left),
            local_address=local_address,
            socket_options=socket_options,
        )
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:  # pragma: no cover - never asked for: no uds option
        raise DeadlineExceeded("unix sockets are not reached by webhooks")

    def sleep(self, seconds: float) -> None:  # pragma: no cover - no retries configured
        time.sleep(seconds)


@cache
def _tls() -> ssl.SSLContext:
    """The one TLS context of the process (loading the CA store is the costly part)."""
    return ssl.create_default_context()


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes  # at most max_bytes of it


def exchange(
    vetted: Vetted,
    method: str,
    *,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    deadline_seconds: float = DEADLINE_SECONDS,
    max_bytes: int = MAX_ANSWER_BYTES,
) -> Answer:
    """Send one request to the vetted address; raise on any failure or past the deadline."""
    deadline = time.monotonic() + deadline_seconds
    target = vetted.target
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    host_header = host if target.port == default else f"{host}:{target.port}"
    sent = [("Host", host_header), *((headers or {}).items())]
    timeouts = dict.fromkeys(("connect", "read", "write", "pool"), deadline_seconds)
    with (
        httpcore.ConnectionPool(
            ssl_context=_tls(),
            max_connections=1,
            network_backend=_PinnedBackend(vetted.address, deadline),
        ) as pool,
        pool.stream(
            method,
            vetted.url,
            headers=sent,
            content=body,
            extensions={"timeout": timeouts},
        ) as response,
    ):
        kept = bytearray()
        for chunk in response.iter_stream():
            kept += chunk[: max_bytes - len(kept)]
            if len(kept) >= max_bytes:
                break
        return Answer(response.status, bytes(kept))
