"""Standard Webhooks signing, the retry schedule and where webhooks may connect (pure).

Signature: `v1,` + base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}")) where the key is
the base64-decoded part of the secret after `whsec_`, so any Standard Webhooks library
verifies our deliveries. Written here (a few lines of hmac) rather than depending on the
`standardwebhooks` package at run time; the tests verify with that package.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

EVENT_TYPES = (
    "case.consented",
    "case.withdrawn",
    "report.released",
    "report.updated",
    "dispute.opened",
    "dispute.resolved",
    "decision.recorded",
    "case.destroyed",
)
SECRET_PREFIX = "whsec_"
# Seconds after the first attempt: about the Standard Webhooks / Svix schedule, capped.
RETRY_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 36000)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1


def new_secret() -> str:
    """Return a new endpoint secret (`whsec_` + base64 of 32 random bytes)."""
    return SECRET_PREFIX + base64.b64encode(os.urandom(32)).decode()


def secret_key(secret: str) -> bytes:
    """Return the HMAC key inside a `whsec_` secret."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("webhook secrets start with whsec_")
    return base64.b64decode(secret[len(SECRET_PREFIX) :])


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Return the `webhook-signature` header value."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Return the Standard Webhooks headers of a delivery."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
        "content-type": "application/json",
    }


def next_attempt(attempts: int, first_at: datetime) -> datetime | None:
    """Return when to try again after `attempts` failures, or None to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return first_at + timedelta(seconds=RETRY_SCHEDULE[attempts - 1])


# ----- where a webhook (or the ledger witness) may connect: the SSRF rule -----
#
# A target is refused unless every address its host resolves to is public. "Public" is
# decided here on `ipaddress` objects, never on strings, and the odd spellings that the
# C resolver accepts for IPv4 (`127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`) are
# refused outright: what a host means must not depend on which parser reads it.

# Names that are loopback by definition (RFC 6761), refused before any lookup.
LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
# Networks that carry an IPv4 address inside an IPv6 one: the inner address decides.
_EMBEDDING = (
    ipaddress.IPv6Network("::ffff:0:0/96"),  # IPv4-mapped
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible (deprecated)
    ipaddress.IPv6Network("64:ff9b::/96"),  # NAT64
)
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_METADATA = ipaddress.IPv4Address("169.254.169.254")
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]*))*\.?$", re.I)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class UnsafeTarget(ValueError):
    """A URL that webhooks and the witness must not reach; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked URL's parts: what to resolve, and what to connect to."""

    scheme: str
    host: str  # a lowercase name, or an address in its canonical form
    port: int
    literal: Address | None  # the address when the URL names one, else None


@dataclass(frozen=True)
class PrivateAllowance:
    """The operator's exceptions (FAIRSCREEN_WEBHOOK_ALLOW_PRIVATE): names and networks."""

    names: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, setting: str) -> PrivateAllowance:
        """Read a comma-separated list of host names, addresses and CIDR ranges."""
        names: set[str] = set()
        networks: list[Network] = []
        for raw in setting.split(","):
            item = raw.strip().lower().strip("[]")
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                names.add(item.rstrip("."))
        return cls(frozenset(names), tuple(networks))

    def allows(self, host: str, address: Address) -> bool:
        """Tell whether the operator allowed this host name or this address."""
        if host in self.names:
            return True
        return any(address.version == n.version and address in n for n in self.networks)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    for network in _EMBEDDING:
        if address in network and address != ipaddress.IPv6Address("::"):
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _SIX_TO_FOUR:
        return address.sixtofour
    return None


def is_public(address: Address) -> bool:
    """Tell whether an address is a public unicast one (not loopback, private, ... )."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return is_public(inner)
    if address == _METADATA or (isinstance(address, ipaddress.IPv4Address) and address in _CGNAT):
        return False
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def parse_target(url: str) -> Target:
    """Parse a webhook URL; raise UnsafeTarget for anything but a plain http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # read lazily: a port out of range or a broken IPv6 host raises
        hostname = parts.hostname
    except ValueError:
        raise UnsafeTarget("Give an http(s) URL for the endpoint.") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise UnsafeTarget("Give an http(s) URL for the endpoint.")
    if "@" in parts.netloc:
        raise UnsafeTarget("Give the URL without a user name or password (user:pass@).")
    host = hostname.lower()
    literal: Address | None
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
        if _NUMERIC_HOST.match(host):
            raise UnsafeTarget(
                f"{hostname} is not an address in dotted decimal: write an IPv4 address "
                "as four decimal numbers, or give a host name."
            ) from None
    if literal is None and not _is_host_name(host):
        raise UnsafeTarget(f"{hostname} is not a valid host name.")
    if literal is not None:
        host = str(literal)
    default = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, host.rstrip("."), port or default, literal)


def _is_host_name(host: str) -> bool:
    labels = host.rstrip(".").split(".")
    return all(re.fullmatch(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?", label) for label in labels)


def refusal(target: Target, addresses: list[Address], allow: PrivateAllowance) -> str | None:
    """Return why the target may not be reached at these addresses, or None if it may."""
    if not addresses:
        return f"{target.host} does not resolve to any address."
    by_name = target.literal is None and (
        target.host in LOOPBACK_NAMES or target.host.endswith(".localhost")
    )
    for address in addresses:
        if allow.allows(target.host, address):
            continue
        if by_name:
            return (
                f"{target.host} names this machine (loopback): webhooks reach only public "
                "addresses unless the operator allows this host "
                "(FAIRSCREEN_WEBHOOK_ALLOW_PRIVATE)."
            )
        if not is_public(address):
            return (
                f"{target.host} is not a public address ({address}): webhooks reach only "
                "public addresses unless the operator allows this host "
                "(FAIRSCREEN_WEBHOOK_ALLOW_PRIVATE)."
            )
    return None
